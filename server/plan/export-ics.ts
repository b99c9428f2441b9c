// RFC 5545 calendar export of planned weeks: one file per week (download) or a multi-week
// feed (subscription URL). UIDs derive from stored ids, so a re-import or a feed refresh
// updates events in place instead of duplicating them.

import { MIN_DEEP_WORK_MINUTES } from './rules.ts';
import type { TimeBlock, WeekPlan } from './types.ts';
import { localToInstant } from './week.ts';

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;
const UID_DOMAIN = 'focus-coach';
export const DEFAULT_REVIEW_START = '16:00';
export const DEFAULT_REVIEW_MINUTES = 30;
export const DEFAULT_REVIEW_REMINDER_MINUTES = 15;
const FRIDAY_INDEX = 4;

export interface IcsOptions {
  /** DTSTAMP: when this calendar was generated. */
  now: Date;
  /** Local "HH:MM" of the Friday review. */
  reviewStart?: string;
  reviewMinutes?: number;
  reminderMinutes?: number;
  /** Stable, non-secret id of the owner (e.g. a hash of the user id) so review UIDs are unique across users. */
  ownerKey?: string;
  /** Calendar name shown by subscribing apps. */
  calendarName?: string;
  /** Also export "other" blocks (off by default: they are usually already in the person's calendar). */
  includeOther?: boolean;
}

/** TEXT value escaping (RFC 5545 §3.3.11). */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1). Counts UTF-8 octets per code point,
 * so a multi-byte character is never split across lines.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_LINE_OCTETS) {
      out.push(current);
      // The continuation's leading space counts towards its 75 octets.
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

/** "20261124T080000Z". */
export function formatUtc(instant: string | Date): string {
  const iso = (instant instanceof Date ? instant : new Date(instant)).toISOString();
  return iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function minutesDuration(minutes: number): string {
  return minutes % 60 === 0 ? `PT${minutes / 60}H` : `PT${minutes}M`;
}

function uidPart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The person's own environment commitments, else the classic two. */
function focusSetup(plan: WeekPlan): string {
  const own = plan.environment.map((e) => e.text.trim().replace(/[.\s]+$/, '')).filter(Boolean);
  return own.length ? `${own.join('. ')}.` : 'Phone away, notifications off.';
}

function blockEvent(plan: WeekPlan, block: TimeBlock, stamp: string): string[] {
  const rock = block.rockId ? plan.rocks.find((r) => r.id === block.rockId) : undefined;
  const category = block.kind === 'deep_work' ? 'Deep work' : block.kind === 'recovery' ? 'Recovery' : 'Other';
  const summary = block.kind === 'deep_work' ? `Deep work: ${block.title}` : block.kind === 'recovery' ? `Recovery: ${block.title}` : block.title;
  const description =
    block.kind === 'deep_work'
      ? `${rock ? `Big rock: ${rock.title}\n` : ''}Protected focus time (at least ${MIN_DEEP_WORK_MINUTES} minutes). ${focusSetup(plan)}`
      : block.kind === 'recovery'
        ? 'Recovery on purpose: unplug, move, rest.'
        : '';
  return [
    'BEGIN:VEVENT',
    `UID:block-${uidPart(block.id)}@${UID_DOMAIN}`,
    `DTSTAMP:${stamp}`,
    `DTSTART:${formatUtc(block.start)}`,
    `DTEND:${formatUtc(block.end)}`,
    `SUMMARY:${escapeText(summary)}`,
    ...(description ? [`DESCRIPTION:${escapeText(description)}`] : []),
    `CATEGORIES:${escapeText(category)}`,
    `TRANSP:${block.kind === 'other' ? 'TRANSPARENT' : 'OPAQUE'}`,
    'END:VEVENT',
  ];
}

function reviewEvent(plan: WeekPlan, stamp: string, opts: IcsOptions): string[] {
  const startLocal = opts.reviewStart ?? DEFAULT_REVIEW_START;
  const minutes = opts.reviewMinutes ?? DEFAULT_REVIEW_MINUTES;
  const reminder = opts.reminderMinutes ?? DEFAULT_REVIEW_REMINDER_MINUTES;
  // A review slot the person chose wins over the default Friday slot.
  const start = plan.review?.start ?? localToInstant(plan.weekKey, FRIDAY_INDEX, startLocal, plan.timeZone);
  const end = plan.review?.end ?? new Date(Date.parse(start) + minutes * 60_000).toISOString();
  const rocks = plan.rocks.filter((r) => r.status !== 'dropped').map((r) => `- ${r.title}`);
  const description = [
    'Simplify and reflect: what happened to each big rock? Where did time go compared with the plan? What will you drop? What carries over?',
    ...(rocks.length > 0 ? ['', 'Big rocks:', ...rocks] : []),
  ].join('\n');
  const owner = opts.ownerKey ? `-${uidPart(opts.ownerKey)}` : '';
  return [
    'BEGIN:VEVENT',
    `UID:review-${plan.weekKey}${owner}@${UID_DOMAIN}`,
    `DTSTAMP:${stamp}`,
    `DTSTART:${formatUtc(start)}`,
    `DTEND:${formatUtc(end)}`,
    `SUMMARY:${escapeText(plan.review ? 'Weekly review' : 'Friday review')}`,
    `DESCRIPTION:${escapeText(description)}`,
    'CATEGORIES:Review',
    'TRANSP:OPAQUE',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `TRIGGER:-${minutesDuration(reminder)}`,
    `DESCRIPTION:${escapeText(`${plan.review ? 'Weekly' : 'Friday'} review in ${reminder} minutes`)}`,
    'END:VALARM',
    'END:VEVENT',
  ];
}

function weekEvents(plan: WeekPlan, stamp: string, opts: IcsOptions): string[] {
  const blocks = plan.blocks.filter((b) => b.kind !== 'other' || opts.includeOther);
  return [...blocks.flatMap((b) => blockEvent(plan, b, stamp)), ...reviewEvent(plan, stamp, opts)];
}

function calendar(body: string[], opts: IcsOptions, feed: boolean): string {
  const head = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Focus Coach//Weekly plan//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    ...(opts.calendarName ? [`X-WR-CALNAME:${escapeText(opts.calendarName)}`, `NAME:${escapeText(opts.calendarName)}`] : []),
    // Subscribers poll; an hour keeps the calendar close to the plan without hammering the server.
    ...(feed ? ['REFRESH-INTERVAL;VALUE=DURATION:PT1H', 'X-PUBLISHED-TTL:PT1H'] : []),
  ];
  return [...head, ...body, 'END:VCALENDAR'].map(foldLine).join(CRLF) + CRLF;
}

/** One week as a downloadable .ics. */
export function weekToIcs(plan: WeekPlan, opts: IcsOptions): string {
  return calendar(weekEvents(plan, formatUtc(opts.now), opts), opts, false);
}

/** Several weeks as one subscription feed (e.g. last week, this week, next week). */
export function feedToIcs(plans: WeekPlan[], opts: IcsOptions): string {
  const stamp = formatUtc(opts.now);
  const sorted = [...plans].sort((a, b) => a.weekKey.localeCompare(b.weekKey));
  return calendar(sorted.flatMap((p) => weekEvents(p, stamp, opts)), { calendarName: 'Focus Coach', ...opts }, true);
}
