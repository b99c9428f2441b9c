// When weekly reminders fire, in the person's zone: weekdays, the next occurrence across
// weeks and daylight-saving changes, and quiet hours (also across midnight).
import { describe, expect, it } from 'vitest';
import { afterQuietHours, dayIndexOf, inQuietHours, nextOccurrence } from '../../../server/push/reminder-time.ts';

const local = (ms: number, timeZone: string) =>
  new Date(ms).toLocaleString('en-GB', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

describe('reminder times', () => {
  it('weekdays: 0 and 7 are Sunday, 1 Monday; day names in full or three letters', () => {
    expect([0, 1, 5, 6, 7].map(dayIndexOf)).toEqual([6, 0, 4, 5, 6]);
    expect(['friday', 'Fri', ' SUNDAY ', 'mon'].map(dayIndexOf)).toEqual([4, 4, 6, 0]);
    for (const bad of [-1, 8, 1.5, 'fr', 'frid', 'fridays', 'someday', '']) expect(dayIndexOf(bad), String(bad)).toBeUndefined();
  });

  it('the next occurrence is strictly after the given instant, this week or the next', () => {
    const tz = 'Europe/Berlin';
    const wed = Date.parse('2026-11-25T12:00:00Z'); // Wednesday 13:00 in Berlin, ISO week 48
    const fri = nextOccurrence({ weekday: 'friday', time: '18:00' }, tz, wed);
    expect(local(fri.atMs, tz)).toBe('Fri, 27/11/2026, 18:00');
    expect(fri.weekKey).toBe('2026-W48');
    // Monday 09:00 has passed this week: next week's.
    const mon = nextOccurrence({ weekday: 1, time: '09:00' }, tz, wed);
    expect(local(mon.atMs, tz)).toBe('Mon, 30/11/2026, 09:00');
    expect(mon.weekKey).toBe('2026-W49');
    // Exactly at the time: the one after.
    expect(nextOccurrence({ weekday: 'friday', time: '18:00' }, tz, fri.atMs).weekKey).toBe('2026-W49');
    expect(() => nextOccurrence({ weekday: 9, time: '18:00' }, tz, wed)).toThrow(RangeError);
    expect(() => nextOccurrence({ weekday: 5, time: '24:00' }, tz, wed)).toThrow(RangeError);
  });

  it('a weekly time keeps its local hour across a daylight-saving change', () => {
    const tz = 'America/New_York';
    // Clocks go back on Sunday 1 November 2026: Friday 18:00 is 22:00 UTC before, 23:00 UTC after.
    const before = nextOccurrence({ weekday: 5, time: '18:00' }, tz, Date.parse('2026-10-26T12:00:00Z'));
    const after = nextOccurrence({ weekday: 5, time: '18:00' }, tz, before.atMs);
    expect(new Date(before.atMs).toISOString()).toBe('2026-10-30T22:00:00.000Z');
    expect(new Date(after.atMs).toISOString()).toBe('2026-11-06T23:00:00.000Z');
    expect(after.atMs - before.atMs).toBe(7 * 86_400_000 + 3_600_000);
  });

  it('quiet hours move a time to their end, the next morning when they wrap midnight', () => {
    const tz = 'Europe/Berlin';
    const at = (iso: string) => Date.parse(iso);
    const overnight = { from: '22:00', to: '07:00' };
    // 23:30 on Sunday (22:30 UTC) → 07:00 on Monday.
    expect(local(afterQuietHours(at('2026-11-29T22:30:00Z'), overnight, tz), tz)).toBe('Mon, 30/11/2026, 07:00');
    // 05:00 on Monday → 07:00 the same morning.
    expect(local(afterQuietHours(at('2026-11-30T04:00:00Z'), overnight, tz), tz)).toBe('Mon, 30/11/2026, 07:00');
    // Outside them: unchanged; the end itself is not quiet, the start is.
    expect(afterQuietHours(at('2026-11-30T12:00:00Z'), overnight, tz)).toBe(at('2026-11-30T12:00:00Z'));
    expect(inQuietHours(at('2026-11-30T06:00:00Z'), overnight, tz)).toBe(false); // 07:00
    expect(inQuietHours(at('2026-11-30T21:00:00Z'), overnight, tz)).toBe(true); // 22:00
    // Within one day, and none at all when from equals to (or there are none).
    expect(local(afterQuietHours(at('2026-11-27T17:00:00Z'), { from: '17:00', to: '19:00' }, tz), tz)).toBe('Fri, 27/11/2026, 19:00');
    expect(inQuietHours(at('2026-11-27T17:00:00Z'), { from: '09:00', to: '09:00' }, tz)).toBe(false);
    expect(inQuietHours(at('2026-11-27T17:00:00Z'), null, tz)).toBe(false);
  });
});
