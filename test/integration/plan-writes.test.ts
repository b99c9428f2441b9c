// Direct plan edits over HTTP (issue 11 parts 1 and 2) on the suite's database (PGlite by
// default, PostgreSQL with DATABASE_URL): the rules as 422s, versions and If-Match, 404 for
// another user's items, and plan.updated on every session of the week, live and replayed.

import http from 'node:http';
import type { Agent } from '../../server/agent/port.ts';
import type { Database } from '../../server/db/database.ts';
import { createPrismaPlanStore } from '../../server/plan/prisma-store.ts';
import { createPlanToolbox } from '../../server/plan/tools.ts';
import type { WeekPlan } from '../../server/plan/types.ts';
import { localToInstant } from '../../server/plan/week.ts';
import { api, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';

const TZ = 'Europe/Berlin';
const WEEK = '2026-W50';
const OTHER_WEEK = '2026-W51';
/** Local wall-clock time on a day (0 = Monday) of WEEK, as an instant. */
const at = (day: number, hhmm: string) => localToInstant(WEEK, day, hhmm, TZ);

type PlanBody = { plan: WeekPlan };
type ErrorBody = { error: { code: string; message: string }; plan?: WeekPlan };

// A coach that adds a rock through the real toolbox and emits plan.updated, as the coaches do.
const coach = ({ db }: { db: Database }): Agent => {
  const tools = createPlanToolbox(createPrismaPlanStore(db.prisma));
  return {
    async respond(turn) {
      const out = await tools.execute('add_rock', JSON.stringify({ title: 'Coach rock' }), { userId: turn.userId, weekKey: WEEK, timeZone: TZ });
      if (out.plan) await turn.emit('plan.updated', { weekKey: out.plan.weekKey, plan: out.plan });
      turn.write('Added a rock.');
    },
  };
};
const test = base.override('serverOptions', { agent: coach });

describe(`plan writes over HTTP (${DB_KIND})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;

  test.beforeAll(async ({ server: s }) => {
    server = s;
    [alice, bob] = await Promise.all([signup(server.url), signup(server.url)]);
    for (const who of [alice, bob]) expect((await api(server.url, who, 'PATCH', '/api/me', { timeZone: TZ })).status).toBe(200);
  }, 60_000);

  const call = <T = PlanBody>(who: Account | null, method: string, path: string, body?: unknown) => api<T>(server.url, who, method, `/api/weeks/${WEEK}${path}`, body);

  async function withIfMatch(who: Account, method: string, path: string, version: number | string, body?: unknown) {
    const res = await fetch(`${server.url}/api/weeks/${WEEK}${path}`, {
      method,
      headers: { cookie: who.cookie, 'if-match': String(version), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, etag: res.headers.get('etag'), body: (await res.json()) as PlanBody & ErrorBody };
  }

  async function addBlock(who: Account, block: Record<string, unknown>) {
    const r = await call(who, 'POST', '/blocks', { kind: 'deep_work', title: 'Focus', ...block });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.plan;
  }

  describe('the rules, as the coach has them', () => {
    test('adds a block (201 {plan}) and refuses deep work under 45 minutes with deep_work_too_short', async () => {
      const plan = await addBlock(alice, { title: 'Launch brief', start: at(0, '09:00'), end: at(0, '11:00') });
      expect(plan.blocks).toEqual([expect.objectContaining({ kind: 'deep_work', title: 'Launch brief', start: at(0, '09:00'), end: at(0, '11:00'), rockId: null })]);
      const short = await call<ErrorBody>(alice, 'POST', '/blocks', { kind: 'deep_work', title: 'Quick', start: at(1, '09:00'), end: at(1, '09:30') });
      expect(short.status).toBe(422);
      expect(short.body.error.code).toBe('deep_work_too_short');
      expect(short.body.error.message).toMatch(/45 minutes/);
      // Not deep work: a short "other" block is fine.
      expect((await call(alice, 'POST', '/blocks', { kind: 'other', title: 'Standup', start: at(1, '09:00'), end: at(1, '09:15') })).status).toBe(201);
    });

    test('refuses overlapping protected time with blocks_overlap, creating and moving', async () => {
      const overlap = await call<ErrorBody>(alice, 'POST', '/blocks', { kind: 'recovery', title: 'Walk', start: at(0, '10:00'), end: at(0, '10:30') });
      expect(overlap.status).toBe(422);
      expect(overlap.body.error.code).toBe('blocks_overlap');
      const plan = await addBlock(alice, { title: 'Second', start: at(0, '13:00'), end: at(0, '14:00') });
      const second = plan.blocks.find((b) => b.title === 'Second')!;
      const move = await call<ErrorBody>(alice, 'PATCH', `/blocks/${second.id}`, { start: at(0, '10:30'), end: at(0, '11:30') });
      expect(move.status).toBe(422);
      expect(move.body.error.code).toBe('blocks_overlap');
      // Moving a block across its own old slot is not an overlap with itself.
      const self = await call(alice, 'PATCH', `/blocks/${second.id}`, { start: at(0, '13:15'), end: at(0, '14:15') });
      expect(self.status).toBe(200);
      expect(self.body.plan.blocks.find((b) => b.id === second.id)).toMatchObject({ start: at(0, '13:15'), end: at(0, '14:15') });
    });

    test('refuses a resize below 45 minutes, an end before the start and a time outside the week with invalid_time', async () => {
      const plan = await addBlock(alice, { title: 'Resize me', start: at(2, '09:00'), end: at(2, '10:00') });
      const id = plan.blocks.find((b) => b.title === 'Resize me')!.id;
      const shrink = await call<ErrorBody>(alice, 'PATCH', `/blocks/${id}`, { end: at(2, '09:30') });
      expect([shrink.status, shrink.body.error.code]).toEqual([422, 'deep_work_too_short']);
      const backwards = await call<ErrorBody>(alice, 'PATCH', `/blocks/${id}`, { end: at(2, '08:00') });
      expect([backwards.status, backwards.body.error.code]).toEqual([422, 'invalid_time']);
      const outside = await call<ErrorBody>(alice, 'POST', '/blocks', {
        kind: 'other',
        title: 'Next week',
        start: localToInstant(OTHER_WEEK, 0, '09:00', TZ),
        end: localToInstant(OTHER_WEEK, 0, '10:00', TZ),
      });
      expect([outside.status, outside.body.error.code]).toEqual([422, 'invalid_time']);
      // Sunday 23:30 to Monday 00:30 local crosses the week's end.
      const across = await call<ErrorBody>(alice, 'POST', '/blocks', { kind: 'other', title: 'Late', start: at(6, '23:30'), end: localToInstant(OTHER_WEEK, 0, '00:30', TZ) });
      expect([across.status, across.body.error.code]).toEqual([422, 'invalid_time']);
      // Nothing was changed by the refusals.
      const after = (await call(alice, 'GET', '')).body.plan.blocks.find((b) => b.id === id);
      expect(after).toMatchObject({ start: at(2, '09:00'), end: at(2, '10:00') });
    });

    test('changes a block’s kind, title and rock, and unlinks the rock with rockId null', async () => {
      const rock = (await call(alice, 'POST', '/rocks', { title: 'Ship the launch' })).body.plan.rocks.find((r) => r.title === 'Ship the launch')!;
      const plan = await addBlock(alice, { title: 'Draft', start: at(3, '09:00'), end: at(3, '10:00') });
      const id = plan.blocks.find((b) => b.title === 'Draft')!.id;
      const r = await call(alice, 'PATCH', `/blocks/${id}`, { title: 'Launch draft', kind: 'other', rockId: rock.id });
      expect(r.body.plan.blocks.find((b) => b.id === id)).toMatchObject({ title: 'Launch draft', kind: 'other', rockId: rock.id });
      const unlinked = await call(alice, 'PATCH', `/blocks/${id}`, { rockId: null });
      expect(unlinked.body.plan.blocks.find((b) => b.id === id)?.rockId).toBeNull();
      const unknownRock = await call<ErrorBody>(alice, 'PATCH', `/blocks/${id}`, { rockId: '00000000-0000-4000-8000-000000000000' });
      expect([unknownRock.status, unknownRock.body.error.code]).toEqual([422, 'unknown_rock']);
      const deleted = await call(alice, 'DELETE', `/blocks/${id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.plan.blocks.some((b) => b.id === id)).toBe(false);
      expect((await call(alice, 'DELETE', `/blocks/${id}`)).status).toBe(404);
    });

    test('holds at most five active rocks (too_many_rocks); rocks are renamed, reordered, done, dropped and deleted', async () => {
      const week = '/rocks';
      let plan = (await call(alice, 'GET', '')).body.plan;
      while (plan.rocks.filter((r) => r.status === 'planned' || r.status === 'done').length < 5) {
        plan = (await call(alice, 'POST', week, { title: `Rock ${plan.rocks.length + 1}` })).body.plan;
      }
      const sixth = await call<ErrorBody>(alice, 'POST', week, { title: 'One too many' });
      expect([sixth.status, sixth.body.error.code]).toEqual([422, 'too_many_rocks']);

      const ordered = () => [...plan.rocks].sort((a, b) => a.position - b.position).map((r) => r.id);
      const [first, second, , , last] = ordered();
      plan = (await call(alice, 'PATCH', `${week}/${last}`, { position: 0 })).body.plan;
      expect(ordered().slice(0, 3)).toEqual([last, first, second]);
      expect(plan.rocks.map((r) => r.position).sort()).toEqual([0, 1, 2, 3, 4]);

      plan = (await call(alice, 'PATCH', `${week}/${first}`, { title: 'Renamed', status: 'done' })).body.plan;
      expect(plan.rocks.find((r) => r.id === first)).toMatchObject({ title: 'Renamed', status: 'done' });
      plan = (await call(alice, 'PATCH', `${week}/${second}`, { status: 'dropped' })).body.plan;
      // Dropping made room; bringing it back fills it again.
      expect((await call(alice, 'POST', week, { title: 'Fits now' })).status).toBe(201);
      const back = await call<ErrorBody>(alice, 'PATCH', `${week}/${second}`, { status: 'planned' });
      expect([back.status, back.body.error.code]).toEqual([422, 'too_many_rocks']);
      const carried = await call<ErrorBody>(alice, 'PATCH', `${week}/${second}`, { status: 'carried' });
      expect([carried.status, carried.body.error.code]).toEqual([400, 'invalid_request']);
      const empty = await call<ErrorBody>(alice, 'PATCH', `${week}/${second}`, { title: '   ' });
      expect([empty.status, empty.body.error.code]).toEqual([422, 'title_empty']);
      plan = (await call(alice, 'DELETE', `${week}/${second}`)).body.plan;
      expect(plan.rocks.some((r) => r.id === second)).toBe(false);
    });

    test('saves the vision, environment changes and the review slot; the .ics carries the review slot', async () => {
      const vision = await call(alice, 'PUT', '/vision', { work: 'Launched v2', self: 'Ran a half marathon', relationships: 'Dinner with Sam weekly' });
      expect(vision.body.plan.vision).toEqual({ work: 'Launched v2', self: 'Ran a half marathon', relationships: 'Dinner with Sam weekly' });
      const env = await call(alice, 'POST', '/environment', { text: 'Phone in the drawer' });
      expect(env.status).toBe(201);
      const item = env.body.plan.environment.find((e) => e.text === 'Phone in the drawer')!;
      expect((await call(alice, 'DELETE', `/environment/${item.id}`)).body.plan.environment).toEqual([]);

      const review = await call(alice, 'PUT', '/review', { start: at(5, '10:00'), end: at(5, '10:45') });
      expect(review.body.plan.review).toEqual({ start: at(5, '10:00'), end: at(5, '10:45') });
      const bad = await call<ErrorBody>(alice, 'PUT', '/review', { start: at(5, '10:00'), end: at(5, '09:00') });
      expect([bad.status, bad.body.error.code]).toEqual([422, 'invalid_time']);
      const ics = await fetch(`${server.url}/api/weeks/${WEEK}/plan.ics`, { headers: { cookie: alice.cookie } }).then((r) => r.text());
      const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      expect(ics).toContain(`DTSTART:${stamp(at(5, '10:00'))}`);
      expect(ics).toContain(`DTEND:${stamp(at(5, '10:45'))}`);
    });

    test('refuses malformed bodies with 400 naming the field, and no login with 401', async () => {
      const noZone = await call<ErrorBody>(alice, 'POST', '/blocks', { kind: 'deep_work', title: 'X', start: '2026-12-07T09:00', end: at(0, '18:00') });
      expect([noZone.status, noZone.body.error.code]).toEqual([400, 'invalid_request']);
      const badKind = await call<ErrorBody>(alice, 'POST', '/blocks', { kind: 'nap', title: 'X', start: at(0, '17:00'), end: at(0, '18:00') });
      expect(badKind.status).toBe(400);
      const extra = await call<ErrorBody>(alice, 'POST', '/rocks', { title: 'X', sneaky: true });
      expect([extra.status, extra.body.error.code]).toEqual([400, 'invalid_request']);
      expect((await call<ErrorBody>(alice, 'PATCH', `/rocks/00000000-0000-4000-8000-000000000000`, {})).status).toBe(400);
      expect((await api(server.url, alice, 'POST', '/api/weeks/2026-W99/rocks', { title: 'X' })).status).toBe(400);
      expect((await call(null, 'POST', '/rocks', { title: 'X' })).status).toBe(401);
    });
  });

  describe('versions and If-Match', () => {
    test('every change adds one to version, the coach’s included', async () => {
      const v0 = (await call(bob, 'GET', '')).body.plan.version;
      const v1 = (await call(bob, 'POST', '/rocks', { title: 'Bob rock' })).body.plan;
      expect(v1.version).toBe(v0 + 1);
      const v2 = (await call(bob, 'PATCH', `/rocks/${v1.rocks[0]!.id}`, { title: 'Bob’s rock' })).body.plan;
      expect(v2.version).toBe(v0 + 2);
      // A refused change changes nothing, the version included.
      expect((await call(bob, 'POST', '/blocks', { kind: 'deep_work', title: 'X', start: at(0, '09:00'), end: at(0, '09:10') })).status).toBe(422);
      expect((await call(bob, 'GET', '')).body.plan.version).toBe(v0 + 2);

      const session = await api<{ id: string }>(server.url, bob, 'POST', '/api/sessions', { kind: 'plan', weekKey: WEEK });
      const ws = await WsTestClient.connect(server.wsUrl, session.body.id, bob);
      await ws.waitForFrame('ready');
      ws.send({ type: 'user.message', clientMessageId: 'c1', text: 'add a rock' });
      const updated = await ws.waitForEvent('plan.updated');
      expect(updated.data.by).toEqual({ kind: 'coach' });
      expect((updated.data.plan as WeekPlan).version).toBe(v0 + 3);
      expect((await call(bob, 'GET', '')).body.plan.version).toBe(v0 + 3);
      await ws.waitForEvent('assistant.end');
      await ws.close();
    });

    test('a stale If-Match gets 412 plan_changed with the current plan; the current one goes through', async () => {
      const plan = (await call(bob, 'GET', '')).body.plan;
      const rockId = plan.rocks[0]!.id;
      const ok = await withIfMatch(bob, 'PATCH', `/rocks/${rockId}`, plan.version, { title: 'Checked' });
      expect(ok.status).toBe(200);
      expect(ok.etag).toBe(`"${plan.version + 1}"`);
      const stale = await withIfMatch(bob, 'PATCH', `/rocks/${rockId}`, plan.version, { title: 'Lost update' });
      expect(stale.status).toBe(412);
      expect(stale.body.error.code).toBe('plan_changed');
      expect(stale.body.plan?.version).toBe(plan.version + 1);
      expect(stale.body.plan?.rocks.find((r) => r.id === rockId)?.title).toBe('Checked');
      // Quoted ETag form too.
      expect((await withIfMatch(bob, 'DELETE', `/rocks/${rockId}`, `"${plan.version}"`)).status).toBe(412);
      expect((await withIfMatch(bob, 'POST', '/rocks', 'seven', { title: 'X' })).status).toBe(400);
    });
  });

  describe('authorization: another user’s week, block or rock is 404', () => {
    test('Bob cannot see, change or delete Alice’s blocks, rocks or environment changes', async () => {
      const alicePlan = (await call(alice, 'GET', '')).body.plan;
      const block = alicePlan.blocks[0]!;
      const rock = alicePlan.rocks[0]!;
      const env = (await call(alice, 'POST', '/environment', { text: 'Door closed' })).body.plan.environment.at(-1)!;
      const bobPlan = (await call(bob, 'GET', '')).body.plan;
      expect(bobPlan.blocks.some((b) => b.id === block.id)).toBe(false);

      for (const [method, path, body] of [
        ['PATCH', `/blocks/${block.id}`, { title: 'Mine now' }],
        ['DELETE', `/blocks/${block.id}`, undefined],
        ['PATCH', `/rocks/${rock.id}`, { status: 'dropped' }],
        ['DELETE', `/rocks/${rock.id}`, undefined],
        ['DELETE', `/environment/${env.id}`, undefined],
        ['PATCH', '/blocks/not-a-uuid', { title: 'x' }],
        ['DELETE', '/rocks/../../sessions', undefined],
      ] as const) {
        const r = await call<ErrorBody>(bob, method, path, body);
        expect(r.status, `${method} ${path}`).toBe(404);
      }
      const linked = await call<ErrorBody>(bob, 'POST', '/blocks', { kind: 'other', title: 'Steal', start: at(4, '09:00'), end: at(4, '10:00'), rockId: rock.id });
      expect([linked.status, linked.body.error.code]).toEqual([422, 'unknown_rock']);
      expect((await call(alice, 'GET', '')).body.plan).toEqual({ ...alicePlan, environment: [...alicePlan.environment, env], version: alicePlan.version + 1 });
    });
  });

  describe('plan.updated on every open session of the week', () => {
    test('reaches two sockets on two sessions of the week (not another week’s), with who changed it, and again after a reconnect', async () => {
      const carol = await signup(server.url);
      await api(server.url, carol, 'PATCH', '/api/me', { timeZone: TZ });
      const newSession = async (weekKey: string) => (await api<{ id: string }>(server.url, carol, 'POST', '/api/sessions', { kind: 'plan', weekKey })).body.id;
      const [s1, s2, other] = [await newSession(WEEK), await newSession(WEEK), await newSession(OTHER_WEEK)];
      const [a, b, c] = await Promise.all([s1, s2, other].map((id) => WsTestClient.connect(server.wsUrl, id, carol)));
      await Promise.all([a, b, c].map((ws) => ws!.waitForFrame('ready')));
      const live = await openLive(carol);

      const sentAt = Date.now();
      const plan = await addBlock(carol, { title: 'Launch brief', start: at(3, '09:00'), end: at(3, '11:00') });
      const [ea, eb] = await Promise.all([a!.waitForEvent('plan.updated'), b!.waitForEvent('plan.updated')]);
      expect(Date.now() - sentAt).toBeLessThan(1000);
      for (const e of [ea, eb]) {
        // With what the write changed, in words (a session that saw no earlier plan has nothing to compare with).
        expect(e.data).toEqual({ weekKey: WEEK, plan, by: { kind: 'user', deviceId: expect.any(String) }, changes: ['added "Launch brief" on Thursday 09:00–11:00'] });
      }
      const streamed = await live.next((d) => d.plan.version === plan.version);
      expect(streamed.by).toEqual({ kind: 'user', deviceId: (ea.data.by as { deviceId: string }).deviceId });

      // A drag from another device while socket A is away: replayed on reconnect.
      const lastSeq = a!.lastSeq;
      a!.kill();
      const blockId = plan.blocks[0]!.id;
      const moved = (await call(carol, 'PATCH', `/blocks/${blockId}`, { start: at(4, '09:00'), end: at(4, '11:00') })).body.plan;
      await b!.waitForEvent('plan.updated', (e) => (e.data.plan as WeekPlan).version === moved.version);
      const again = await WsTestClient.connect(server.wsUrl, s1, carol, { after: lastSeq });
      const replayed = await again.waitForEvent('plan.updated', (e) => (e.data.plan as WeekPlan).version === moved.version);
      expect((replayed.data.plan as WeekPlan).blocks[0]).toMatchObject({ id: blockId, start: at(4, '09:00') });
      expect(replayed.data.changes).toEqual(['moved "Launch brief" to Friday 09:00–11:00 (was Thursday 09:00–11:00)']);
      await live.next((d) => d.plan.version === moved.version);

      // The other week's session heard nothing.
      expect(c!.events.filter((e) => e.type === 'plan.updated')).toEqual([]);
      live.close();
      await Promise.all([again, b!, c!].map((ws) => ws.close()));
    });
  });

  // PGlite is one process; on PostgreSQL a second instance shares the database.
  test.skipIf(DB_KIND !== 'postgres')('reaches sockets and week pages on another instance (PostgreSQL)', async ({ peer }) => {
    const other = peer!;
    const dave = await signup(server.url);
    await api(server.url, dave, 'PATCH', '/api/me', { timeZone: TZ });
    const sessionId = (await api<{ id: string }>(server.url, dave, 'POST', '/api/sessions', { kind: 'plan', weekKey: WEEK })).body.id;
    const ws = await WsTestClient.connect(other.wsUrl, sessionId, dave);
    await ws.waitForFrame('ready');
    const live = await openLive(dave, other.url);
    const sentAt = Date.now();
    const plan = await addBlock(dave, { title: 'Cross-instance', start: at(1, '14:00'), end: at(1, '15:00') });
    const event = await ws.waitForEvent('plan.updated');
    await live.next((d) => d.plan.version === plan.version);
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(event.data).toEqual({ weekKey: WEEK, plan, by: { kind: 'user', deviceId: expect.any(String) }, changes: ['added "Cross-instance" on Tuesday 14:00–15:00'] });
    live.close();
    await ws.close();
  });

  test('signing the device out ends its week live stream at once', async () => {
    const erin = await signup(server.url);
    const live = await openLive(erin);
    await live.next(() => true);
    const res = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie: erin.cookie, origin: server.url } });
    expect(res.status).toBe(204);
    await live.ended(2000);
  });

  /** GET /api/weeks/:weekKey/live, read as a browser's EventSource would. */
  async function openLive(who: Account, baseUrl = server.url) {
    const seen: Array<{ plan: WeekPlan; by?: unknown }> = [];
    let buffer = '';
    const req = http.get(`${baseUrl}/api/weeks/${WEEK}/live`, { headers: { cookie: who.cookie }, agent: false });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        if (event.includes('event: plan.updated') && data) seen.push(JSON.parse(data.slice(6)));
      }
    });
    res.on('error', () => {});
    let ended = false;
    res.once('close', () => (ended = true));
    return {
      async ended(timeoutMs: number) {
        const deadline = Date.now() + timeoutMs;
        while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        if (!ended) throw new Error(`the live stream was still open ${timeoutMs} ms later`);
      },
      async next(pred: (d: { plan: WeekPlan; by?: unknown }) => boolean, timeoutMs = 2000) {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          const hit = seen.find(pred);
          if (hit) return hit;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`no matching plan.updated on the live stream; saw versions ${seen.map((s) => s.plan.version).join(',')}`);
      },
      close() {
        req.destroy();
      },
    };
  }
});
