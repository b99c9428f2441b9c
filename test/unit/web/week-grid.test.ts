import { describe, expect, it } from 'vitest';
import { newBlockDraft } from '../../../web/src/app/week/WeekGrid.tsx';

describe('"Add a block" without a pointer', () => {
  it('drafts today at the next full hour, not before 09:00 and ending by 23:00; Monday 09:00 outside the week', () => {
    expect(newBlockDraft({ day: 3, start: 14 * 60 + 20, end: 14 * 60 + 21 })).toEqual({ id: null, title: '', kind: 'deep_work', rockId: null, day: 3, start: 15 * 60, end: 16 * 60 });
    expect(newBlockDraft({ day: 3, start: 15 * 60, end: 15 * 60 + 1 })).toMatchObject({ day: 3, start: 16 * 60, end: 17 * 60 });
    expect(newBlockDraft({ day: 1, start: 5 * 60, end: 5 * 60 + 1 })).toMatchObject({ day: 1, start: 9 * 60, end: 10 * 60 });
    expect(newBlockDraft({ day: 6, start: 23 * 60 + 30, end: 23 * 60 + 31 })).toMatchObject({ day: 6, start: 22 * 60, end: 23 * 60 });
    expect(newBlockDraft(null)).toMatchObject({ day: 0, start: 9 * 60, end: 10 * 60 });
  });
});
