// A human joins the session, in Chromium: the owner invites by link, the partner (another
// browser context, another account) opens it, takes over, answers, and hands back; the
// owner sees the "Coach paused" banner, the partner's name on their messages and in
// presence, and the coach answering again after the hand-back. Then the Web Push opt-in.

import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureWebBuild, launchChromium, PageErrors, PASSWORD, screenshot, sessionEvents, sessionIdOf, startE2eServer, uniqueEmail, type E2eServer } from './support/browser.ts';

const WAIT = { timeout: 20_000 };
const DESKTOP = { viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' };

let browser: Browser;
let server: E2eServer;
const contexts: BrowserContext[] = [];

async function signUp(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Plan this week' }).waitFor(WAIT);
  return page;
}

const live = (page: Page) => page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor(WAIT);
const finished = (page: Page) => page.locator('.msg.assistant:not(.streaming)');

async function send(page: Page, text: string) {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

beforeAll(async () => {
  const launching = launchChromium();
  await ensureWebBuild();
  [browser, server] = await Promise.all([launching, startE2eServer({ offlinePaceMs: 5, demoPaceMs: 30 })]);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.cleanup();
});

describe('a human in the session (Chromium, two contexts)', () => {
  it('owner invites by link; the partner takes over, the coach pauses, and answers again after the hand-back', async () => {
    const ownerCtx = await browser.newContext({ ...DESKTOP, baseURL: server.url });
    const partnerCtx = await browser.newContext({ ...DESKTOP, baseURL: server.url });
    contexts.push(ownerCtx, partnerCtx);
    const owner = await signUp(ownerCtx, uniqueEmail('sam'));
    const ownerErrors = new PageErrors(owner, 'owner');

    // Notifications: the opt-in is offered, and "Send a test" is accepted by the server.
    await owner.getByRole('heading', { name: 'Notifications and reminders' }).click();
    await owner.getByRole('button', { name: 'Send a test' }).click();
    await owner.getByText('A test notification is on its way.').waitFor(WAIT);
    await expect(owner.getByRole('button', { name: 'Turn on notifications on this device' }).isVisible()).resolves.toBe(true);

    await owner.getByRole('button', { name: 'Plan this week' }).click();
    await owner.waitForURL(/#\/s\//, WAIT);
    await live(owner);
    const sessionId = sessionIdOf(owner);
    await send(owner, 'Hi coach');
    await finished(owner).first().waitFor(WAIT);

    await owner.getByRole('button', { name: 'Invite' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Invite a partner' });
    await dialog.getByRole('img', { name: /QR code/ }).waitFor(WAIT);
    const link = await dialog.getByTestId('invite-link').inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/invite/[0-9A-Z]{16}$`));
    await screenshot(owner, 'handoff-01-invite');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const partner = await signUp(partnerCtx, uniqueEmail('alex'));
    const partnerErrors = new PageErrors(partner, 'partner');
    expect((await partner.request.patch('/api/me', { data: { displayName: 'Alex' } })).status()).toBe(200);
    await partner.goto(link);
    await partner.waitForURL(new RegExp(`/#/s/${sessionId}$`), WAIT);
    await live(partner);
    await partner.getByText('Shared with you').waitFor(WAIT);
    // The partner sees the conversation so far, and the owner sees them arrive, in their role.
    await partner.getByText('Hi coach').waitFor(WAIT);
    await owner.getByTestId('presence').getByText('This device and Alex (partner)').waitFor({ ...WAIT, state: 'attached' });

    await partner.getByRole('button', { name: 'Take over' }).click();
    await owner.getByText('Coach paused: Alex is answering').waitFor(WAIT);
    await partner.getByText('Coach paused: you are answering').waitFor(WAIT);
    await screenshot(owner, 'handoff-02-paused');

    const answersBefore = await finished(owner).count();
    await send(owner, 'Alex, are my rocks realistic?');
    await partner.getByText('Alex, are my rocks realistic?').waitFor(WAIT);
    await send(partner, 'Two of them, yes. Drop the third.');
    const fromAlex = owner.locator('.msg.user.other', { hasText: 'Drop the third.' });
    await fromAlex.waitFor(WAIT);
    await expect(fromAlex.getByTestId('author').textContent()).resolves.toBe('Alex (partner)');
    // The coach stays silent while Alex holds the session.
    await owner.waitForTimeout(2_500);
    expect(await finished(owner).count()).toBe(answersBefore);
    await screenshot(owner, 'handoff-03-partner-answers');

    await partner.getByRole('button', { name: 'Hand back' }).click();
    await owner.getByText('The coach answers messages here.').waitFor(WAIT);
    await finished(owner).nth(answersBefore).waitFor(WAIT);
    await screenshot(owner, 'handoff-04-handed-back');

    const events = await sessionEvents(server, ownerCtx, sessionId);
    const types = events.map((e) => e.type);
    const started = types.indexOf('handoff.started');
    const ended = types.indexOf('handoff.ended');
    expect(started).toBeGreaterThan(0);
    expect(ended).toBeGreaterThan(started);
    expect(types.slice(started, ended).filter((t) => t === 'assistant.start')).toEqual([]);
    expect(types.slice(ended)).toContain('assistant.end');
    expect(events[started]!.data.by).toMatchObject({ displayName: 'Alex', role: 'partner' });

    ownerErrors.expectNone();
    partnerErrors.expectNone();
  }, 120_000);
});

// Web Push opt-in: nothing is asked on load; the button asks for permission, registers the
// service worker and subscribes with the server's VAPID key; the subscription is listed
// with the device and can be turned off. Chromium refuses the Push API in its incognito
// contexts (every Playwright context that is not persistent), and the browser's push
// service (FCM) is out of reach here anyway, so PushManager.subscribe — the browser's side
// of that service — answers with a subscription made in the test, recording the key it was
// given. Everything else is the real app.
describe('Web Push opt-in (Chromium)', () => {
  it('permission is asked only on the button; the device subscribes with the VAPID key, is listed, and can be turned off; reminders are saved in the zone', async () => {
    const context = await browser.newContext({ ...DESKTOP, baseURL: server.url });
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: server.url });
    const subscription = {
      endpoint: `https://fcm.googleapis.com/fcm/send/e2e-${randomBytes(8).toString('hex')}`,
      keys: { p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') },
    };
    await context.addInitScript((sub) => {
      const w = window as unknown as { __asks: number; __serverKey: string | null };
      w.__asks = 0;
      w.__serverKey = null;
      const ask = Notification.requestPermission.bind(Notification);
      Notification.requestPermission = ((...args: Parameters<typeof Notification.requestPermission>) => {
        w.__asks++;
        return ask(...args);
      }) as typeof Notification.requestPermission;
      let made: PushSubscription | null = null;
      PushManager.prototype.getSubscription = async () => made;
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        const key = new Uint8Array(options?.applicationServerKey as ArrayBuffer);
        w.__serverKey = btoa(String.fromCharCode(...key)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        made = { endpoint: sub.endpoint, toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }) } as unknown as PushSubscription;
        return made;
      };
    }, subscription);

    const page = await context.newPage();
    const errors = new PageErrors(page, 'page');
    await page.goto('/');
    await page.getByLabel('Email').fill(uniqueEmail('nina'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Plan this week' }).waitFor(WAIT);

    // Loading the app and opening the section ask nothing and register nothing.
    await page.getByRole('heading', { name: 'Notifications and reminders' }).click();
    const turnOn = page.getByRole('button', { name: 'Turn on notifications on this device' });
    await turnOn.waitFor(WAIT);
    expect(await page.evaluate(() => (window as unknown as { __asks: number }).__asks)).toBe(0);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);

    await turnOn.click();
    await page.getByText('Notifications are on for this device.').waitFor(WAIT);
    expect(await page.evaluate(() => (window as unknown as { __asks: number }).__asks)).toBe(1);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).map((r) => new URL(r.active?.scriptURL ?? '').pathname))).toEqual(['/sw.js']);
    const { publicKey } = (await (await page.request.get('/api/push/vapid-public-key')).json()) as { publicKey: string };
    expect(await page.evaluate(() => (window as unknown as { __serverKey: string | null }).__serverKey)).toBe(publicKey);

    // Listed with this device, and turned off from there.
    const devices = async () => ((await (await page.request.get('/api/devices')).json()) as { devices: Array<{ current: boolean; pushSubscriptions: Array<{ service: string }> }> }).devices;
    expect((await devices()).find((d) => d.current)?.pushSubscriptions).toEqual([expect.objectContaining({ service: 'https://fcm.googleapis.com' })]);
    await page.getByRole('heading', { name: 'Account and devices' }).click();
    const account = page.getByTestId('account');
    await account.getByText('Notifications on').waitFor(WAIT);
    await screenshot(page, 'notifications-01-on');
    await account.getByRole('button', { name: /^Turn off notifications on/ }).click();
    await account.getByText('Notifications on').waitFor({ ...WAIT, state: 'detached' });
    expect((await devices()).find((d) => d.current)?.pushSubscriptions).toEqual([]);

    // The weekly reminders, in the person's zone: a Friday review at 16:30, quiet from 22:00.
    await page.getByLabel('Weekly review', { exact: true }).check();
    await page.getByLabel('Weekly review: time').fill('16:30');
    await page.getByLabel('Quiet hours').check();
    await page.getByRole('button', { name: 'Save reminders' }).click();
    await page.getByText('Reminders saved.').waitFor(WAIT);
    const saved = (await (await page.request.get('/api/me/reminders')).json()) as { review: unknown; planning: unknown; quietHours: unknown; next: { review: string } };
    expect(saved).toMatchObject({ review: { weekday: 5, time: '16:30' }, planning: null, quietHours: { from: '22:00', to: '07:00' } });
    expect(new Date(saved.next.review).toLocaleString('en-GB', { timeZone: 'Europe/Berlin', weekday: 'long', hour: '2-digit', minute: '2-digit' })).toBe('Friday 16:30');
    errors.expectNone();
  }, 90_000);
});

describe('links from outside the app (Chromium)', () => {
  it('an invite opened signed out: sign up on the spot, and you are in the session', async () => {
    const ownerCtx = await browser.newContext({ ...DESKTOP, baseURL: server.url });
    const guestCtx = await browser.newContext({ ...DESKTOP, baseURL: server.url });
    contexts.push(ownerCtx, guestCtx);
    expect((await ownerCtx.request.post('/api/auth/signup', { data: { email: uniqueEmail('sam'), password: PASSWORD } })).status()).toBe(201);
    const session = (await (await ownerCtx.request.post('/api/sessions', { data: { title: 'Our week' } })).json()) as { id: string };
    const invite = (await (await ownerCtx.request.post(`/api/sessions/${session.id}/invites`)).json()) as { url: string };

    const guest = await guestCtx.newPage();
    const errors = new PageErrors(guest, 'guest');
    await guest.goto(invite.url);
    await guest.getByText('Sign in or create an account to join the session you were invited to.').waitFor(WAIT);
    await guest.getByLabel('Email').fill(uniqueEmail('alex'));
    await guest.getByLabel('Password').fill(PASSWORD);
    await guest.getByRole('button', { name: 'Create account' }).click();
    await guest.waitForURL(new RegExp(`/#/s/${session.id}$`), WAIT);
    await guest.getByText('Shared with you').waitFor(WAIT);
    await live(guest);
    errors.expectNone();
  }, 60_000);

  it("a reminder's link starts a review session and opens it", async () => {
    const context = await browser.newContext({ ...DESKTOP, baseURL: server.url });
    contexts.push(context);
    const page = await signUp(context, uniqueEmail('rae'));
    await page.goto('/start/review');
    await page.waitForURL(/#\/s\//, WAIT);
    await live(page);
    const view = (await (await context.request.get(`/api/sessions/${sessionIdOf(page)}`)).json()) as { kind: string };
    expect(view.kind).toBe('review');
  }, 60_000);
});
