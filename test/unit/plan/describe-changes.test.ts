import { describe, expect, it } from 'vitest';
import { buildContext } from '../../../server/coach/context.ts';
import { describePlanChanges, directEditsNote, directEditsSinceLastAnswer, UNDESCRIBED_CHANGE } from '../../../server/plan/describe-changes.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { localToInstant } from '../../../server/plan/week.ts';
import type { SessionEvent } from '../../../server/session/types.ts';

const TZ = 'Europe/Berlin';
const WEEK = '2026-W48';
const at = (day: number, hhmm: string) => localToInstant(WEEK, day, hhmm, TZ);
const base: WeekPlan = {
  weekKey: WEEK,
  timeZone: TZ,
  version: 3,
  review: null,
  vision: null,
  rocks: [{ id: 'r1', title: 'Ship the launch', status: 'planned', position: 0, carryCount: 0, carriedFromId: null }],
  blocks: [{ id: 'b1', kind: 'deep_work', title: 'Launch brief', start: at(1, '09:00'), end: at(1, '11:00'), rockId: 'r1' }],
  environment: [],
  reflections: [],
};
const moved: WeekPlan = { ...base, version: 4, blocks: [{ ...base.blocks[0]!, start: at(3, '09:00'), end: at(3, '11:00') }] };
let seq = 0;
const ev = (type: string, data: Record<string, unknown>): SessionEvent => ({ seq: ++seq, type, at: new Date().toISOString(), data });

describe('what a person changed directly, for the coach', () => {
  it('names a move with the new local day and time', () => {
    expect(describePlanChanges(base, moved)).toEqual(['moved "Launch brief" to Thursday 09:00–11:00 (was Tuesday 09:00–11:00)']);
  });

  it('names resizes, renames, kinds, rock status, deletions and nothing for an equal plan', () => {
    const after: WeekPlan = {
      ...base,
      rocks: [{ ...base.rocks[0]!, status: 'done' }],
      blocks: [{ ...base.blocks[0]!, title: 'Brief', kind: 'other', end: at(1, '10:00') }],
    };
    expect(describePlanChanges(base, after)).toEqual([
      'renamed "Launch brief" to "Brief"',
      'changed "Brief" to Tuesday 09:00–10:00 (was Tuesday 09:00–11:00)',
      'made "Brief" a regular block',
      'marked "Ship the launch" done',
    ]);
    expect(describePlanChanges(base, { ...base, blocks: [] })).toEqual(['removed "Launch brief" (Tuesday 09:00–11:00)']);
    expect(describePlanChanges(base, base)).toEqual([]);
  });

  it('reads only the person’s edits since the coach’s last answer, and the context carries them', () => {
    const history = [
      ev('plan.updated', { weekKey: WEEK, plan: base, by: { kind: 'coach' } }),
      ev('assistant.end', { messageId: 'm', status: 'complete', text: 'Done.' }),
      ev('plan.updated', { weekKey: WEEK, plan: moved, by: { kind: 'user', deviceId: 'd' } }),
      ev('user.message', { clientMessageId: 'c', text: 'ok?' }),
    ];
    expect(directEditsSinceLastAnswer(history)).toEqual(['moved "Launch brief" to Thursday 09:00–11:00 (was Tuesday 09:00–11:00)']);
    const context = buildContext({ history, plan: moved, kind: 'plan', tokenBudget: 10_000 });
    expect(context[1]?.content).toContain('the person edited the plan directly');
    expect(context[1]?.content).toContain('moved "Launch brief" to Thursday 09:00–11:00');
    // The coach's own change is not reported as the person's, and nothing after an answer is news.
    expect(directEditsNote(history.slice(0, 2))).toBeNull();
    expect(directEditsNote([...history, ev('assistant.end', { messageId: 'n', status: 'complete', text: 'Noted.' })])).toBeNull();
  });

  it('with no earlier plan in the log, uses the words the write recorded; failing those, a plain "changed the plan"', () => {
    const alone = [ev('plan.updated', { weekKey: WEEK, plan: moved, by: { kind: 'user', deviceId: 'd' }, changes: ['moved "Launch brief" to Thursday 09:00–11:00 (was Tuesday 09:00–11:00)'] })];
    expect(directEditsSinceLastAnswer(alone)).toEqual(['moved "Launch brief" to Thursday 09:00–11:00 (was Tuesday 09:00–11:00)']);
    const bare = [ev('plan.updated', { weekKey: WEEK, plan: moved, by: { kind: 'user', deviceId: 'd' } })];
    expect(directEditsSinceLastAnswer(bare)).toEqual([UNDESCRIBED_CHANGE]);
    expect(UNDESCRIBED_CHANGE).toBe('changed the plan');
    // With a baseline in the log, the comparison decides (recorded words are not added twice).
    const both = [ev('plan.updated', { weekKey: WEEK, plan: base, by: { kind: 'coach' } }), ...alone];
    expect(directEditsSinceLastAnswer(both)).toEqual(['moved "Launch brief" to Thursday 09:00–11:00 (was Tuesday 09:00–11:00)']);
  });
});
