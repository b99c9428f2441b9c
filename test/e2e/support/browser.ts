// Shared pieces of the browser end-to-end tests: the web build, Chromium, a real server
// serving the built app, console-error collection, and reading the session log.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';
import { inject } from 'vitest';
import { findBrowser, NO_BROWSER_MESSAGE } from '../../support/find-browser.ts';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core';
import { createDemoAgent } from '../../../server/agent/demo-agent.ts';
import { createCoach } from '../../../server/coach/create-coach.ts';
import { configFrom, type Config } from '../../../server/config.ts';
import { createPrismaPlanStore } from '../../../server/plan/prisma-store.ts';
import { weekBounds, weekKeyFor } from '../../../server/plan/week.ts';
import type { SessionEvent } from '../../../server/session/types.ts';
import { openTestDatabase } from '../../support/db.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export { ensureWebBuild } from '../../support/web-build.ts';
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots');

export const PASSWORD = 'correct horse battery';

/** The browser globalSetup found (test/support/find-browser.ts); the tests fail, never skip, without one. */
export function chromiumPath(): string {
  const found = inject('chromePath') || findBrowser()?.path;
  if (!found) throw new Error(NO_BROWSER_MESSAGE);
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface E2eServer extends TestServer {
  /** True when the server has the pairing API; otherwise contexts get a stand-in (see installPairingStandIn). */
  hasPairing: boolean;
  cleanup(): Promise<void>;
}

/**
 * The real server serving dist/web. Its coach is the offline FOCUS coach, except in sessions
 * of kind "chat", which the demo agent answers with long, paced answers (120 words, ~4 s):
 * long enough to stop, drop the network or reload mid-answer. One database and one server
 * for both keeps the suite's start-up short.
 */
/** The zone every e2e browser context runs in (`timezoneId`). */
export const E2E_TIME_ZONE = 'Europe/Berlin';

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, timezoneId: E2E_TIME_ZONE, locale: 'en-GB' };
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  timezoneId: E2E_TIME_ZONE,
  locale: 'en-GB',
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
};

export async function startE2eServer(opts: { offlinePaceMs: number; demoPaceMs: number; config?: Partial<Config> }): Promise<E2eServer> {
  const { db, cleanup } = await openTestDatabase();
  const config: Partial<Config> = { serveWeb: true, coach: 'offline', coachPaceMs: opts.offlinePaceMs, ...opts.config };
  // The coach books nothing in the past and suggests next week from Thursday on, so the
  // conversations here would depend on the weekday they run. Its clock stands at Monday
  // 06:00 of the current week (the browsers' zone), the week the app plans.
  const weekStart = weekBounds(weekKeyFor(new Date(), E2E_TIME_ZONE), E2E_TIME_ZONE).start;
  const coachNow = () => new Date(Date.parse(weekStart) + 6 * 3_600_000);
  const server = await startTestServer({
    db,
    config,
    agent: ({ db }) => {
      const coach = createCoach(configFrom({ logLevel: 'silent', ...config }), { db, plans: createPrismaPlanStore(db.prisma), logger: { error: () => {} }, now: coachNow });
      const demo = createDemoAgent({ paceMs: opts.demoPaceMs });
      return {
        async respond(turn) {
          const s = await db.prisma.session.findUnique({ where: { id: turn.sessionId }, select: { kind: true } });
          return (s?.kind === 'chat' ? demo : coach).respond(turn);
        },
      };
    },
  });
  const probe = await fetch(`${server.url}/api/pairing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return {
    ...server,
    hasPairing: probe.status !== 404,
    async cleanup() {
      await server.close();
      await cleanup();
    },
  };
}

/**
 * Until the pairing endpoints are on this branch's server, a context gets a stand-in that
 * implements their contract (POST /api/pairing, POST /api/pairing/redeem) over the real
 * login machinery, so the browser flow (QR link → /pair/<code> → redeem → session) is
 * exercised end to end. With the real endpoints present this does nothing.
 */
const standInCodes = new Map<string, { userId: string; sessionId: string | null; expiresAt: number; used: boolean }>();
export async function installPairingStandIn(server: E2eServer, context: BrowserContext): Promise<void> {
  if (server.hasPairing) return;
  const auth = server.services.auth;
  await context.route(`${server.url}/api/pairing`, async (route) => {
    const token = /(?:^|;\s*)fc_session=([^;]+)/.exec((await route.request().allHeaders()).cookie ?? '')?.[1];
    const user = token ? await auth.userForToken(token) : undefined;
    if (!user) return route.fulfill({ status: 401, json: { error: { code: 'unauthorized', message: 'Log in first' } } });
    const body = (route.request().postDataJSON() ?? {}) as { sessionId?: string };
    const code = randomBytes(5).toString('hex').toUpperCase();
    const expiresAt = Date.now() + 10 * 60_000;
    standInCodes.set(code, { userId: user.id, sessionId: body.sessionId ?? null, expiresAt, used: false });
    const url = `${server.url}/pair/${code}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return route.fulfill({ status: 201, json: { code, url, expiresAt: new Date(expiresAt).toISOString(), qrSvg } });
  });
  await context.route(`${server.url}/api/pairing/redeem`, async (route) => {
    const body = (route.request().postDataJSON() ?? {}) as { code?: string; deviceName?: string };
    const code = String(body.code ?? '').toUpperCase().replace(/[\s-]/g, '');
    const entry = standInCodes.get(code);
    if (!entry) return route.fulfill({ status: 404, json: { error: { code: 'pairing_code_not_found', message: 'This pairing code does not exist.' } } });
    if (entry.used || entry.expiresAt < Date.now()) return route.fulfill({ status: 410, json: { error: { code: 'pairing_code_used', message: 'This pairing code was already used.' } } });
    entry.used = true;
    const token = await auth.startLogin(entry.userId, body.deviceName ?? '');
    await context.addCookies([{ name: 'fc_session', value: token, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
    const user = await auth.userForToken(token);
    return route.fulfill({ status: 200, json: { user: { id: user!.id, email: user!.email, timeZone: user!.timeZone }, sessionId: entry.sessionId } });
  });
}

/** Console errors and uncaught exceptions of a page; `expectNone()` at the end of a test. */
export class PageErrors {
  readonly errors: string[] = [];
  constructor(
    page: Page,
    private readonly name: string,
    /** Errors the test causes on purpose. None by default: even signed out, the app makes no failing request. */
    private readonly expected: (m: ConsoleMessage) => boolean = () => false,
  ) {
    page.on('console', (m) => {
      if (m.type() === 'error' && !this.expected(m)) this.errors.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
  }

  expectNone(): void {
    if (this.errors.length > 0) throw new Error(`${this.name} had browser errors:\n${this.errors.join('\n')}`);
  }
}

export async function cookieHeader(context: BrowserContext, url: string): Promise<string> {
  return (await context.cookies(url)).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** The session's whole log, read with the browser's login. */
export async function sessionEvents(server: TestServer, context: BrowserContext, sessionId: string): Promise<SessionEvent[]> {
  const cookie = await cookieHeader(context, server.url);
  const events: SessionEvent[] = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${server.url}/api/sessions/${sessionId}/events?after=${after}&limit=1000`, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`events: ${res.status}`);
    const page = (await res.json()) as { events: SessionEvent[]; lastSeq: number };
    events.push(...page.events);
    if (page.events.length === 0 || after >= page.lastSeq) break;
    after = page.events.at(-1)!.seq;
    if (after >= page.lastSeq) break;
  }
  return events;
}

/** Starts a session of `kind` through the API with the page's login and opens it. */
export async function openSessionOfKind(page: Page, kind: 'chat' | 'plan' | 'review', title: string): Promise<string> {
  const id = await page.evaluate(
    async ({ kind, title }) => {
      const r = await fetch('/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind, title }) });
      return ((await r.json()) as { id: string }).id;
    },
    { kind, title },
  );
  await page.goto(`/#/s/${id}`);
  return id;
}

export function sessionIdOf(page: Page): string {
  const m = /#\/s\/([0-9a-f-]{36})/.exec(page.url());
  if (!m) throw new Error(`not on a chat page: ${page.url()}`);
  return m[1]!;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}
