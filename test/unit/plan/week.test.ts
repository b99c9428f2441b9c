import { describe, expect, it } from 'vitest';
import {
  dateOfWeekDay,
  dayIndexOfDate,
  instantToLocal,
  localToInstant,
  nextWeekKey,
  parseWeekKey,
  previousWeekKey,
  weekBounds,
  weekKeyFor,
} from '../../../server/plan/week.ts';

describe('weekKeyFor', () => {
  it('uses the local date in the user’s zone, not UTC', () => {
    // Sunday 29 Nov 2026 23:30 UTC is already Monday 30 Nov in Berlin (W49), still Sunday in New York (W48).
    expect(weekKeyFor('2026-11-29T23:30:00Z', 'Europe/Berlin')).toBe('2026-W49');
    expect(weekKeyFor('2026-11-29T23:30:00Z', 'America/New_York')).toBe('2026-W48');
    expect(weekKeyFor('2026-11-29T23:30:00Z', 'UTC')).toBe('2026-W48');
  });

  it('follows ISO week-year rules at year ends', () => {
    expect(weekKeyFor('2021-01-01T12:00:00Z', 'UTC')).toBe('2020-W53');
    expect(weekKeyFor('2024-12-30T12:00:00Z', 'UTC')).toBe('2025-W01');
    expect(weekKeyFor('2026-12-31T12:00:00Z', 'UTC')).toBe('2026-W53');
    expect(weekKeyFor(new Date('2027-01-04T00:30:00Z'), 'Asia/Tokyo')).toBe('2027-W01');
  });
});

describe('weekBounds and localToInstant', () => {
  it('spans Monday 00:00 local to the next Monday', () => {
    expect(weekBounds('2026-W48', 'Europe/Berlin')).toEqual({ start: '2026-11-22T23:00:00.000Z', end: '2026-11-29T23:00:00.000Z' });
    expect(weekBounds('2026-W48', 'America/Los_Angeles')).toEqual({ start: '2026-11-23T08:00:00.000Z', end: '2026-11-30T08:00:00.000Z' });
  });

  it('is correct across a DST change inside the week (23-hour and 25-hour Sundays)', () => {
    // Europe: clocks go forward Sun 29 Mar 2026, back Sun 25 Oct 2026.
    expect(localToInstant('2026-W13', 0, '09:00', 'Europe/Berlin')).toBe('2026-03-23T08:00:00.000Z');
    expect(localToInstant('2026-W13', 6, '09:00', 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z');
    const spring = weekBounds('2026-W13', 'Europe/Berlin');
    expect(Date.parse(spring.end) - Date.parse(spring.start)).toBe((7 * 24 - 1) * 3_600_000);
    const autumn = weekBounds('2026-W43', 'Europe/Berlin');
    expect(Date.parse(autumn.end) - Date.parse(autumn.start)).toBe((7 * 24 + 1) * 3_600_000);
  });

  it('moves a time in the spring-forward gap forward, and takes the first of an ambiguous time', () => {
    expect(localToInstant('2026-W13', 6, '02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(localToInstant('2026-W43', 6, '02:30', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    // US DST starts 8 Mar 2026 at 02:00.
    expect(localToInstant('2026-W10', 6, '09:00', 'America/New_York')).toBe('2026-03-08T13:00:00.000Z');
  });

  it('handles half-hour zones and rejects bad input', () => {
    expect(localToInstant('2026-W48', 0, '09:00', 'Asia/Kolkata')).toBe('2026-11-23T03:30:00.000Z');
    expect(() => localToInstant('2026-W48', 0, '25:00', 'UTC')).toThrow(RangeError);
    expect(() => localToInstant('2026-W48', 7, '09:00', 'UTC')).toThrow(RangeError);
    expect(() => localToInstant('2026-W60', 0, '09:00', 'UTC')).toThrow(RangeError);
  });

  it('round-trips through instantToLocal', () => {
    const iso = localToInstant('2026-W48', 3, '14:15', 'America/New_York');
    expect(instantToLocal(iso, 'America/New_York')).toEqual({ weekKey: '2026-W48', dayIndex: 3, hhmm: '14:15', date: '2026-11-26' });
  });
});

describe('week arithmetic', () => {
  it('steps across year boundaries, including 53-week years', () => {
    expect(nextWeekKey('2026-W48')).toBe('2026-W49');
    expect(nextWeekKey('2026-W53')).toBe('2027-W01');
    expect(nextWeekKey('2025-W52')).toBe('2026-W01');
    expect(previousWeekKey('2027-W01')).toBe('2026-W53');
    expect(previousWeekKey('2026-W01')).toBe('2025-W52');
  });

  it('validates week keys', () => {
    expect(parseWeekKey('2026-W53')).toEqual({ year: 2026, week: 53 });
    expect(parseWeekKey('2025-W53')).toBeNull();
    expect(parseWeekKey('2026-W00')).toBeNull();
    expect(parseWeekKey('2026W48')).toBeNull();
  });

  it('maps days to dates and back', () => {
    expect(dateOfWeekDay('2026-W48', 0)).toBe('2026-11-23');
    expect(dateOfWeekDay('2026-W48', 6)).toBe('2026-11-29');
    expect(dayIndexOfDate('2026-W48', '2026-11-27')).toBe(4);
    expect(dayIndexOfDate('2026-W48', '2026-11-30')).toBeNull();
    expect(dayIndexOfDate('2026-W48', '2026-02-30')).toBeNull();
  });
});
