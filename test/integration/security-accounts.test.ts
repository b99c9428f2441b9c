// Device pairing (one-time codes) and "your devices" (list, revoke, sockets closed at once).
import pg from 'pg';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { DEFAULT_RATE_LIMITS } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';
import { REASON_SIGNED_OUT, REASON_SIGNED_OUT_ELSEWHERE } from '../../server/http/socket-registry.ts';
import { CLOSE_SIGNED_OUT } from '../../server/contract/index.ts';
import { createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { createPairing, currentLoginId, json, pairDevice, raw, sleep } from '../support/security.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Only the server of the cross-instance test beats this fast (clients share the event loop; see security-ws). */
const HEARTBEAT_MS = 400;
const generous = { burst: 1_000, refillPerMinute: 1_000 };

const test = base.override('serverOptions', { agent: () => createDemoAgent({ paceMs: 1, words: 5 }), config: { rateLimits: { ...DEFAULT_RATE_LIMITS, pairingCreatePerUser: generous, pairingRedeemPerIp: generous } } });

describe(`accounts, pairing and devices (${DB_KIND})`, () => {
  let db: Database;
  let server: TestServer;
  let alice: Account;

  const redeem = (code: string, extra: Record<string, unknown> = {}, s = server) => raw(s.url, 'POST', '/api/pairing/redeem', { body: json({ code, ...extra }) });

  test.beforeAll(async ({ db: d, server: s }) => {
    db = d;
    server = s;
    alice = await signup(server.url);
  });

  describe('pairing', () => {
    test('a code signs a second device into the same account, with the session, and is stored only as a hash', async () => {
      const sessionId = await createSession(server.url, alice, 'shared');
      const before = Date.now();
      const p = await createPairing(server.url, alice, sessionId);
      expect(p.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
      expect(p.url).toBe(`${server.url}/pair/${p.code}`);
      expect(Date.parse(p.expiresAt) - before).toBeGreaterThan(9.9 * 60_000);
      expect(Date.parse(p.expiresAt) - before).toBeLessThanOrEqual(10 * 60_000 + 5_000);
      expect(p.qrSvg.startsWith('<svg')).toBe(true);
      expect(p.qrSvg).toContain('<path');
      expect(p.qrSvg).not.toMatch(/<script|on\w+=/i);

      const rows = await db.prisma.pairingCode.findMany({ where: { userId: alice.userId } });
      expect(JSON.stringify(rows)).not.toContain(p.code);

      // Typed by a person: lower case, a dash in the middle.
      const typed = `${p.code.slice(0, 5)}-${p.code.slice(5)}`.toLowerCase();
      const r = await redeem(typed, { deviceName: 'Kitchen tablet' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ user: { id: alice.userId, email: alice.email, timeZone: 'UTC', displayName: alice.email.split('@')[0] }, sessionId });
      const setCookie = r.headers.getSetCookie().join('\n');
      expect(setCookie).toMatch(/fc_session=/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      expect(setCookie).not.toMatch(/Secure/i);
      const me = await raw(server.url, 'GET', '/api/me', { cookie: r.cookie });
      expect(me.body.user.id).toBe(alice.userId);
      const open = await WsTestClient.connect(server.wsUrl, sessionId, { ...alice, cookie: r.cookie });
      await open.waitForFrame('ready');
      await open.close();
      const devices = await raw(server.url, 'GET', '/api/devices', { cookie: alice.cookie });
      expect(devices.body.devices.map((d: { deviceName: string }) => d.deviceName)).toContain('Kitchen tablet');
    });

    test('without a session the redeemed answer carries sessionId null', async () => {
      const p = await createPairing(server.url, alice);
      expect((await redeem(p.code)).body.sessionId).toBeNull();
    });

    test('a used code is 410 pairing_code_used, also when two devices race for it', async () => {
      const p = await createPairing(server.url, alice);
      const results = await Promise.all([redeem(p.code), redeem(p.code), redeem(p.code)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 410, 410]);
      const again = await redeem(p.code);
      expect(again.status).toBe(410);
      expect(again.body.error.code).toBe('pairing_code_used');
      expect(again.cookie).toBe('');
    });

    test('an expired code is 410 pairing_code_expired and signs nobody in', async () => {
      const p = await createPairing(server.url, alice);
      await db.prisma.pairingCode.updateMany({ where: { userId: alice.userId, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1_000) } });
      const r = await redeem(p.code);
      expect(r.status).toBe(410);
      expect(r.body.error.code).toBe('pairing_code_expired');
      expect(r.cookie).toBe('');
    });

    test('an injected clock decides expiry: a code is good until 10 minutes have passed', async () => {
      let nowMs = Date.now();
      const clocked = await startTestServer({ db, config: { rateLimits: { ...DEFAULT_RATE_LIMITS, pairingRedeemPerIp: generous } }, overrides: { now: () => new Date(nowMs) } });
      try {
        const a = await createPairing(clocked.url, alice);
        const b = await createPairing(clocked.url, alice);
        nowMs += 9 * 60_000;
        expect((await redeem(a.code, {}, clocked)).status).toBe(200);
        nowMs += 60_001;
        expect((await redeem(b.code, {}, clocked)).body.error.code).toBe('pairing_code_expired');
      } finally {
        await clocked.close();
      }
    });

    test('unknown and malformed codes are 404', async () => {
      for (const code of ['ZZZZZZZZZZ', '!!!', 'ABC', 'ABCDEFGHJK\u0000'.slice(0, 10)]) {
        const r = await redeem(code);
        expect(r.status, code).toBe(404);
        expect(r.body.error.code).toBe('pairing_code_not_found');
      }
      expect((await redeem('x'.repeat(500))).status).toBe(400);
      expect((await raw(server.url, 'POST', '/api/pairing/redeem', { body: json({}) })).body.error.field).toBe('code');
    });

    test('creating a code needs a login', async () => {
      expect((await raw(server.url, 'POST', '/api/pairing', { body: json({}) })).status).toBe(401);
    });

    test('is rate-limited: codes per user, redeem attempts per IP (counted before the lookup, so guesses cost)', async () => {
      const tight = await startTestServer({
        db,
        config: { rateLimits: { ...DEFAULT_RATE_LIMITS, pairingCreatePerUser: { burst: 2, refillPerMinute: 1 }, pairingRedeemPerIp: { burst: 3, refillPerMinute: 1 } } },
      });
      try {
        const bob = await signup(tight.url);
        const good = await createPairing(tight.url, bob);
        await createPairing(tight.url, bob);
        const third = await raw(tight.url, 'POST', '/api/pairing', { cookie: bob.cookie, body: json({}) });
        expect(third.status).toBe(429);
        expect(third.body.error.code).toBe('rate_limited');
        expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
        // Another user is not affected by Bob's limit.
        const carol = await signup(tight.url);
        await createPairing(tight.url, carol);

        for (let i = 0; i < 3; i++) expect((await redeem('ZZZZZZZZZZ', {}, tight)).status).toBe(404);
        const blocked = await redeem(good.code, {}, tight);
        expect(blocked.status).toBe(429);
        expect(blocked.cookie).toBe('');
      } finally {
        await tight.close();
      }
    });

    test('behind https (PUBLIC_URL) the link uses the public origin and the cookie is Secure', async () => {
      const https = await startTestServer({ db, config: { publicOrigin: 'https://focus.example', secureCookies: true } });
      try {
        const p = await createPairing(https.url, alice);
        expect(p.url).toBe(`https://focus.example/pair/${p.code}`);
        const r = await redeem(p.code, {}, https);
        expect(r.headers.getSetCookie().join('\n')).toMatch(/;\s*Secure/i);
      } finally {
        await https.close();
      }
    });
  });

  describe('devices', () => {
    test('lists the signed-in devices with the current one marked', async () => {
      const dana = await signup(server.url);
      const phone = await pairDevice(server.url, dana, 'Phone');
      const r = await raw(server.url, 'GET', '/api/devices', { cookie: phone.cookie });
      expect(r.status).toBe(200);
      expect(r.body.devices).toHaveLength(2);
      for (const d of r.body.devices) {
        expect(Object.keys(d).sort()).toEqual(['createdAt', 'current', 'deviceName', 'id', 'lastSeenAt', 'pushSubscriptions']);
        expect(Number.isNaN(Date.parse(d.lastSeenAt))).toBe(false);
      }
      expect(r.body.devices.filter((d: { current: boolean }) => d.current)).toEqual([expect.objectContaining({ id: phone.loginId, deviceName: 'Phone' })]);
    });

    test('lastSeenAt moves at most once a minute', async () => {
      const erin = await signup(server.url);
      const loginId = await currentLoginId(server.url, erin);
      const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000);
      await db.prisma.loginSession.update({ where: { id: loginId }, data: { lastSeenAt: fiveMinutesAgo } });
      await raw(server.url, 'GET', '/api/me', { cookie: erin.cookie });
      // Written after the answer (the request does not wait for it).
      await expect.poll(async () => Date.now() - (await db.prisma.loginSession.findUniqueOrThrow({ where: { id: loginId } })).lastSeenAt.getTime()).toBeLessThan(10_000);
      const thirtySecondsAgo = new Date(Date.now() - 30_000);
      await db.prisma.loginSession.update({ where: { id: loginId }, data: { lastSeenAt: thirtySecondsAgo } });
      await raw(server.url, 'GET', '/api/me', { cookie: erin.cookie });
      expect((await db.prisma.loginSession.findUniqueOrThrow({ where: { id: loginId } })).lastSeenAt.getTime()).toBe(thirtySecondsAgo.getTime());
    });

    test('a request does not wait for the lastSeenAt write (the row locked by someone else: the answer still comes at once)', async ({ databaseUrl }) => {
      if (!databaseUrl) return; // PGlite has one connection: nothing else can hold the row.
      const gina = await signup(server.url);
      const loginId = await currentLoginId(server.url, gina);
      const sessionId = await createSession(server.url, gina);
      await db.prisma.loginSession.update({ where: { id: loginId }, data: { lastSeenAt: new Date(Date.now() - 5 * 60_000) } });
      const holder = new pg.Client({ connectionString: databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM "LoginSession" WHERE id = $1 FOR UPDATE', [loginId]);
        const t0 = performance.now();
        const me = await raw(server.url, 'GET', '/api/me', { cookie: gina.cookie });
        const ws = await WsTestClient.connect(server.wsUrl, sessionId, gina);
        await ws.waitForFrame('ready');
        ws.ws.close();
        expect(me.status).toBe(200);
        // The write waits for the lock; the request and the upgrade did not.
        expect(performance.now() - t0).toBeLessThan(1_500);
        await sleep(100);
        expect((await holder.query('SELECT "lastSeenAt" FROM "LoginSession" WHERE id = $1', [loginId])).rows[0].lastSeenAt.getTime()).toBeLessThan(Date.now() - 60_000);
      } finally {
        await holder.query('ROLLBACK').catch(() => {});
        await holder.end();
      }
      // Once the lock is gone the write lands.
      await expect.poll(async () => Date.now() - (await db.prisma.loginSession.findUniqueOrThrow({ where: { id: loginId } })).lastSeenAt.getTime()).toBeLessThan(10_000);
    });

    test('revoking a device signs it out at once: its sockets close with 4401, its cookie stops working', async () => {
      const frank = await signup(server.url);
      const sessionId = await createSession(server.url, frank);
      const laptop = await pairDevice(server.url, frank, 'Laptop');
      const laptopWs = await WsTestClient.connect(server.wsUrl, sessionId, laptop);
      const laptopWs2 = await WsTestClient.connect(server.wsUrl, sessionId, laptop);
      const mainWs = await WsTestClient.connect(server.wsUrl, sessionId, frank);
      await Promise.all([laptopWs.waitForFrame('ready'), laptopWs2.waitForFrame('ready'), mainWs.waitForFrame('ready')]);

      expect((await raw(server.url, 'DELETE', `/api/devices/${laptop.loginId}`, { cookie: frank.cookie })).status).toBe(204);
      await laptopWs.waitFor((c) => c.closed, 2_000, 'close');
      await laptopWs2.waitFor((c) => c.closed, 2_000, 'close');
      // Closed by the revoking request itself, not found later by the heartbeat.
      expect(laptopWs.closed).toEqual({ code: CLOSE_SIGNED_OUT, reason: REASON_SIGNED_OUT });
      expect(laptopWs2.closed).toEqual({ code: CLOSE_SIGNED_OUT, reason: REASON_SIGNED_OUT });
      expect((await raw(server.url, 'GET', '/api/me', { cookie: laptop.cookie })).status).toBe(401);
      expect((await WsTestClient.refusal(server.wsUrl, sessionId, laptop)).code).toBe(CLOSE_SIGNED_OUT);
      const list = await raw(server.url, 'GET', '/api/devices', { cookie: frank.cookie });
      expect(list.body.devices.map((d: { id: string }) => d.id)).not.toContain(laptop.loginId);
      // The device that revoked keeps working.
      await sleep(100);
      expect(mainWs.closed).toBeUndefined();
      mainWs.send({ type: 'ping' });
      await mainWs.waitForFrame('pong');
      // Revoking it twice, or a device that does not exist, is 404.
      expect((await raw(server.url, 'DELETE', `/api/devices/${laptop.loginId}`, { cookie: frank.cookie })).status).toBe(404);
      await mainWs.close();
    });

    test('revoking the current device clears its cookie; logging out closes its sockets too', async () => {
      const gina = await signup(server.url);
      const sessionId = await createSession(server.url, gina);
      const tablet = await pairDevice(server.url, gina, 'Tablet');
      const self = await raw(server.url, 'DELETE', `/api/devices/${tablet.loginId}`, { cookie: tablet.cookie });
      expect(self.status).toBe(204);
      expect(self.headers.getSetCookie().join('\n')).toMatch(/fc_session=;/);
      expect((await raw(server.url, 'GET', '/api/devices', { cookie: tablet.cookie })).status).toBe(401);

      const ws = await WsTestClient.connect(server.wsUrl, sessionId, gina);
      await ws.waitForFrame('ready');
      expect((await raw(server.url, 'POST', '/api/auth/logout', { cookie: gina.cookie })).status).toBe(204);
      await ws.waitFor((c) => c.closed, 2_000, 'close');
      expect(ws.closed?.code).toBe(CLOSE_SIGNED_OUT);
    });

    test('a device revoked by another instance (straight in the database) is dropped within a heartbeat', async () => {
      const beating = await startTestServer({ db, config: { wsHeartbeatMs: HEARTBEAT_MS } });
      try {
        const hugo = await signup(beating.url);
        const sessionId = await createSession(beating.url, hugo);
        const ws = await WsTestClient.connect(beating.wsUrl, sessionId, hugo);
        await ws.waitForFrame('ready');
        const loginId = await currentLoginId(beating.url, hugo);
        await db.prisma.loginSession.update({ where: { id: loginId }, data: { revokedAt: new Date() } });
        await ws.waitFor((c) => c.closed, HEARTBEAT_MS * 10, 'close after revocation elsewhere');
        expect(ws.closed).toEqual({ code: CLOSE_SIGNED_OUT, reason: REASON_SIGNED_OUT_ELSEWHERE });
      } finally {
        await beating.close();
      }
    });
  });
});
