// SL14: messages sent while the coach answers are all read, in order, against the pending question.

import type { WeekPlan } from '../../server/plan/types.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { api, WsTestClient } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';

const WEEK = '2026-W48';
const NOW = new Date('2026-11-22T18:00:00Z');

// Slow words, so there is time to send while an answer streams.
const test = base.override('serverOptions', { config: { coach: 'offline', coachPaceMs: 60 }, overrides: { now: () => NOW } });

describe(`steering the built-in coach (${DB_KIND})`, () => {
  const ends = (ws: WsTestClient) => ws.events.filter((e) => e.type === 'assistant.end');
  const send = (ws: WsTestClient, text: string) => ws.send({ type: 'user.message', clientMessageId: `m-${Math.random().toString(36).slice(2)}`, text });

  test('SL14: two messages sent while the coach answers are both read, in order, against the pending question; the interrupted answer keeps its text', async ({ server, account: alice }) => {
    await api(server.url, alice, 'PATCH', '/api/me', { timeZone: 'Europe/Berlin' });
    const s = await api<{ id: string }>(server.url, alice, 'POST', '/api/sessions', { kind: 'plan', weekKey: WEEK });
    const ws = await WsTestClient.connect(server.wsUrl, s.body.id, alice);
    await ws.waitForFrame('ready');

    send(ws, 'hi');
    await ws.waitFor((c) => ends(c)[0], 30_000, 'the first answer');
    // "skip" the vision: the answer (which then asks for the big rocks) starts streaming…
    send(ws, 'skip');
    const started = await ws.waitFor((c) => c.events.filter((e) => e.type === 'assistant.start')[1], 30_000, 'the second answer to start');
    const answering = String(started.data.messageId);
    await ws.waitFor((c) => c.events.find((e) => e.type === 'assistant.delta' && e.data.messageId === answering), 30_000, 'its first words');
    // …and two messages arrive before it is done: the first answers the rocks question, the second the follow-up.
    send(ws, 'ship the pricing page');
    send(ws, 'hire a designer');

    const users = () => ws.events.filter((e) => e.type === 'user.message');
    const last = await ws.waitFor(
      (c) => {
        const lastUser = users()[3];
        return lastUser && ends(c).find((e) => e.seq > lastUser.seq && e.data.status === 'complete');
      },
      60_000,
      'the answer after both messages',
    );

    // Never lost: all four messages are in the log, in the order sent.
    expect(users().map((e) => e.data.text)).toEqual(['hi', 'skip', 'ship the pricing page', 'hire a designer']);
    // The interrupted answer ended interrupted and kept what it had streamed (SL6: its deltas).
    const interrupted = ends(ws).find((e) => e.data.messageId === answering)!;
    expect(interrupted.data.status).toBe('interrupted');
    const streamed = ws.events.filter((e) => e.type === 'assistant.delta' && e.data.messageId === answering).map((e) => String(e.data.text)).join('');
    expect(streamed.length).toBeGreaterThan(0);
    expect(interrupted.data.text).toBe(streamed);

    // Both were read, in order: the first as the big rocks, the second as "anything else?".
    const plan = (await api<{ plan: WeekPlan }>(server.url, alice, 'GET', `/api/weeks/${WEEK}`)).body.plan;
    expect(plan.rocks.map((r) => r.title)).toEqual(['Ship the pricing page', 'Hire a designer']);
    const notes = ws.events.filter((e): e is SessionEvent => e.type === 'assistant.meta');
    const reads = notes.flatMap((n) => (n.data.coach as { read: Array<{ seq: number; question: { id: string } | null }> }).read);
    const seqOf = (text: string) => users().find((u) => u.data.text === text)!.seq;
    expect(reads.find((r) => r.seq === seqOf('ship the pricing page'))?.question?.id).toBe('rocks');
    expect(reads.find((r) => r.seq === seqOf('hire a designer'))?.question?.id).toBe('rocks.more');
    expect(String(last.data.text)).toMatch(/Hire a designer/);
    await ws.close();
  }, 120_000);
});
