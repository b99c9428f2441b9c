import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { createOfflineCoach } from '../../../server/coach/offline-coach.ts';
import { blockMinutes } from '../../../server/plan/describe.ts';
import { weekToIcs } from '../../../server/plan/export-ics.ts';
import { weekToMarkdown } from '../../../server/plan/export-md.ts';
import { createMemoryPlanStore } from '../../../server/plan/memory-store.ts';
import type { PlanStore } from '../../../server/plan/store.ts';
import type { PlanToolbox } from '../../../server/plan/toolbox.ts';
import { createPlanToolbox } from '../../../server/plan/tools.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { Chat, lastParagraph } from './chat-harness.ts';
import { nth } from '../../support/nth.ts';

const TZ = 'Europe/Berlin';
// Sunday evening in Berlin: planning the coming week, 2026-W48 (Mon 23 – Sun 29 Nov).
const SUNDAY_EVENING = '2026-11-22T18:00:00.000Z';
const WEEK = '2026-W48';

function setup(opts: { tools?: (t: PlanToolbox) => PlanToolbox; store?: PlanStore } = {}) {
  const store = opts.store ?? createMemoryPlanStore();
  const base = createPlanToolbox(store, { now: () => new Date(SUNDAY_EVENING) });
  const tools = opts.tools ? opts.tools(base) : base;
  const make = () => createOfflineCoach({ tools, store, paceMs: 0, now: () => new Date(SUNDAY_EVENING), timeZoneFor: () => TZ });
  const chat = new Chat(make(), 'user-1', SUNDAY_EVENING);
  return { store, chat, make, plan: () => store.getWeek('user-1', WEEK, TZ) };
}

describe('offline coach: a full planning conversation', () => {
  it('plans a FOCUS week end to end, then exports it', async () => {
    const { chat, plan, make } = setup();

    let reply = await chat.say("Hi! Let's plan my week.");
    expect(reply).toContain('week 2026-W48');
    expect(lastParagraph(reply)).toBe('A year from now, what would you celebrate at work?');
    // One word (with its trailing space) per write.
    expect(chat.lastWrites.length).toBeGreaterThan(10);
    for (const w of chat.lastWrites) expect(w).toMatch(/^\s*\S+\s*$/);

    reply = await chat.say('Lead the platform team and ship v2');
    expect(lastParagraph(reply)).toBe('What would you celebrate for yourself — health, learning, rest?');
    reply = await chat.say('Run a half marathon');
    expect(lastParagraph(reply)).toMatch(/celebrate in your relationships/);
    // Each part is saved as it comes, so nothing is lost if the person stops here.
    expect((await plan()).vision).toEqual({ work: 'Lead the platform team and ship v2', self: 'Run a half marathon', relationships: '' });

    reply = await chat.say('A weekly dinner with friends');
    expect(reply).toContain('relationships: “A weekly dinner with friends”');
    expect((await plan()).vision).toEqual({ work: 'Lead the platform team and ship v2', self: 'Run a half marathon', relationships: 'A weekly dinner with friends' });
    expect(lastParagraph(reply)).toMatch(/big rocks this week/);

    // Eight items, one of them sand and one recovery: six rocks is one too many — asked which go, nothing saved yet.
    reply = await chat.say('1. Ship pricing page\n2. Draft Q1 plan\n3. Answer emails\n4. Hire a designer\n5. Run 3 times\n6. Plan offsite\n7. Taxes\n8. Renew passport');
    expect(reply).toMatch(/That’s 6: .*A week holds at most 5 big rocks/);
    expect(reply).toMatch(/“Answer emails” is pebbles and sand/);
    expect(reply).toMatch(/“Run 3 times” sounds like recovery/);
    expect((await plan()).rocks).toEqual([]);
    expect(lastParagraph(reply)).toMatch(/^Which one goes — or which 5 stay\?/);

    // The restarted server (a new coach instance) picks up from the log and the store.
    chat.agent = make();
    reply = await chat.say('keep ship pricing page, draft q1 plan and hire a designer');
    expect(reply).toContain('Big rocks: “Ship pricing page”, “Draft Q1 plan” and “Hire a designer”.');
    expect((await plan()).rocks.map((r) => r.title)).toEqual(['Ship pricing page', 'Draft Q1 plan', 'Hire a designer']);
    expect(lastParagraph(reply)).toMatch(/^What 1–3 changes to your environment/);

    reply = await chat.say('phone in another room, notifications off');
    expect(reply).toMatch(/: “Phone in another room” and “Notifications off”\./);
    expect(reply).toMatch(/rocks first/);
    expect(lastParagraph(reply)).toMatch(/^When will you do deep work on “Ship pricing page”\?/);

    // A 30-minute block is rejected by the rules; the coach relays why and asks again.
    reply = await chat.say('Mon 9-9:30');
    expect(reply).toMatch(/Not booked: Mon 09:00–09:30 — That block is 30 minutes — deep work needs at least 45 minutes/);
    expect(reply).not.toMatch(/Deep work for .* booked/);
    expect((await plan()).blocks).toEqual([]);
    expect(lastParagraph(reply)).toMatch(/^When will you do deep work on “Ship pricing page”\?/);

    reply = await chat.say('Tue 9-11 and Thu 14:00-16:00');
    expect(reply).toContain('Deep work for “Ship pricing page”: Tue 09:00–11:00 and Thu 14:00–16:00.');
    expect(lastParagraph(reply)).toMatch(/^When will you do deep work on “Draft Q1 plan”\?/);

    reply = await chat.say('whenever I find time');
    expect(reply).toMatch(/^I need a day and a time for that\./);
    expect(lastParagraph(reply)).toMatch(/^When will you do deep work on “Draft Q1 plan”\? .*e\.g\. “Tue 9-11”/);

    reply = await chat.say('Wednesday 14:00–15:30');
    expect(reply).toContain('Deep work for “Draft Q1 plan”: Wed 14:00–15:30.');

    reply = await chat.say('Mon, Wed and Fri 7:30-9am');
    expect(reply).toContain('Deep work for “Hire a designer”: Mon 07:30–09:00, Wed 07:30–09:00 and Fri 07:30–09:00.');
    expect(reply).toMatch(/micro-break every 60–90 minutes/);
    expect(lastParagraph(reply)).toMatch(/^When will you unplug on purpose\?/);

    reply = await chat.say('weekdays 12:30-13:00 and Sat 10-18');
    expect(reply).toContain('Recovery booked: Mon 12:30–13:00, Tue 12:30–13:00, Wed 12:30–13:00, Thu 12:30–13:00, Fri 12:30–13:00 and Sat 10:00–18:00.');
    expect(reply).toContain('Your week 2026-W48: 3 big rocks, 6 deep-work blocks (10 h), 6 recovery blocks and 2 environment changes.');
    expect(lastParagraph(reply)).toBe('When do you want your Friday review (30 minutes)? Friday 16:00 is free — say “yes”, or give another time.');

    reply = await chat.say('yes');
    expect(reply).toMatch(/Friday review set for Fri 16:00–16:30; the calendar export has it with a reminder/);

    // After the plan is done: no summary again, just a word back.
    reply = await chat.say('thanks!');
    expect(reply).not.toMatch(/Your week 2026-W48/);
    expect(reply).toMatch(/welcome|Any time|Glad/);

    // The stored week.
    const week = await plan();
    const rocks = week.rocks.filter((r) => r.status === 'planned');
    expect(rocks.length).toBeGreaterThanOrEqual(3);
    expect(rocks.length).toBeLessThanOrEqual(5);
    const deep = week.blocks.filter((b) => b.kind === 'deep_work');
    expect(deep).toHaveLength(6);
    for (const b of deep) {
      expect(blockMinutes(b)).toBeGreaterThanOrEqual(45);
      expect(rocks.map((r) => r.id)).toContain(b.rockId);
    }
    expect(week.blocks.filter((b) => b.kind === 'recovery')).toHaveLength(6);
    // Tue 09:00 Berlin is 08:00 UTC.
    expect(deep.find((b) => b.rockId === nth(rocks, 0).id)!.start).toBe('2026-11-24T08:00:00.000Z');

    // Every change was announced with the plan as it was after the change.
    const updates = chat.emitted.filter((e) => e.type === 'plan.updated');
    // Three vision parts, 3 rocks, 2 environment changes, 6 deep work, 6 recovery, the review.
    expect(updates).toHaveLength(3 + 3 + 2 + 6 + 6 + 1);
    expect(updates.every((u) => u.data.weekKey === WEEK)).toBe(true);
    // 6 deep work and 6 recovery blocks; the review is the week's review slot, not a block.
    expect((nth(updates, -1).data.plan as WeekPlan).blocks).toHaveLength(12);
    expect((nth(updates, -1).data.plan as WeekPlan).review).toEqual({ start: '2026-11-27T15:00:00.000Z', end: '2026-11-27T15:30:00.000Z' });

    // Exports.
    const ics = weekToIcs(week, { now: new Date(SUNDAY_EVENING) });
    const vevents = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(vevents).toHaveLength(13);
    const deepEvents = vevents.filter((e) => e.component.getFirstPropertyValue('categories') === 'Deep work');
    expect(deepEvents).toHaveLength(6);
    for (const e of deepEvents) expect(e.endDate.toJSDate().getTime() - e.startDate.toJSDate().getTime()).toBeGreaterThanOrEqual(45 * 60_000);
    expect(deepEvents.map((e) => e.summary)).toContain('Deep work: Hire a designer');
    const review = vevents.find((e) => e.summary === 'Friday review')!;
    expect(review.startDate.toJSDate().toISOString()).toBe('2026-11-27T15:00:00.000Z');

    const md = weekToMarkdown(week);
    expect(md).toContain('- **Work:** Lead the platform team and ship v2');
    expect(md).toContain('- [ ] Ship pricing page\n- [ ] Draft Q1 plan\n- [ ] Hire a designer\n');
    expect(md).toContain('### Tuesday 2026-11-24\n\n- 09:00–11:00 **Deep work:** Ship pricing page\n- 12:30–13:00 **Recovery:** Unplug\n');
    expect(md).toContain('- Phone in another room\n- Notifications off\n');
  });

  it('never claims a change the toolbox rejected, and relays the reason', async () => {
    const { chat, plan } = setup({
      tools: (base) => ({
        definitions: () => base.definitions(),
        execute: async (name, args, ctx) => (name === 'add_rock' ? { ok: false, message: 'The plan store is read-only right now.' } : base.execute(name, args, ctx)),
      }),
    });
    await chat.say('hello');
    await chat.say('skip');
    const reply = await chat.say('Ship pricing page, draft Q1 plan, hire a designer');
    expect(reply).not.toMatch(/Big rocks in/);
    expect(reply).toContain('“Ship pricing page” wasn’t added: The plan store is read-only right now.');
    expect((await plan()).rocks).toEqual([]);
    expect(chat.emitted.filter((e) => e.type === 'plan.updated')).toEqual([]);
    expect(lastParagraph(reply)).toMatch(/big rocks this week/);
  });

  it('asks for a few more rocks when fewer than 3 are named, and accepts "that\'s all"', async () => {
    const { chat, plan } = setup();
    await chat.say('hi');
    await chat.say('skip'); // no vision this time
    let reply = await chat.say('Ship pricing page');
    expect(reply).toContain('3 to 5 rocks is the sweet spot; you have 1.');
    expect(lastParagraph(reply)).toMatch(/^Anything else that would make this week a win\?/);
    reply = await chat.say('Write the proposal');
    expect(lastParagraph(reply)).toMatch(/^Anything else/);
    reply = await chat.say("that's all");
    expect(reply).toMatch(/^2 rocks it is/);
    expect(lastParagraph(reply)).toMatch(/changes to your environment/);
    expect((await plan()).rocks).toHaveLength(2);
  });

  it('offers a short catch-up after a skipped review, without a backlog', async () => {
    const store = createMemoryPlanStore();
    const w47 = { userId: 'user-1', weekKey: '2026-W47', timeZone: TZ };
    await store.setVision(w47, { work: 'w', self: 's', relationships: 'r' });
    for (const t of ['Old proposal', 'Garden shed']) await store.addRock(w47, t);
    const { chat, plan } = setup({ store });
    let reply = await chat.say('plan my week');
    expect(reply).toContain('Last week (2026-W47) left these unfinished — no backlog, just an offer:\n1. Old proposal\n2. Garden shed');
    expect(lastParagraph(reply)).toMatch(/^Want to bring any of them into this week\?/);
    reply = await chat.say('the proposal');
    expect(reply).toContain('Brought over “Old proposal”.');
    expect(reply).toContain('“Old proposal” is already in. Add up to 4 more.');
    const week = await plan();
    expect(week.rocks.map((r) => [r.title, r.carryCount])).toEqual([['Old proposal', 1]]);
    expect((await store.getWeek('user-1', '2026-W47', TZ)).rocks.map((r) => r.status)).toEqual(['carried', 'planned']);
  });

  it('welcomes back a returning user after an empty week with a fresh start', async () => {
    const store = createMemoryPlanStore();
    await store.setVision({ userId: 'user-1', weekKey: '2026-W45', timeZone: TZ }, { work: 'w', self: 's', relationships: 'r' });
    const { chat } = setup({ store });
    const reply = await chat.say('hi');
    expect(reply).toContain('Welcome back. No backlog to clear');
    expect(lastParagraph(reply)).toMatch(/big rocks this week/);
  });

  it('stops writing promptly when the turn is aborted', async () => {
    const store = createMemoryPlanStore();
    const tools = createPlanToolbox(store);
    const coach = createOfflineCoach({ tools, store, paceMs: 20, now: () => new Date(SUNDAY_EVENING), timeZoneFor: () => TZ });
    const chat = new Chat(coach, 'user-1', SUNDAY_EVENING);
    const ac = new AbortController();
    let writes = 0;
    const started = Date.now();
    const reply = await chat.say('hi', {
      signal: ac.signal,
      onWrite: () => {
        if (++writes === 3) ac.abort();
      },
    });
    expect(writes).toBe(3);
    expect(reply.split(/\s+/).filter(Boolean)).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1000);

    // An already-aborted turn changes nothing.
    const ac2 = new AbortController();
    ac2.abort();
    expect(await chat.say('skip', { signal: ac2.signal })).toBe('');
  });

  it('SL14: reads a message sent after a cut-off reply against the question that reply was asking', async () => {
    const { chat, plan } = setup();
    const ac = new AbortController();
    let n = 0;
    // The reply is cut off after two words, before its question was shown — its note still records it.
    await chat.say('hi', { signal: ac.signal, onWrite: () => ++n === 2 && ac.abort() });
    const reply = await chat.say('Lead the team');
    expect(reply).toContain('work: “Lead the team”');
    expect((await plan()).vision?.work).toBe('Lead the team');
    expect(lastParagraph(reply)).toBe('What would you celebrate for yourself — health, learning, rest?');
  });

  it('SL14: a message stopped while the coach applies it is applied once, and the next message is read against the question it left', async () => {
    const ac = new AbortController();
    // The stop lands while the rock is being written, as a steering message does on a busy server.
    const { chat, plan } = setup({
      tools: (t) => ({
        ...t,
        async execute(name, args, ctx) {
          const out = await t.execute(name, args, ctx);
          if (name === 'add_rock') ac.abort();
          return out;
        },
      }),
    });
    await chat.say('hi');
    await chat.say('skip');
    await chat.say('ship the pricing page', { signal: ac.signal });
    expect((await plan()).rocks.map((r) => r.title)).toEqual(['Ship the pricing page']);
    const reply = await chat.say('hire a designer');
    expect((await plan()).rocks.map((r) => r.title)).toEqual(['Ship the pricing page', 'Hire a designer']);
    expect(reply).toMatch(/Hire a designer/);
  });
});
