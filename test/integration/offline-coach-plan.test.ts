// Issue 11 with the real offline coach over a real WebSocket, on the suite's database (PGlite by
// default, PostgreSQL with DATABASE_URL): after a direct edit over HTTP (the week grid, another
// device) the coach's next turn knows what changed; Retry answers the same message again
// without counting what it already saved a second time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoach } from '../../server/coach/create-coach.ts';
import { configFrom } from '../../server/config.ts';
import { createPrismaPlanStore } from '../../server/plan/prisma-store.ts';
import type { WeekPlan } from '../../server/plan/types.ts';
import { localToInstant, weekBounds } from '../../server/plan/week.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { api, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND, openTestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TZ = 'Europe/Berlin';
const WEEK = '2026-W50';
const at = (day: number, hhmm: string) => localToInstant(WEEK, day, hhmm, TZ);

describe(`the offline coach: direct edits and Retry (${DB_KIND})`, () => {
  let server: TestServer;
  let cleanup: () => Promise<void>;
  let carol: Account;

  beforeAll(async () => {
    const opened = await openTestDatabase();
    cleanup = opened.cleanup;
    // The coach's clock stands at the Monday morning of the planned week, so nothing in it is past.
    const now = () => new Date(Date.parse(weekBounds(WEEK, TZ).start) + 6 * 3_600_000);
    const config = configFrom({ logLevel: 'silent', coach: 'offline', coachPaceMs: 0 });
    server = await startTestServer({
      db: opened.db,
      config: { coach: 'offline', coachPaceMs: 0 },
      agent: ({ db }) => createCoach(config, { db, plans: createPrismaPlanStore(db.prisma), logger: { error: () => {} }, now }),
    });
    carol = await signup(server.url);
    expect((await api(server.url, carol, 'PATCH', '/api/me', { timeZone: TZ })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  const answers = (ws: WsTestClient) => ws.events.filter((e): e is SessionEvent => e.type === 'assistant.end' && e.data.status === 'complete');

  it('the next answer after a move on the week grid names the move, and only once', async () => {
    const made = await api<{ plan: WeekPlan }>(server.url, carol, 'POST', `/api/weeks/${WEEK}/blocks`, { kind: 'deep_work', title: 'Launch brief', start: at(1, '09:00'), end: at(1, '11:00') });
    expect(made.status).toBe(201);
    const blockId = made.body.plan.blocks[0]!.id;
    const session = await api<{ id: string }>(server.url, carol, 'POST', '/api/sessions', { kind: 'plan', weekKey: WEEK });
    const ws = await WsTestClient.connect(server.wsUrl, session.body.id, carol);
    await ws.waitForFrame('ready');
    ws.send({ type: 'user.message', clientMessageId: 'm1', text: 'hi, let’s plan' });
    await ws.waitFor((c) => answers(c).length >= 1 || undefined, 15_000, 'the first answer');

    // Tuesday 09:00–11:00 → Thursday 10:00–12:00, dragged on the grid.
    const moved = await api(server.url, carol, 'PATCH', `/api/weeks/${WEEK}/blocks/${blockId}`, { start: at(3, '10:00'), end: at(3, '12:00') });
    expect(moved.status).toBe(200);
    await ws.waitForEvent('plan.updated', (e) => (e.data.by as { kind: string }).kind === 'user' && (e.data.plan as WeekPlan).blocks.some((b) => b.start === at(3, '10:00')));
    ws.send({ type: 'user.message', clientMessageId: 'm2', text: 'ok, what next?' });
    const second = await ws.waitFor((c) => answers(c)[1], 15_000, 'the second answer');
    expect(second.data.text).toContain('moved "Launch brief" to Thursday 10:00–12:00 (was Tuesday 09:00–11:00)');

    // News once: the answer after that does not repeat it.
    ws.send({ type: 'user.message', clientMessageId: 'm3', text: 'skip' });
    const third = await ws.waitFor((c) => answers(c)[2], 15_000, 'the third answer');
    expect(third.data.text).not.toContain('Launch brief” to Thursday');
    expect(third.data.text).not.toContain('moved "Launch brief"');
    await ws.close();
  });

  it('Retry of an answer that saved rocks answers the same message again: the same rocks, not twice as many', async () => {
    const dave = await signup(server.url);
    expect((await api(server.url, dave, 'PATCH', '/api/me', { timeZone: TZ })).status).toBe(200);
    const session = await api<{ id: string }>(server.url, dave, 'POST', '/api/sessions', { kind: 'plan', weekKey: WEEK });
    const ws = await WsTestClient.connect(server.wsUrl, session.body.id, dave);
    await ws.waitForFrame('ready');
    const say = (text: string, n: number) => {
      ws.send({ type: 'user.message', clientMessageId: `d${n}`, text });
      return ws.waitFor((c) => answers(c)[n - 1], 15_000, `answer ${n}`);
    };
    await say('hi', 1);
    await say('work: ship v2, self: run, relationships: dinners', 2);
    const saved = await say('Ship the launch, write the talk, hire a designer', 3);
    expect(saved.data.text).toMatch(/“Ship the launch”, “Write the talk” and “Hire a designer”\./);
    const rocks = async () => (await api<{ plan: WeekPlan }>(server.url, dave, 'GET', `/api/weeks/${WEEK}`)).body.plan.rocks.map((r) => r.title);
    expect(await rocks()).toEqual(['Ship the launch', 'Write the talk', 'Hire a designer']);

    ws.send({ type: 'turn.request', requestId: 'retry-rocks', mode: 'retry', messageId: saved.data.messageId });
    const again = await ws.waitFor((c) => answers(c)[3], 15_000, 'the retried answer');
    // Before: "That’s 6 counting the 3 already in: … A week holds at most 5 big rocks".
    expect(again.data.text).not.toMatch(/counting the|at most 5/);
    expect(again.data.text).toMatch(/“Ship the launch”, “Write the talk” and “Hire a designer”\./);
    expect(await rocks()).toEqual(['Ship the launch', 'Write the talk', 'Hire a designer']);
    expect(ws.events.filter((e) => e.type === 'user.message')).toHaveLength(3);

    // The same for the environment (not one item twice) and deep work (not "overlaps itself").
    const plan = async () => (await api<{ plan: WeekPlan }>(server.url, dave, 'GET', `/api/weeks/${WEEK}`)).body.plan;
    const env = await say('phone in another room, notifications off', 5);
    ws.send({ type: 'turn.request', requestId: 'retry-env', mode: 'retry', messageId: env.data.messageId });
    const envAgain = await ws.waitFor((c) => answers(c)[5], 15_000, 'the retried environment answer');
    expect(String(envAgain.data.text).split('\n')[0]).toBe(String(env.data.text).split('\n')[0]);
    expect((await plan()).environment.map((e) => e.text)).toEqual(['Phone in another room', 'Notifications off']);

    ws.send({ type: 'user.message', clientMessageId: 'd6', text: 'launch tue 9-11, talk wed 9-11, designer thu 14-16' });
    const deep = await ws.waitFor((c) => answers(c)[6], 15_000, 'the deep work answer');
    ws.send({ type: 'turn.request', requestId: 'retry-deep', mode: 'retry', messageId: deep.data.messageId });
    const deepAgain = await ws.waitFor((c) => answers(c)[7], 15_000, 'the retried deep work answer');
    expect(deepAgain.data.text).not.toMatch(/Not booked|overlaps/);
    expect(deepAgain.data.text).toBe(deep.data.text);
    expect((await plan()).blocks.map((b) => `${b.title} ${b.start}`).sort()).toEqual(
      [`Hire a designer ${at(3, '14:00')}`, `Ship the launch ${at(1, '09:00')}`, `Write the talk ${at(2, '09:00')}`],
    );
    // What the retried answer made can still be undone, as the person saw it made.
    ws.send({ type: 'user.message', clientMessageId: 'd7', text: 'undo' });
    await ws.waitFor((c) => answers(c)[8], 15_000, 'the undo answer');
    expect((await plan()).blocks).toEqual([]);
    await ws.close();
  });
});
