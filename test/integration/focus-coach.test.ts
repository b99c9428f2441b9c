import ICAL from 'ical.js';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../server/db/database.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import type { WeekPlan } from '../../server/plan/types.ts';
import { api, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test } from '../support/fixtures.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { nth } from '../support/nth.ts';

const WEEK = '2026-W48';
const NEXT = '2026-W49';
const TZ = 'Europe/Berlin';

async function openSession(server: TestServer, who: Account, body: object) {
  const s = await api<{ id: string }>(server.url, who, 'POST', '/api/sessions', body);
  expect(s.status).toBe(201);
  const ws = await WsTestClient.connect(server.wsUrl, s.body.id, who);
  await ws.waitForFrame('ready');
  return { id: s.body.id, ws };
}

/** Sends one message and returns the coach's finished answer. */
async function say(ws: WsTestClient, text: string): Promise<SessionEvent> {
  const ends = ws.events.filter((e) => e.type === 'assistant.end').length;
  ws.send({ type: 'user.message', clientMessageId: `m-${ws.events.length}-${Math.random()}`, text });
  return ws.waitFor((c) => c.events.filter((e) => e.type === 'assistant.end')[ends], 20_000, `answer to "${text}"`);
}

const lastParagraph = (s: unknown) => String(s).trim().split(/\n\n+/).at(-1)!;

describe(`the FOCUS coach over the session contract (${DB_KIND})`, () => {
  let db: Database;

  test.beforeAll(({ db: d }) => {
    db = d;
  });

  describe('offline coach', () => {
    let server: TestServer;
    let alice: Account;
    beforeAll(async () => {
      // A fixed clock: Sunday before the planned week, so no slot of it has passed yet.
      server = await startTestServer({ db, config: { coach: 'offline', coachPaceMs: 0 }, overrides: { now: () => new Date('2026-11-22T18:00:00Z') } });
      alice = await signup(server.url);
      expect((await api(server.url, alice, 'PATCH', '/api/me', { timeZone: TZ })).status).toBe(200);
    });
    afterAll(async () => server?.close());

    test('a full conversation produces a week of 3–5 rocks, deep work ≥ 45 min and recovery, exported as .ics and Markdown', async () => {
      const { ws } = await openSession(server, alice, { kind: 'plan', weekKey: WEEK, title: 'Plan my week' });
      let end = await say(ws, "Hi! Let's plan my week.");
      expect(end.data.status).toBe('complete');
      expect(lastParagraph(end.data.text)).toMatch(/celebrate at work/);
      await say(ws, 'Lead the platform team and ship v2');
      await say(ws, 'Run a half marathon');
      end = await say(ws, 'A weekly dinner with friends');
      expect(end.data.text).toContain('relationships: “A weekly dinner with friends”');
      end = await say(ws, 'Ship pricing page, draft Q1 plan, hire a designer and clear my inbox');
      expect(end.data.text).toContain('pebbles and sand');
      await say(ws, 'phone in another room, notifications off');
      end = await say(ws, 'Mon 9-9:30');
      expect(end.data.text).toMatch(/deep work needs at least 45 minutes/);
      await say(ws, 'Tue 9-11');
      await say(ws, 'Wednesday 14:00–15:30');
      await say(ws, 'Thu 8-10');
      end = await say(ws, 'weekdays 12:30-13:00 and Sat 10-18');
      expect(end.data.text).toContain('Recovery booked');
      await say(ws, 'yes');

      // Every device saw the plan change live.
      const updates = ws.events.filter((e) => e.type === 'plan.updated');
      expect(updates.length).toBeGreaterThanOrEqual(6);
      const live = updates.at(-1)!.data.plan as WeekPlan;

      const { body } = await api<{ plan: WeekPlan }>(server.url, alice, 'GET', `/api/weeks/${WEEK}`);
      const plan = body.plan;
      expect(plan).toEqual(live);
      expect(plan.vision).toEqual({ work: 'Lead the platform team and ship v2', self: 'Run a half marathon', relationships: 'A weekly dinner with friends' });
      const rocks = plan.rocks.filter((r) => r.status === 'planned');
      expect(rocks.length).toBeGreaterThanOrEqual(3);
      expect(rocks.length).toBeLessThanOrEqual(5);
      const deep = plan.blocks.filter((b) => b.kind === 'deep_work');
      expect(deep.length).toBe(3);
      for (const b of deep) expect(Date.parse(b.end) - Date.parse(b.start)).toBeGreaterThanOrEqual(45 * 60_000);
      expect(new Set(deep.map((b) => b.rockId))).toEqual(new Set(rocks.map((r) => r.id)));
      expect(plan.blocks.filter((b) => b.kind === 'recovery').length).toBe(6);
      // Tue 9-11 in Berlin is 08:00Z in November.
      expect(deep.find((b) => b.start === '2026-11-24T08:00:00.000Z')).toBeDefined();

      const ics = await fetch(`${server.url}/api/weeks/${WEEK}/plan.ics`, { headers: { cookie: alice.cookie } });
      expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
      const text = await ics.text();
      expect(text).toMatch(/\r\n/);
      expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
      const cal = new ICAL.Component(ICAL.parse(text));
      const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      expect(events.length).toBe(3 + 6 + 1);
      const review = events.find((e) => /review/i.test(e.summary))!;
      expect(review.component.getFirstSubcomponent('valarm')).toBeTruthy();
      const uids = events.map((e) => e.uid);
      expect(new Set(uids).size).toBe(uids.length);
      // Stable UIDs: exporting again yields the same ids, so a re-import updates instead of duplicating.
      const again = await (await fetch(`${server.url}/api/weeks/${WEEK}/plan.ics`, { headers: { cookie: alice.cookie } })).text();
      expect(new ICAL.Component(ICAL.parse(again)).getAllSubcomponents('vevent').map((v) => v.getFirstPropertyValue('uid'))).toEqual(uids);

      const md = await api<string>(server.url, alice, 'GET', `/api/weeks/${WEEK}/plan.md`);
      expect(md.status).toBe(200);
      for (const r of rocks) expect(md.body).toContain(`- [ ] ${r.title}`);
      await ws.close();
    });

    test('a Friday review carries an unfinished rock into next week', async () => {
      const { ws } = await openSession(server, alice, { kind: 'review', weekKey: WEEK, title: 'Friday review' });
      let end = await say(ws, "Let's do my Friday review");
      expect(end.data.text).toContain(`Friday review of week ${WEEK}`);
      // Answer rock by rock: the first is done, the second carries, the third is dropped.
      for (const answer of ['done', 'carry', 'drop']) {
        end = await say(ws, answer);
        expect(end.data.status).toBe('complete');
      }
      expect(lastParagraph(end.data.text)).toBe('What went well this week?');
      await say(ws, 'Shipped the pricing page');
      await say(ws, 'Meetings ate Wednesday');
      end = await say(ws, 'The weekly status call');
      expect(end.data.text).toContain('Review saved.');
      const w48 = (await api<{ plan: WeekPlan }>(server.url, alice, 'GET', `/api/weeks/${WEEK}`)).body.plan;
      expect(w48.rocks.map((r) => r.status)).toEqual(['done', 'carried', 'dropped']);
      expect(nth(w48.reflections, 0)).toMatchObject({ drop: 'The weekly status call' });
      const w49 = (await api<{ plan: WeekPlan }>(server.url, alice, 'GET', `/api/weeks/${NEXT}`)).body.plan;
      const carried = nth(w48.rocks, 1);
      expect(w49.rocks).toEqual([expect.objectContaining({ title: carried.title, status: 'planned', carryCount: 1, carriedFromId: carried.id })]);
      await ws.close();
    });

    test('"plan next week" moves the session to that week, so edits of it from another device reach the session', async () => {
      const THIS_WEEK = '2026-W47';
      const { id, ws } = await openSession(server, alice, { kind: 'plan', weekKey: THIS_WEEK, title: 'Plan' });
      const end = await say(ws, 'hey can we plan NEXT week?');
      expect(end.data.text).toContain(WEEK);
      const session = await api<{ weekKey: string | null }>(server.url, alice, 'GET', `/api/sessions/${id}`);
      expect(session.body.weekKey).toBe(WEEK);
      const added = await api<{ plan: WeekPlan }>(server.url, alice, 'POST', `/api/weeks/${WEEK}/rocks`, { title: 'Draft the launch brief' });
      expect(added.status).toBe(201);
      const update = await ws.waitFor((c) => c.events.find((e) => e.type === 'plan.updated' && (e.data.plan as WeekPlan).version === added.body.plan.version), 5_000, 'plan.updated of the new week');
      expect(update.data.weekKey).toBe(WEEK);
      await ws.close();
    });

    test('a private calendar feed serves the plan without a cookie and stops working once revoked', async () => {
      const feed = await api<{ id: string; url: string }>(server.url, alice, 'POST', '/api/feeds');
      expect(feed.status).toBe(201);
      const path = new URL(feed.body.url).pathname;
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('BEGIN:VCALENDAR');
      const mallory = await signup(server.url);
      expect((await api(server.url, mallory, 'DELETE', `/api/feeds/${feed.body.id}`)).status).toBe(404);
      expect((await api(server.url, alice, 'DELETE', `/api/feeds/${feed.body.id}`)).status).toBe(204);
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/feeds/not-a-real-token-at-all-000000.ics`)).status).toBe(404);
      // Another user sees their own (empty) week, never Alice's.
      expect((await api<{ plan: WeekPlan }>(server.url, mallory, 'GET', `/api/weeks/${WEEK}`)).body.plan.rocks).toEqual([]);
      expect((await api(server.url, null, 'GET', `/api/weeks/${WEEK}`)).status).toBe(401);
      expect((await api(server.url, alice, 'GET', '/api/weeks/2026-48')).status).toBe(400);
    });
  });

  describe('OpenAI-compatible coach (real openai SDK against a local fake server)', () => {
    let server: TestServer;
    let fake: FakeOpenAi;
    let bob: Account;
    beforeAll(async () => {
      fake = await startFakeOpenAi();
      server = await startTestServer({
        db,
        config: { coach: 'openai', openai: { apiKey: 'sk-test-not-a-secret', baseUrl: fake.url, model: 'fake-gpt', timeoutMs: 3_000 } },
      });
      bob = await signup(server.url);
    });
    afterAll(async () => {
      await server?.close();
      await fake?.close();
    });

    test('tool calls write the plan, a 30-minute deep-work block is rejected with a reason the model sees, and plan.updated reaches the client', async () => {
      const { ws } = await openSession(server, bob, { kind: 'plan', weekKey: WEEK });
      const call = (id: string, name: string, args: object) => ({ id, name, arguments: JSON.stringify(args) });
      fake.enqueue(
        {
          kind: 'tool_calls',
          text: ['Let me put your rocks in first. '],
          calls: [call('c1', 'add_rock', { title: 'Ship v2' }), call('c2', 'add_rock', { title: 'Hire a designer' }), call('c3', 'add_rock', { title: 'Write Q1 plan' })],
        },
        { kind: 'tool_calls', calls: [call('c4', 'add_time_block', { day: 'tuesday', start: '09:00', end: '09:30', kind: 'deep_work' })] },
        {
          kind: 'tool_calls',
          calls: [
            call('c5', 'add_time_block', { day: 'tuesday', start: '09:00', end: '11:00', kind: 'deep_work', title: 'Ship v2' }),
            call('c6', 'add_time_block', { day: 'friday', start: '17:00', end: '18:00', kind: 'recovery', title: 'Walk' }),
          ],
        },
        { kind: 'text', chunks: ['Done: ', '3 rocks, ', 'a 2-hour ', 'deep-work block and a walk.'] },
      );
      const end = await say(ws, 'Plan my week: ship v2, hire a designer, write the Q1 plan.');
      expect(end.data.status).toBe('complete');
      expect(end.data.text).toContain('a 2-hour deep-work block and a walk.');
      const plan = (await api<{ plan: WeekPlan }>(server.url, bob, 'GET', `/api/weeks/${WEEK}`)).body.plan;
      expect(plan.rocks.map((r) => r.title)).toEqual(['Ship v2', 'Hire a designer', 'Write Q1 plan']);
      expect(plan.blocks.map((b) => [b.kind, Date.parse(b.end) - Date.parse(b.start)])).toEqual([
        ['deep_work', 120 * 60_000],
        ['recovery', 60 * 60_000],
      ]);
      const third = nth(fake.requests, 2).body.messages.find((m: { role: string; tool_call_id?: string }) => m.role === 'tool' && m.tool_call_id === 'c4');
      expect(third.content).toMatch(/45 minutes/);
      expect(ws.events.filter((e) => e.type === 'plan.updated').length).toBeGreaterThanOrEqual(5);
      await ws.close();
    });

    test('Stop mid-stream closes the upstream request; the partial answer is kept and shown cut off to the model next turn', async () => {
      const { ws } = await openSession(server, bob, { kind: 'plan', weekKey: NEXT });
      const before = fake.requests.length;
      fake.enqueue({ kind: 'infinite', delayMs: 20, text: 'thinking ' });
      ws.send({ type: 'user.message', clientMessageId: 'long', text: 'Tell me everything' });
      await ws.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 2, 10_000, 'deltas');
      ws.send({ type: 'cancel' });
      const closed = await fake.waitForClientClose(before, 5_000);
      expect(closed.clientClosedEarly).toBe(true);
      const end = await ws.waitForEvent('assistant.end');
      expect(end.data.status).toBe('cancelled');
      expect(String(end.data.text)).toContain('thinking');

      fake.enqueue({ kind: 'text', chunks: ['Picking up again.'] });
      const next = await say(ws, 'ok, shorter please');
      expect(next.data.text).toBe('Picking up again.');
      const sent = fake.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
      expect(sent.some((m) => m.role === 'assistant' && /cut off/.test(m.content))).toBe(true);
      await ws.close();
    });

    test('upstream failures (500, 429, malformed chunk, timeout) end the message as failed with a readable reason; the session stays usable', async () => {
      const { ws } = await openSession(server, bob, { kind: 'plan', weekKey: NEXT });
      const cases = [
        { kind: 'http_error' as const, status: 500, body: { error: { message: 'boom' } } },
        { kind: 'http_error' as const, status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '60' } },
        { kind: 'malformed' as const, before: ['Hel'] },
        { kind: 'hang' as const },
      ];
      for (const script of cases) {
        fake.enqueue(script, script); // the SDK may retry once
        const end = await say(ws, `try ${script.kind}`);
        expect(end.data.status, script.kind).toBe('failed');
        expect(String(end.data.reason).length).toBeGreaterThan(10);
        expect(String(end.data.reason)).not.toContain('sk-test');
        fake.clear();
      }
      fake.enqueue({ kind: 'text', chunks: ['Back on track.'] });
      const ok = await say(ws, 'and now?');
      expect(ok.data).toMatchObject({ status: 'complete', text: 'Back on track.' });
      await ws.close();
    }, 60_000);
  });
});
