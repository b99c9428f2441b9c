// Web Push opt-in in Chromium: nothing is asked on load; the button asks for permission,
// registers the service worker and subscribes with the server's VAPID key; the
// subscription is listed with the device and can be turned off.
//
// Chromium refuses the Push API in its incognito contexts (every Playwright context that
// is not persistent), and the browser's push service (FCM) is out of reach here anyway, so
// PushManager.subscribe — the browser's side of that service — answers with a subscription
// made in the test, recording the key it was given. Everything else is the real app.
import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { DESKTOP, ensureWebBuild, launchChromium, PageErrors, PASSWORD, screenshot, startE2eServer, uniqueEmail, type E2eServer } from './support/browser.ts';

const WAIT = { timeout: 20_000 };

let browser: Browser;
let server: E2eServer;
const contexts: BrowserContext[] = [];

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

describe('Web Push opt-in (Chromium)', () => {
  it('permission is asked only on the button; the device subscribes with the VAPID key, is listed, and can be turned off', async () => {
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
    errors.expectNone();
  }, 90_000);
});
