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

  it('reads today, tomorrow and the day after from where today falls in the planned week', () => {
    // Planning on Sunday evening for the coming week: today is the day before it.
    expect(render(readTimeSlots('tomorrow 9-11', { today: -1 }))).toBe('Mon 09:00-11:00');
    expect(render(readTimeSlots('day after tomorrow 9-11', { today: -1 }))).toBe('Tue 09:00-11:00');
    expect(render(readTimeSlots('today 9-11', { today: -1 }))).toBe('unclear:no_day');
    expect(render(readTimeSlots('tonight 8-10', { today: -1 }))).toBe('unclear:no_day');
    expect(render(readTimeSlots('today 2-4', { today: 2 }))).toBe('Wed 14:00-16:00');
    expect(render(readTimeSlots('tomorrow 10-12', { today: 2 }))).toBe('Thu 10:00-12:00');
    expect(render(readTimeSlots('day after tomorrow, 9 to 10:30', { today: 2 }))).toBe('Fri 09:00-10:30');
    expect(render(readTimeSlots('day after tomorrow 9-11', { today: 5 }))).toBe('unclear:no_day');
  });

  it('reads "same time" as the times of the block booked just before', () => {
    expect(render(readTimeSlots('same time wednesday', { sameAs: { start: '14:00', end: '16:00' } }))).toBe('Wed 14:00-16:00');
    expect(render(readTimeSlots('same again on thu and fri', { sameAs: { start: '09:00', end: '10:30' } }))).toBe('Thu 09:00-10:30, Fri 09:00-10:30');
    expect(render(readTimeSlots('same time', { sameAs: { start: '09:00', end: '10:30' } }))).toBe('unclear:no_time');
  });

  it('uses the given days when a correction names only times', () => {
    expect(render(readTimeSlots('10-12', { defaultDays: [3] }))).toBe('Thu 10:00-12:00');
    expect(render(readTimeSlots('i meant 2-4 not 9-11', { defaultDays: [1] }))).toBe('Tue 14:00-16:00');
  });
});
