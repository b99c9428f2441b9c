// The web app in a real browser (Debian Chromium via playwright-core) against the real
// server serving the built app: pairing two devices, streaming on both, Stop from the other
// device, the live plan, a network drop, a reload mid-answer, and screenshots.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { SessionEvent } from '../../server/session/types.ts';
import {
  DESKTOP,
  ensureWebBuild,
  installPairingStandIn,
  launchChromium,
  openSessionOfKind,
  PageErrors,
  PHONE,
  PASSWORD,
  screenshot,
  sessionEvents,
  sessionIdOf,
  startE2eServer,
  uniqueEmail,
  type E2eServer,
} from './support/browser.ts';
import { nth } from '../support/nth.ts';

/** Waits on conditions are generous: two shared cores may be busy with other suites. */
const WAIT = { timeout: 20_000 };


let browser: Browser;
const contexts: BrowserContext[] = [];

async function newContext(server: E2eServer, options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext({ ...options, baseURL: server.url });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await installPairingStandIn(server, context);
  contexts.push(context);
  return context;
}

async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Plan this week' }).waitFor(WAIT);
}

async function openNewSession(page: Page, kind: 'Plan this week' | 'Friday review' = 'Plan this week'): Promise<string> {
  await page.getByRole('button', { name: kind }).click();
  await page.waitForURL(/#\/s\//, WAIT);
  await expectLive(page);
  return sessionIdOf(page);
}

async function expectLive(page: Page): Promise<void> {
  await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor(WAIT);
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

const assistantTexts = (page: Page) => page.locator('.msg.assistant > p').allTextContents();
const finishedAnswers = (page: Page) => page.locator('.msg.assistant:not(.streaming)');

/** Sends and waits for the coach's answer to end; returns its text. */
async function say(page: Page, text: string): Promise<string> {
  const before = await finishedAnswers(page).count();
  await send(page, text);
  await finishedAnswers(page).nth(before).waitFor(WAIT);
  return (await finishedAnswers(page).nth(before).locator('p').textContent()) ?? '';
}


/** Opens the laptop's pairing link in a new phone context; returns the phone's page on the same session. */
async function pairPhone(server: E2eServer, laptop: Page, sessionId: string, deviceName: string): Promise<{ phone: Page; errors: PageErrors }> {
  await laptop.getByRole('button', { name: 'Open on another device' }).click();
  const dialog = laptop.getByRole('dialog', { name: 'Open on another device' });
  await dialog.getByRole('img', { name: /QR code/ }).waitFor(WAIT);
  const link = await dialog.getByTestId('pair-link').inputValue();
  expect(link).toMatch(new RegExp(`^${server.url}/pair/[A-Z0-9]+$`));
  await dialog.getByRole('button', { name: 'Close' }).click();

  const phone = await (await newContext(server, PHONE)).newPage();
  const errors = new PageErrors(phone, 'phone');
  await phone.goto(link);
  await phone.getByLabel('Name this device').fill(deviceName);
  await screenshot(phone, '07-phone-pair');
  await phone.getByRole('button', { name: 'Continue on this device' }).click();
  await phone.waitForURL(new RegExp(`/#/s/${sessionId}$`), WAIT);
  await expectLive(phone);
  return { phone, errors };
}

const ends = (events: SessionEvent[]) => events.filter((e) => e.type === 'assistant.end');

/** Plan/review sessions get the offline FOCUS coach (fast); "chat" sessions the demo agent (120 words, ~4 s). */
let server: E2eServer;

beforeAll(async () => {
  const launching = launchChromium();
  // The servers look for dist/web when they start: build (if stale) first.
  await ensureWebBuild();
  [browser, server] = await Promise.all([launching, startE2eServer({ offlinePaceMs: 5, demoPaceMs: 30 })]);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.cleanup();
});

describe('two devices of one user, paired by QR link', () => {
  it('a message streams on the other device, and Stop there ends it here as cancelled', async () => {
    const laptop = await (await newContext(server, DESKTOP)).newPage();
    const laptopErrors = new PageErrors(laptop, 'laptop');
    await signUp(laptop, uniqueEmail('stop'));
    const sessionId = await openSessionOfKind(laptop, 'chat', 'Long answers');
    await expectLive(laptop);
    const { phone, errors: phoneErrors } = await pairPhone(server, laptop, sessionId, 'Alice’s phone');

    // Presence: each sees both devices.
    await laptop.getByTestId('presence').locator('li', { hasText: 'Alice’s phone' }).waitFor(WAIT);
    // The phone's strip is narrow: it summarises, and the full list stays for assistive tech.
    await phone.getByTestId('presence').getByText(/^This device and Chrome on Linux$/).waitFor(WAIT);
    expect(await phone.getByTestId('presence').locator('li').allTextContents()).toEqual(['This device', 'Chrome on Linux']);

    // Sent on the laptop, streamed on the phone: the coach's state shows there too.
    await send(laptop, 'Plan my week with me');
    const streamingOnPhone = phone.locator('.msg.assistant.streaming p');
    await expect.poll(async () => ((await streamingOnPhone.textContent().catch(() => '')) ?? '').length, WAIT).toBeGreaterThan(0);
    await phone.getByTestId('coach-state').filter({ hasText: 'Coach is writing…' }).waitFor(WAIT);
    await phone.getByRole('button', { name: 'Stop' }).click();
    // "Stopped from <device name>" on the other device, plain "Stopped" where it was pressed.
    await laptop.locator('.msg.assistant.cancelled .meta').getByText('Stopped from Alice’s phone').waitFor(WAIT);
    await phone.locator('.msg.assistant.cancelled .meta').getByText('Stopped', { exact: true }).waitFor(WAIT);

    // The laptop offers Retry and Continue. Retry answers the same message again in place (SL15),
    // adding no user message; Esc stops that answer here.
    const stoppedText = nth(await assistantTexts(laptop), 0);
    await laptop.getByRole('button', { name: 'Retry' }).click();
    await laptop.locator('.msg.assistant.streaming').waitFor(WAIT);
    expect(await laptop.locator('.msg.assistant').count()).toBe(1);
    await laptop.keyboard.press('Escape');
    await laptop.locator('.msg.assistant.cancelled .meta').getByText('Stopped', { exact: true }).waitFor(WAIT);
    await phone.locator('.msg.assistant.cancelled .meta').getByText('Stopped from Chrome on Linux').waitFor(WAIT);

    const events = await sessionEvents(server, laptop.context(), sessionId);
    expect(events.filter((e) => e.type === 'user.message').map((e) => e.data.text)).toEqual(['Plan my week with me']);
    expect(events.filter((e) => e.type === 'turn.requested').map((e) => e.data.mode)).toEqual(['retry']);
    expect(ends(events).map((e) => e.data.status)).toEqual(['cancelled', 'cancelled']);
    expect(nth(ends(events), 0).data.text).toBe(stoppedText);
    // Both devices show the one user message and the latest answer, as the log has it.
    const latest = [nth(ends(events), 1).data.text];
    expect(await assistantTexts(laptop)).toEqual(latest);
    expect(await assistantTexts(phone)).toEqual(latest);
    expect(await phone.locator('.msg.user').count()).toBe(1);

    laptopErrors.expectNone();
    phoneErrors.expectNone();
  }, 60_000);

  const planner = uniqueEmail('alice');

  it('a planning conversation fills the plan panel live on both devices', async () => {
    const laptop = await (await newContext(server, DESKTOP)).newPage();
    const laptopErrors = new PageErrors(laptop, 'laptop');
    await signUp(laptop, planner);
    const sessionId = await openNewSession(laptop);
    // The browser's time zone went to the server at sign-up.
    const me = await laptop.evaluate(() => fetch('/api/me').then((r) => r.json()));
    expect(me.user.timeZone).toBe('Europe/Berlin');
    // First run: the coach opens with its first question; nobody had to say hello.
    await finishedAnswers(laptop).first().waitFor(WAIT);
    expect(await finishedAnswers(laptop).first().locator('p').textContent()).toMatch(/celebrate at work/);
    const { phone, errors: phoneErrors } = await pairPhone(server, laptop, sessionId, 'Alice’s phone');

    await say(laptop, 'Lead the platform team and ship v2');
    await say(laptop, 'Run a half marathon');
    // The coach's wording varies (Saved / Got it / Noted); what it saved is the test.
    expect(await say(laptop, 'A weekly dinner with friends')).toMatch(/relationships: “A weekly dinner with friends”/);
    const laptopPlan = laptop.getByTestId('plan');
    // The plan is editable: the vision sits in its text fields.
    await expect.poll(() => laptopPlan.locator('.vision-editor textarea').first().inputValue({ timeout: 1000 }), WAIT).toBe('Lead the platform team and ship v2');
    await say(laptop, 'Ship pricing page, draft Q1 plan, hire a designer and clear my inbox');

    await expect.poll(() => laptopPlan.getByTestId('rocks').locator('li').count(), WAIT).toBe(3);
    const rockTitles = (plan: typeof laptopPlan) => plan.getByTestId('rocks').locator('.rock-title-input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    const rocks = await rockTitles(laptopPlan);
    expect(rocks).toEqual(['Ship pricing page', 'Draft Q1 plan', 'Hire a designer']);

    // On the phone the plan is a drawer under the chat: open it and find the same rocks.
    await phone.getByTestId('plan-drawer').locator('summary').click();
    const phonePlan = phone.getByTestId('plan');
    await expect.poll(() => rockTitles(phonePlan), WAIT).toEqual(rocks);

    // Environment, deep work for each rock, recovery: the week grid fills in on both.
    await say(laptop, 'phone in another room, notifications off');
    await say(laptop, 'Tue 9-11');
    await say(laptop, 'Wednesday 14:00–15:30');
    await say(laptop, 'Thu 8-10');
    expect(await say(laptop, 'weekdays 12:30-13:00 and Sat 10-18')).toContain('Recovery booked');
    // Times are shown in the plan's time zone (Europe/Berlin, from the browser at sign-up).
    for (const page of [laptop, phone]) {
      const agenda = page.getByTestId('plan').getByTestId('agenda');
      await page.getByTestId('plan').locator('.wk-block[aria-label*="Tue 09:00–11:00"]').waitFor({ state: 'attached', ...WAIT });
      await expect.poll(() => agenda.locator('.wk-agenda-item.deep_work').count(), WAIT).toBe(3);
      await expect.poll(() => agenda.locator('.wk-agenda-item.recovery').count(), WAIT).toBe(6);
      expect(await page.getByTestId('plan').locator('.wk-block').count()).toBe(9);
      await page.getByTestId('plan').getByText('phone in another room').waitFor({ state: 'attached', ...WAIT });
    }

    // Exports: the .ics download, the Markdown and a private calendar feed URL on the clipboard.
    const weekKey = await laptopPlan.getAttribute('data-week');
    const [download] = await Promise.all([laptop.waitForEvent('download'), laptopPlan.getByRole('link', { name: 'Download .ics' }).click()]);
    expect(download.suggestedFilename()).toBe(`focus-${weekKey}.ics`);
    await laptopPlan.getByRole('button', { name: 'Copy Markdown' }).click();
    await laptopPlan.getByRole('status').filter({ hasText: 'Markdown copied' }).waitFor(WAIT);
    expect(await laptop.evaluate(() => navigator.clipboard.readText())).toContain('- [ ] Ship pricing page');
    await laptopPlan.getByRole('button', { name: 'Copy calendar feed URL' }).click();
    await laptopPlan.getByRole('status').filter({ hasText: 'Feed URL copied' }).waitFor(WAIT);
    const feedUrl = await laptop.evaluate(() => navigator.clipboard.readText());
    expect(feedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/feeds\/[\w-]+\.ics$/);
    expect(await (await fetch(feedUrl)).text()).toContain('BEGIN:VCALENDAR');

    // Same transcript on both devices, equal to the log.
    await expect.poll(async () => (await assistantTexts(phone)).length, WAIT).toBe(10);
    const endTexts = ends(await sessionEvents(server, laptop.context(), sessionId)).map((e) => e.data.text);
    expect(await assistantTexts(laptop)).toEqual(endTexts);
    expect(await assistantTexts(phone)).toEqual(endTexts);

    laptopErrors.expectNone();
    phoneErrors.expectNone();
  }, 60_000);

  it('takes screenshots of the main screens', async () => {
    const desktop = await (await newContext(server, DESKTOP)).newPage();
    const errors = new PageErrors(desktop, 'desktop');
    await desktop.goto('/');
    await desktop.getByLabel('Email').waitFor(WAIT);
    await screenshot(desktop, '01-login');

    await desktop.getByLabel('Email').fill(planner);
    await desktop.getByLabel('Password').fill(PASSWORD);
    await desktop.getByRole('button', { name: 'Log in' }).click();
    await desktop.getByRole('link', { name: /Weekly plan/ }).first().waitFor(WAIT);
    await screenshot(desktop, '02-sessions');

    await desktop.getByRole('link', { name: /Weekly plan/ }).first().click();
    await expectLive(desktop);
    await desktop.getByTestId('plan').getByTestId('week-grid').waitFor(WAIT);
    await finishedAnswers(desktop).nth(9).waitFor(WAIT);
    await screenshot(desktop, '03-chat-with-plan');

    await desktop.getByRole('button', { name: 'Open on another device' }).click();
    await desktop.getByRole('dialog').getByRole('img', { name: /QR code/ }).waitFor(WAIT);
    await screenshot(desktop, '04-pairing-dialog');
    await desktop.keyboard.press('Escape');
    await expect.poll(() => desktop.getByRole('dialog').isVisible(), WAIT).toBe(false);

    const phone = await (await newContext(server, PHONE)).newPage();
    const phoneErrors = new PageErrors(phone, 'phone');
    await phone.goto('/');
    await phone.getByLabel('Email').fill(planner);
    await phone.getByLabel('Password').fill(PASSWORD);
    await phone.getByRole('button', { name: 'Log in' }).click();
    await phone.getByRole('link', { name: /Weekly plan/ }).first().click();
    await expectLive(phone);
    await finishedAnswers(phone).nth(9).waitFor(WAIT);
    await screenshot(phone, '05-phone-chat');
    await phone.getByTestId('plan-drawer').locator('summary').click();
    await phone.getByTestId('plan').getByTestId('agenda').waitFor(WAIT);
    await screenshot(phone, '06-phone-plan');

    errors.expectNone();
    phoneErrors.expectNone();
  }, 60_000);
});

describe('resilience (long answers)', () => {
  it('survives a network drop mid-answer: no missing or doubled text, the offline message delivered once', async () => {
    const context = await newContext(server, DESKTOP);
    const page = await context.newPage();
    const errors = new PageErrors(page, 'page');
    await signUp(page, uniqueEmail('net'));
    const sessionId = await openSessionOfKind(page, 'chat', 'Long answers');
    await expectLive(page);

    await send(page, 'Tell me a long story');
    const streaming = page.locator('.msg.assistant.streaming p');
    await expect.poll(async () => ((await streaming.textContent().catch(() => '')) ?? '').split(' ').length, WAIT).toBeGreaterThan(10);

    await context.setOffline(true);
    await page.getByTestId('offline-banner').getByText('You’re offline — messages will send when you’re back.').waitFor(WAIT);
    await send(page, 'Sent while offline');
    await page.locator('.msg.user.pending').getByText('Sent while offline').waitFor(WAIT);
    await page.locator('.msg.user.pending .meta').getByText('Will send when you’re back online').waitFor(WAIT);
    // No jargon, and no claim that the person interrupted an answer they could not reach.
    expect(await page.locator('body').textContent()).not.toMatch(/queued|You interrupted/);
    // Stay offline while the server keeps writing the answer.
    await page.waitForTimeout(2_000);
    await context.setOffline(false);
    await expectLive(page);

    // Both answers end: the first (complete, or interrupted by the queued message) and the reply to it.
    await expect.poll(async () => ends(await sessionEvents(server, context, sessionId)).length, WAIT).toBe(2);
    await expect.poll(() => finishedAnswers(page).count(), WAIT).toBe(2);
    const events = await sessionEvents(server, context, sessionId);
    expect(await assistantTexts(page)).toEqual(ends(events).map((e) => e.data.text));
    expect(events.filter((e) => e.type === 'user.message' && e.data.text === 'Sent while offline')).toHaveLength(1);
    expect(await page.locator('.msg.user p').allTextContents()).toEqual(['Tell me a long story', 'Sent while offline']);
    errors.expectNone();
  }, 60_000);

  it('continues an answer where it was after a reload', async () => {
    const context = await newContext(server, DESKTOP);
    const page = await context.newPage();
    const errors = new PageErrors(page, 'page');
    await signUp(page, uniqueEmail('reload'));
    const sessionId = await openSessionOfKind(page, 'chat', 'Long answers');
    await expectLive(page);

    await send(page, 'Reload in the middle of this');
    const streaming = page.locator('.msg.assistant.streaming p');
    await expect.poll(async () => ((await streaming.textContent().catch(() => '')) ?? '').split(' ').length, WAIT).toBeGreaterThan(10);
    const reloadedAt = Date.now();
    await page.reload();
    await expectLive(page);

    await expect.poll(() => finishedAnswers(page).count(), WAIT).toBe(1);
    const events = await sessionEvents(server, context, sessionId);
    expect(ends(events)).toHaveLength(1);
    const end = nth(ends(events), 0);
    expect(end.data.status).toBe('complete');
    // It was still being written when the page went away.
    expect(Date.parse(end.at)).toBeGreaterThan(reloadedAt);
    expect(await assistantTexts(page)).toEqual([end.data.text]);
    errors.expectNone();
  }, 60_000);
});

describe('a first visit, signed out', () => {
  it('makes no failing request and logs no console error', async () => {
    const page = await (await newContext(server, DESKTOP)).newPage();
    const errors = new PageErrors(page, 'first visit');
    const failing: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failing.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => failing.push(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    await page.goto('/');
    await page.getByRole('button', { name: 'Create account' }).waitFor(WAIT);
    // Let anything the login view starts on its own finish.
    await page.waitForLoadState('networkidle');
    expect(failing).toEqual([]);
    errors.expectNone();
  }, 60_000);
});
