import { describe, expect, it } from 'vitest';
import { readTimeSlots, type TimeReading } from '../../../server/coach/read/time.ts';
import { TIME_PHRASINGS } from './time-phrasings.ts';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function render(r: TimeReading): string {
  if (r.kind === 'unclear') return `unclear:${r.why}`;
  return r.slots
    .flatMap((s) => s.days.map((d) => `${DAYS[d]} ${s.start}-${s.end}${s.guess === 'meridiem' ? '?' : s.guess ? '~' : ''}`))
    .join(', ');
}

describe('the day/time reader', () => {
  it('has at least 150 phrasings', () => {
    expect(TIME_PHRASINGS.length).toBeGreaterThanOrEqual(150);
  });

  it.each(TIME_PHRASINGS)('%s → %s', (input, expected) => {
    expect(render(readTimeSlots(input, { today: 0 }))).toBe(expected);
  });

  it('offers the other half of the day for a guessed am/pm, and leans to evening when asked', () => {
    const r = readTimeSlots('sat 6-8', {});
    expect(r.kind === 'slots' && r.slots[0]!.alternative).toEqual({ start: '18:00', end: '20:00' });
    expect(render(readTimeSlots('sat 6-8', { lean: 'pm' }))).toBe('Sat 18:00-20:00?');
  });

  it('uses the given days when a correction names only times', () => {
    expect(render(readTimeSlots('10-12', { defaultDays: [3] }))).toBe('Thu 10:00-12:00');
  });
});
