import { beforeEach, describe, expect, it } from 'vitest';
import { createOfflineCoach, defaultWeekKey, SESSION_KIND_EVENT } from '../../../server/coach/offline-coach.ts';
import { createMemoryPlanStore } from '../../../server/plan/memory-store.ts';
import type { PlanStore, WeekRef } from '../../../server/plan/store.ts';
import { createPlanToolbox } from '../../../server/plan/tools.ts';
import type { PlanChange, WeekPlan } from '../../../server/plan/types.ts';
import { localToInstant } from '../../../server/plan/week.ts';
import { Chat, lastParagraph } from './chat-harness.ts';
import { nth } from '../../support/nth.ts';

const TZ = 'Europe/Berlin';
const W48: WeekRef = { userId: 'user-1', weekKey: '2026-W48', timeZone: TZ };
// Friday 27 Nov 2026, 17:00 in Berlin.
const FRIDAY = '2026-11-27T16:00:00.000Z';

function ok<T>(c: PlanChange<T>): T {
  if (!c.ok) throw new Error(c.reason);
  return c.value;
}

/** A W48 plan: A and C open, B open but already rolled over twice, D done. */
async function seed(store: PlanStore): Promise<void> {
  await store.setVision(W48, { work: 'Lead', self: 'Run', relationships: 'Friends' });
  const w46 = { ...W48, weekKey: '2026-W46' };
  const b0 = ok(await store.addRock(w46, 'Write the book')).id;
  const b1 = nth(ok(await store.carryOver(w46, '2026-W47', [{ rockId: b0 }])).rocks, 0).id;
  ok(await store.carryOver({ ...W48, weekKey: '2026-W47' }, '2026-W48', [{ rockId: b1 }]));
  const a = ok(await store.addRock(W48, 'Ship pricing page')).id;
  ok(await store.addRock(W48, 'Hire a designer'));
  const d = ok(await store.addRock(W48, 'Taxes')).id;
  ok(await store.updateRock(W48, d, { status: 'done' }));
  ok(await store.addBlock(W48, { kind: 'deep_work', title: 'Pricing', start: localToInstant('2026-W48', 1, '09:00', TZ), end: localToInstant('2026-W48', 1, '11:00', TZ), rockId: a }));
}

describe('offline coach: the Friday review', () => {
  let store: PlanStore;
  let chat: Chat;
  const week = (key: string): Promise<WeekPlan> => store.getWeek('user-1', key, TZ);

  beforeEach(async () => {
    store = createMemoryPlanStore();
    await seed(store);
    const coach = createOfflineCoach({ tools: createPlanToolbox(store), store, paceMs: 0, now: () => new Date(FRIDAY), timeZoneFor: () => TZ });
    chat = new Chat(coach, 'user-1', FRIDAY);
  });

  it('goes rock by rock, challenges a twice-carried rock, records the reflection and carries into next week', async () => {
    let reply = await chat.say("Let's do my Friday review");
    expect(reply).toContain('Friday review of week 2026-W48');
    expect(reply).toContain('You already finished “Taxes” — well done.');
    expect(lastParagraph(reply)).toBe('“Write the book”: done, dropped, or carry it into next week?');

    reply = await chat.say('carry it over again');
    expect(lastParagraph(reply)).toMatch(/^“Write the book” has rolled over twice already\. Shrink it/);
    expect((await week('2026-W49')).rocks).toEqual([]);

    reply = await chat.say('just carry it anyway');
    expect(reply).toContain('Carrying it unchanged a third time won’t help');
    expect(lastParagraph(reply)).toMatch(/has rolled over twice already/);
    expect((await week('2026-W49')).rocks).toEqual([]);

    reply = await chat.say('shrink to outline chapter 1');
    expect(reply).toContain('Smaller is better: “Outline chapter 1” carries into 2026-W49.');
    expect(lastParagraph(reply)).toBe('“Ship pricing page”: done, dropped, or carry it into next week?');

    reply = await chat.say('Done!');
    expect(reply).toContain('“Ship pricing page” — done. Nice.');
    expect(lastParagraph(reply)).toBe('“Hire a designer”: done, dropped, or carry it into next week?');

    reply = await chat.say('not done');
    expect(reply).toContain('Not finished — carry it into next week, or drop it?');
    expect(lastParagraph(reply)).toBe('“Hire a designer”: done, dropped, or carry it into next week?');

    reply = await chat.say('carry');
    expect(reply).toContain('“Hire a designer” carries into 2026-W49.');
    expect(lastParagraph(reply)).toBe('What went well this week?');

    reply = await chat.say('Shipped the pricing page a day early');
    expect(reply).toContain('You planned 2 h of deep work in 1 block.');
    expect(lastParagraph(reply)).toBe('Where did your time actually go, compared with the plan?');

    reply = await chat.say('Meetings ate most of Wednesday');
    expect(lastParagraph(reply)).toBe('What will you drop or do less of next week?');

    reply = await chat.say('The weekly status call');
    expect(reply).toContain('Review saved.');
    expect(reply).toContain('Done: “Ship pricing page” and “Taxes”.');
    expect(reply).toContain('Carried into 2026-W49: “Outline chapter 1” and “Hire a designer”.');

    const w48 = await week('2026-W48');
    expect(w48.rocks.map((r) => [r.title, r.status])).toEqual([
      ['Write the book', 'carried'],
      ['Ship pricing page', 'done'],
      ['Hire a designer', 'carried'],
      ['Taxes', 'done'],
    ]);
    expect(w48.reflections).toHaveLength(1);
    expect(w48.reflections[0]).toMatchObject({
      wentWell: 'Shipped the pricing page a day early',
      timeNotes: 'Meetings ate most of Wednesday',
      drop: 'The weekly status call',
      carryOver: 'Outline chapter 1; Hire a designer',
    });
    const w49 = await week('2026-W49');
    expect(w49.rocks.map((r) => [r.title, r.status, r.carryCount])).toEqual([
      ['Outline chapter 1', 'planned', 3],
      ['Hire a designer', 'planned', 1],
    ]);

    // Both weeks were announced after the carries.
    const weeks = chat.emitted.filter((e) => e.type === 'plan.updated').map((e) => e.data.weekKey);
    expect(weeks).toContain('2026-W49');
    expect(weeks).toContain('2026-W48');

    reply = await chat.say('thanks');
    expect(reply).toMatch(/The review of 2026-W48 is done/);

    // Next week's plan session starts from the carried rocks.
    const monday = '2026-11-30T07:00:00.000Z';
    const plan = new Chat(createOfflineCoach({ tools: createPlanToolbox(store), store, paceMs: 0, timeZoneFor: () => TZ }), 'user-1', monday);
    reply = await plan.say('Plan my week');
    expect(reply).toContain('week 2026-W49');
    expect(reply).toContain('“Outline chapter 1” and “Hire a designer” are already in. Add up to 3 more.');
    expect(lastParagraph(reply)).toMatch(/big rocks this week/);
  });

  it('drops a twice-carried rock when asked, and splits another way', async () => {
    await chat.say('review');
    await chat.say('carry');
    let reply = await chat.say('split into outline and research notes');
    expect(reply).toContain('Split into “Outline” and “Research notes”, carried into 2026-W49.');
    expect((await week('2026-W49')).rocks.map((r) => r.title)).toEqual(['Outline', 'Research notes']);
    reply = await chat.say('drop it');
    expect(reply).toContain('Dropped. That’s a decision, not a failure.');
    expect((await week('2026-W48')).rocks.find((r) => r.title === 'Ship pricing page')!.status).toBe('dropped');
  });

  it('takes the session kind from a history marker', async () => {
    chat.history.push({ seq: 1, type: SESSION_KIND_EVENT, at: FRIDAY, data: { kind: 'review' } });
    const reply = await chat.say('hi');
    expect(lastParagraph(reply)).toBe('“Write the book”: done, dropped, or carry it into next week?');
  });

  it('takes the session kind and week from the caller', async () => {
    const coach = createOfflineCoach({
      tools: createPlanToolbox(store),
      store,
      paceMs: 0,
      timeZoneFor: () => TZ,
      sessionFor: () => ({ kind: 'review', weekKey: '2026-W48' }),
    });
    // Sent on a Tuesday two weeks later: the caller's week wins over the clock.
    const late = new Chat(coach, 'user-1', '2026-12-08T09:00:00.000Z');
    const reply = await late.say('hello');
    expect(reply).toContain('Friday review of week 2026-W48');
  });
});

describe('defaultWeekKey', () => {
  it('plans next week from Saturday on and reviews last week until Wednesday', () => {
    expect(defaultWeekKey('plan', '2026-11-27T16:00:00Z', TZ)).toBe('2026-W48'); // Fri
    expect(defaultWeekKey('plan', '2026-11-28T09:00:00Z', TZ)).toBe('2026-W49'); // Sat
    expect(defaultWeekKey('review', '2026-11-27T16:00:00Z', TZ)).toBe('2026-W48'); // Fri
    expect(defaultWeekKey('review', '2026-11-30T08:00:00Z', TZ)).toBe('2026-W48'); // Mon after
    expect(defaultWeekKey('review', '2026-12-03T08:00:00Z', TZ)).toBe('2026-W49'); // Thu
  });
});
