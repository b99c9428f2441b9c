import { describe, expect, it } from 'vitest';
import { parseAnswer, parseChallenge, parseList, parseRockOutcome, parseRockRefs, parseTimeSlots } from '../../../server/coach/parse.ts';

const slots = (text: string) => {
  const r = parseTimeSlots(text);
  if (r.kind !== 'ok') throw new Error(`unclear (${r.why}): ${text}`);
  return r.value;
};

describe('parseList', () => {
  it.each([
    ['1. Ship pricing page\n2. Draft Q1 plan\n3. Run three times', ['Ship pricing page', 'Draft Q1 plan', 'Run three times']],
    ['- ship pricing page\n- draft Q1 plan\n* call mum', ['Ship pricing page', 'Draft Q1 plan', 'Call mum']],
    ['Ship pricing page, draft Q1 plan and run three times', ['Ship pricing page', 'Draft Q1 plan', 'Run three times']],
    ['Ship pricing page, draft Q1 plan, and run three times.', ['Ship pricing page', 'Draft Q1 plan', 'Run three times']],
    ['1) Taxes 2) Offsite agenda 3) Hire designer', ['Taxes', 'Offsite agenda', 'Hire designer']],
    ['My rocks are: pricing page; hiring plan', ['Pricing page', 'Hiring plan']],
    ['Finish the taxes and call the landlord', ['Finish the taxes', 'Call the landlord']],
    ['Research and write the blog post', ['Research and write the blog post']],
    ['Rocks:\nA thing\nA thing\nAnother', ['A thing', 'Another']],
  ])('%j', (text, expected) => {
    expect(parseList(text)).toEqual({ kind: 'ok', value: expected });
  });

  it('is unclear when nothing is listed', () => {
    expect(parseList('  \n - ')).toEqual({ kind: 'unclear', why: 'empty' });
  });
});

describe('parseAnswer', () => {
  it.each([
    ['Yes please', 'yes'],
    ['sure!', 'yes'],
    ['nope', 'no'],
    ["That's all", 'no'],
    ['skip', 'skip'],
    ['not this week', 'skip'],
  ])('%j → %s', (text, value) => {
    expect(parseAnswer(text)).toEqual({ kind: 'ok', value });
  });
  it('is unclear for other text', () => {
    expect(parseAnswer('purple').kind).toBe('unclear');
  });
});

describe('parseTimeSlots', () => {
  it('reads the forms people use', () => {
    expect(slots('Tue 9-11')).toEqual([{ days: [1], start: '09:00', end: '11:00' }]);
    expect(slots('Wednesday 14:00–15:30')).toEqual([{ days: [2], start: '14:00', end: '15:30' }]);
    expect(slots('every morning 8 to 9')).toEqual([{ days: [0, 1, 2, 3, 4], start: '08:00', end: '09:00' }]);
    expect(slots('Mon, Wed and Fri 7:30-9am')).toEqual([{ days: [0, 2, 4], start: '07:30', end: '09:00' }]);
    expect(slots('Thursday 2pm to 4pm')).toEqual([{ days: [3], start: '14:00', end: '16:00' }]);
    expect(slots('weekdays 12:30-13:00')).toEqual([{ days: [0, 1, 2, 3, 4], start: '12:30', end: '13:00' }]);
  });

  it('resolves missing am/pm the way people mean it', () => {
    expect(slots('Tue 2-4')[0]).toMatchObject({ start: '14:00', end: '16:00' });
    expect(slots('Fri 11-1')[0]).toMatchObject({ start: '11:00', end: '13:00' });
    expect(slots('Mon 10am-1')[0]).toMatchObject({ start: '10:00', end: '13:00' });
    expect(slots('Sat 10pm-midnight')[0]).toMatchObject({ start: '22:00', end: '24:00' });
    expect(slots('Tuesday evening 7-9')[0]).toMatchObject({ start: '19:00', end: '21:00' });
    expect(slots('Sun noon to 2pm')[0]).toMatchObject({ start: '12:00', end: '14:00' });
  });

  it('reads several slots, day ranges, trailing days and durations', () => {
    expect(slots('Tue 9-11 and Thu 14:00-16:00')).toEqual([
      { days: [1], start: '09:00', end: '11:00' },
      { days: [3], start: '14:00', end: '16:00' },
    ]);
    expect(slots('Tue 9-11 and 14-16')).toEqual([
      { days: [1], start: '09:00', end: '11:00' },
      { days: [1], start: '14:00', end: '16:00' },
    ]);
    expect(slots('Tue–Thu 8-10')).toEqual([{ days: [1, 2, 3], start: '08:00', end: '10:00' }]);
    expect(slots('9-11 on Tuesday')).toEqual([{ days: [1], start: '09:00', end: '11:00' }]);
    expect(slots('Friday 9am for 90 minutes')).toEqual([{ days: [4], start: '09:00', end: '10:30' }]);
    expect(slots('weekends 10-18')).toEqual([{ days: [5, 6], start: '10:00', end: '18:00' }]);
  });

  it('keeps a short range as said, so the rules can explain what is wrong', () => {
    expect(slots('Mon 9-9:30')).toEqual([{ days: [0], start: '09:00', end: '09:30' }]);
  });

  it('is unclear without a time or a day', () => {
    expect(parseTimeSlots('Tuesday morning')).toEqual({ kind: 'unclear', why: 'no_time' });
    expect(parseTimeSlots('9-11')).toEqual({ kind: 'unclear', why: 'no_day' });
    expect(parseTimeSlots('whenever I can')).toEqual({ kind: 'unclear', why: 'no_time' });
    expect(parseTimeSlots('Mon 25-27').kind).toBe('unclear');
  });
});

describe('parseRockRefs', () => {
  const titles = ['Ship pricing page', 'Write proposal', 'Run three times'];
  it.each([
    ['1 and 3', [0, 2]],
    ['#2', [1]],
    ['the second one', [1]],
    ['the proposal', [1]],
    ['pricing page and running... no, just pricing page', [0]],
    ['all of them', [0, 1, 2]],
    ['none', []],
  ])('%j', (text, expected) => {
    expect(parseRockRefs(text, titles)).toEqual({ kind: 'ok', value: expected });
  });
  it('is unclear for unknown names and numbers', () => {
    expect(parseRockRefs('the garden', titles)).toEqual({ kind: 'unclear', why: 'no_match' });
    expect(parseRockRefs('7', titles)).toEqual({ kind: 'unclear', why: 'out_of_range' });
  });
});

describe('review answers', () => {
  it.each([
    ['Done!', 'done'],
    ['finished it on Wednesday', 'done'],
    ['drop it', 'dropped'],
    ['not needed any more', 'dropped'],
    ['carry it over', 'carry'],
    ['not yet, next week', 'carry'],
  ])('%j → %s', (text, value) => {
    expect(parseRockOutcome(text)).toEqual({ kind: 'ok', value });
  });
  it('asks back on "not done"', () => {
    expect(parseRockOutcome('not done')).toEqual({ kind: 'unclear', why: 'not_done_but_which' });
    expect(parseRockOutcome('hmm')).toEqual({ kind: 'unclear', why: 'not_an_outcome' });
  });

  it('parses shrink, split and drop for a twice-carried rock', () => {
    expect(parseChallenge('shrink it to: outline chapter 1')).toEqual({ kind: 'ok', value: { kind: 'shrink', title: 'Outline chapter 1' } });
    expect(parseChallenge('Split into outline and first draft of intro')).toEqual({ kind: 'ok', value: { kind: 'split', titles: ['Outline', 'First draft of intro'] } });
    expect(parseChallenge('split it into research, draft')).toEqual({ kind: 'ok', value: { kind: 'split', titles: ['Research', 'Draft'] } });
    expect(parseChallenge('drop it')).toEqual({ kind: 'ok', value: { kind: 'drop' } });
    expect(parseChallenge('just carry it anyway')).toEqual({ kind: 'unclear', why: 'unchanged' });
    expect(parseChallenge('split it')).toEqual({ kind: 'unclear', why: 'split_needs_two' });
  });
});
