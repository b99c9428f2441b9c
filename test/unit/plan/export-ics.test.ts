import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { escapeText, feedToIcs, foldLine, formatUtc, weekToIcs } from '../../../server/plan/export-ics.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { localToInstant } from '../../../server/plan/week.ts';
import { nth } from '../../support/nth.ts';

const TZ = 'Europe/Berlin';
const at = (day: number, hhmm: string, week = '2026-W48') => localToInstant(week, day, hhmm, TZ);
const now = new Date('2026-11-22T18:00:00Z');

function plan(week = '2026-W48'): WeekPlan {
  return {
    weekKey: week,
    timeZone: TZ,
    vision: null,
    rocks: [
      { id: 'r1', title: 'Ship pricing page', status: 'planned', position: 0, carryCount: 0, carriedFromId: null },
      { id: 'r2', title: 'Dropped thing', status: 'dropped', position: 1, carryCount: 0, carriedFromId: null },
    ],
    blocks: [
      { id: 'b1', kind: 'deep_work', title: 'Pricing; copy, layout', start: at(1, '09:00', week), end: at(1, '11:00', week), rockId: 'r1' },
      { id: 'b2', kind: 'recovery', title: 'Lunch walk', start: at(2, '12:30', week), end: at(2, '13:00', week), rockId: null },
      { id: 'b3', kind: 'other', title: 'Dentist', start: at(3, '08:00', week), end: at(3, '09:00', week), rockId: null },
    ],
    environment: [],
    reflections: [],
  };
}

function events(ics: string) {
  const comp = new ICAL.Component(ICAL.parse(ics));
  return { comp, events: comp.getAllSubcomponents('vevent') };
}

describe('weekToIcs', () => {
  it('parses with ical.js and carries deep work, recovery and the Friday review', () => {
    const ics = weekToIcs(plan(), { now });
    const { comp, events: vevents } = events(ics);
    expect(comp.getFirstPropertyValue('version')).toBe('2.0');
    expect(comp.getFirstPropertyValue('prodid')).toBe('-//Focus Coach//Weekly plan//EN');
    expect(comp.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(vevents).toHaveLength(3); // "other" is left out by default

    const byUid = new Map(vevents.map((e) => [String(e.getFirstPropertyValue('uid')), new ICAL.Event(e)]));
    const deep = byUid.get('block-b1@focus-coach')!;
    expect(deep.summary).toBe('Deep work: Pricing; copy, layout');
    expect(deep.startDate.toJSDate().toISOString()).toBe('2026-11-24T08:00:00.000Z');
    expect(deep.endDate.toJSDate().toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(deep.startDate.zone?.tzid).toBe('UTC');
    expect(deep.description).toContain('Big rock: Ship pricing page\n');
    expect(deep.component.getFirstPropertyValue('categories')).toBe('Deep work');
    expect(byUid.get('block-b2@focus-coach')!.component.getFirstPropertyValue('categories')).toBe('Recovery');
    for (const e of vevents) expect((e.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString()).toBe(now.toISOString());

    const review = byUid.get('review-2026-W48@focus-coach')!;
    expect(review.summary).toBe('Friday review');
    // Friday 27 Nov 16:00–16:30 in Berlin (UTC+1).
    expect(review.startDate.toJSDate().toISOString()).toBe('2026-11-27T15:00:00.000Z');
    expect(review.endDate.toJSDate().toISOString()).toBe('2026-11-27T15:30:00.000Z');
    expect(review.description).toContain('- Ship pricing page');
    expect(review.description).not.toContain('Dropped thing');
    const alarm = review.component.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect(String(alarm.getFirstPropertyValue('trigger'))).toBe('-PT15M');
  });

  it('keeps UIDs stable across exports so re-import updates instead of duplicating', () => {
    const p = plan();
    const uids = (ics: string) => events(ics).events.map((e) => e.getFirstPropertyValue('uid'));
    const first = uids(weekToIcs(p, { now }));
    p.blocks[0] = { ...nth(p.blocks, 0), title: 'Renamed', start: at(1, '10:00'), end: at(1, '12:00') };
    expect(uids(weekToIcs(p, { now: new Date('2026-11-23T07:00:00Z') }))).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('uses CRLF only, folds at 75 octets and ends with CRLF', () => {
    const p = plan();
    nth(p.rocks, 0).title = 'Ship the pricing page with the new enterprise tier, annual discounts and the FAQ section';
    const ics = weekToIcs(p, { now, includeOther: true });
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = ics.split('\r\n');
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true);
    expect(events(ics).events).toHaveLength(4);
  });
});

describe('ICS primitives', () => {
  it('escapes TEXT values', () => {
    expect(escapeText('a\\b; c, d\nnext\r\nlast')).toBe('a\\\\b\\; c\\, d\\nnext\\nlast');
  });

  it('folds byte-exactly without splitting a multi-byte character', () => {
    const ascii = `SUMMARY:${'x'.repeat(100)}`;
    expect(foldLine(ascii)).toBe(`SUMMARY:${'x'.repeat(67)}\r\n ${'x'.repeat(33)}`);
    // 'é' is 2 octets: 8 + 33×2 = 74, one more 'é' would make 76 > 75.
    const accented = `SUMMARY:${'é'.repeat(40)}`;
    const folded = foldLine(accented);
    expect(folded).toBe(`SUMMARY:${'é'.repeat(33)}\r\n ${'é'.repeat(7)}`);
    // A 4-octet emoji is kept whole; the continuation line holds at most 74 octets after its space.
    const emoji = `DESCRIPTION:${'🪨'.repeat(30)}`;
    const parts = foldLine(emoji).split('\r\n');
    expect(parts.map((p) => Buffer.byteLength(p, 'utf8'))).toEqual([12 + 15 * 4, 1 + 15 * 4]);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(emoji);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
    const exact = `X:${'y'.repeat(73)}`;
    expect(foldLine(exact)).toBe(exact);
  });

  it('round-trips folded, escaped text through ical.js', () => {
    const p = plan();
    nth(p.blocks, 0).title = 'Écrire — chapitre 3; notes, idées\nsuite 🪨 '.repeat(3).trim();
    const ics = weekToIcs(p, { now });
    const deep = events(ics).events.find((e) => e.getFirstPropertyValue('uid') === 'block-b1@focus-coach')!;
    expect(deep.getFirstPropertyValue('summary')).toBe(`Deep work: ${nth(p.blocks, 0).title}`);
  });

  it('formats instants as UTC basic format', () => {
    expect(formatUtc('2026-11-24T08:05:09.123Z')).toBe('20261124T080509Z');
  });
});

describe('feedToIcs', () => {
  it('builds one calendar over several weeks with distinct UIDs', () => {
    const w48 = plan('2026-W48');
    const w49 = plan('2026-W49');
    w49.blocks = w49.blocks.map((b) => ({ ...b, id: `${b.id}-49` }));
    const ics = feedToIcs([w49, w48], { now, ownerKey: 'u-42' });
    const { comp, events: vevents } = events(ics);
    expect(comp.getFirstPropertyValue('x-wr-calname')).toBe('Focus Coach');
    expect(vevents).toHaveLength(6);
    const uids = vevents.map((e) => String(e.getFirstPropertyValue('uid')));
    expect(new Set(uids).size).toBe(6);
    expect(uids).toContain('review-2026-W48-u-42@focus-coach');
    expect(uids).toContain('review-2026-W49-u-42@focus-coach');
    // Sorted by week, W48's events first.
    expect(uids.indexOf('review-2026-W48-u-42@focus-coach')).toBeLessThan(uids.indexOf('block-b1-49@focus-coach'));
  });
});
