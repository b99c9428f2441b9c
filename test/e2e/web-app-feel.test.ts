// The web app as a planner people already know (issue 11, part 4), in real Chromium against
// the real server: a fixed app frame, Retry and Continue without user messages, one plan per
// week, deleting a session, first run, pairing, offline, phone input, account basics and
// accessibility. Screenshots of each changed screen at 1280×800 and 390×844 go to
// test-results/screenshots/ (kept out of git).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { SessionEvent } from '../../server/session/types.ts';
import {
  DESKTOP,
  ensureWebBuild,
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

const WAIT = { timeout: 20_000 };


let browser: Browser;
let server: E2eServer;
const contexts: BrowserContext[] = [];

async function newPage(options: BrowserContextOptions): Promise<Page> {
  const context = await browser.newContext({ ...options, baseURL: server.url });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  contexts.push(context);
  return context.newPage();
}

async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('plan-week').waitFor(WAIT);
}

async function logIn(page: Page, email: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('plan-week').waitFor(WAIT);
}

const expectLive = (page: Page) => page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor(WAIT);
const finished = (page: Page) => page.locator('.msg.assistant:not(.streaming)');
const userMessages = (events: SessionEvent[]) => events.filter((e) => e.type === 'user.message');

async function say(page: Page, text: string): Promise<void> {
  const before = await finished(page).count();
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await finished(page).nth(before).waitFor(WAIT);
}

/** Where the app frame is: the document's scroll and the header's top edge. */
const frame = (page: Page) =>
  page.evaluate(() => ({
    scrollY: window.scrollY,
    docScroll: document.scrollingElement?.scrollTop ?? 0,
    overflow: document.documentElement.scrollHeight - window.innerHeight,
    headerTop: document.querySelector('.chat .bar')?.getBoundingClientRect().top ?? Number.NaN,
  }));

beforeAll(async () => {
  const launching = launchChromium();
  await ensureWebBuild();
  // Offline coach fast; "chat" sessions get the demo agent's long answers (~3 s), long enough to stop.
  [browser, server] = await Promise.all([launching, startE2eServer({ offlinePaceMs: 2, demoPaceMs: 25 })]);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.cleanup();
});

describe('the app frame', () => {
  const email = uniqueEmail('frame');

  it('first run: the coach opens by itself, the message box has the focus, and scrolling never moves the app frame', async () => {
    const page = await newPage(DESKTOP);
    const errors = new PageErrors(page, 'desktop');
    await signUp(page, email);
    // Home on first run: two lines on FOCUS and what happens next.
    await page.locator('.welcome .first-run').getByText(/weekly planning method/).waitFor(WAIT);
    await screenshot(page, 'webapp-01-home-first-run-desktop');
    await page.getByRole('button', { name: 'Plan this week' }).click();
    await page.waitForURL(/#\/s\//, WAIT);
    await expectLive(page);
    // The coach speaks first; nobody typed hello.
    await finished(page).first().waitFor(WAIT);
    expect(await page.locator('.msg.user').count()).toBe(0);
    expect(await finished(page).first().locator('p').textContent()).toMatch(/\?/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('message-box');
    expect(await page.getByRole('main').count()).toBe(1);
    await screenshot(page, 'webapp-02-chat-first-run-desktop');

    for (const answer of ['Lead the platform team and ship v2', 'Run a half marathon', 'A weekly dinner with friends', 'Ship pricing page, draft Q1 plan and hire a designer', 'phone in another room, notifications off', 'Tue 9-11']) {
      await say(page, answer);
    }
    // The transcript overflows its own scroll area, not the page.
    expect(await page.locator('.scroller').evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    expect(await frame(page)).toEqual({ scrollY: 0, docScroll: 0, overflow: 0, headerTop: 0 });

    // Wheel over the header, over the transcript past its end, and keys on the page.
    const header = (await page.locator('.chat .bar').boundingBox())!;
    await page.mouse.move(header.x + 200, header.y + header.height / 2);
    await page.mouse.wheel(0, 3_000);
    const scroller = (await page.locator('.scroller').boundingBox())!;
    await page.mouse.move(scroller.x + 100, scroller.y + 100);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 2_000);
    await page.locator('.chat .bar h1').click();
    await page.keyboard.press('End');
    await page.keyboard.press('PageDown');
    await page.waitForTimeout(300);
    expect(await frame(page)).toEqual({ scrollY: 0, docScroll: 0, overflow: 0, headerTop: 0 });

    // Scrolled up, "Jump to latest" brings the newest message back.
    await page.mouse.move(scroller.x + 100, scroller.y + 100);
    await page.mouse.wheel(0, -5_000);
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor(WAIT);
    await screenshot(page, 'webapp-03-chat-jump-to-latest-desktop');
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expect.poll(() => page.locator('.scroller').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), WAIT).toBeLessThan(5);
    expect((await frame(page)).headerTop).toBe(0);

    // Messages carry timestamps and copy buttons; the hour labels are readable.
    expect(await page.locator('.msg time').count()).toBeGreaterThan(10);
    await page.locator('.msg.assistant').last().getByRole('button', { name: /Copy the coach/ }).click();
    await page.locator('.msg.assistant').last().getByText('Copied').waitFor(WAIT);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await page.locator('.msg.assistant p').last().textContent());
    const hourPx = await page.locator('.wk-hours span').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(hourPx).toBeGreaterThanOrEqual(12);
    errors.expectNone();
  }, 90_000);

  it('on a phone too: the frame stays, Enter makes a new line and Send sends', async () => {
    const page = await newPage(PHONE);
    const errors = new PageErrors(page, 'phone');
    await logIn(page, email);
    await screenshot(page, 'webapp-04-home-phone');
    await page.getByRole('button', { name: 'Continue this week’s plan' }).click();
    await expectLive(page);
    await finished(page).nth(6).waitFor(WAIT);
    await screenshot(page, 'webapp-05-chat-phone');
    const box = page.getByLabel('Message');
    await box.tap();
    await box.pressSequentially('Tue 9-11');
    await page.keyboard.press('Enter');
    await box.pressSequentially('and Thu 8-10');
    expect(await box.inputValue()).toBe('Tue 9-11\nand Thu 8-10');
    expect(await page.locator('.composer-hint').textContent()).toBe('Send sends · Enter adds a line');
    const before = await finished(page).count();
    await page.getByRole('button', { name: 'Send' }).tap();
    await finished(page).nth(before).waitFor(WAIT);
    expect(await page.locator('.msg.user p').last().textContent()).toBe('Tue 9-11\nand Thu 8-10');

    // The plan drawer is closed on a phone: a change made elsewhere is flagged on it, until opened.
    const drawer = page.getByTestId('plan-drawer');
    await drawer.locator('summary').tap();
    await drawer.locator('summary').tap();
    expect(await drawer.getAttribute('open')).toBeNull();
    expect(await page.getByTestId('plan-unseen').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const { plan } = (await (await fetch('/api/weeks/current')).json()) as { plan: { weekKey: string } };
      const r = await fetch(`/api/weeks/${plan.weekKey}/environment`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Laptop closed after 19:00' }) });
      return r.status;
    });
    expect(status).toBe(201);
    await page.getByTestId('plan-unseen').getByText('Updated').waitFor(WAIT);
    await drawer.locator('summary').tap();
    await page.getByTestId('plan-unseen').waitFor({ state: 'detached', ...WAIT });
    await drawer.locator('summary').tap();

    const scroller = (await page.locator('.scroller').boundingBox())!;
    await page.mouse.move(scroller.x + 50, scroller.y + 50);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 2_000);
    const header = (await page.locator('.chat .bar').boundingBox())!;
    await page.mouse.move(header.x + 50, header.y + 10);
    await page.mouse.wheel(0, 2_000);
    await page.waitForTimeout(300);
    expect(await frame(page)).toEqual({ scrollY: 0, docScroll: 0, overflow: 0, headerTop: 0 });
    errors.expectNone();
  }, 60_000);
});

describe('Retry and Continue (SL15)', () => {
  it('Continue resumes the stopped answer in place and Retry answers again; neither adds a user message', async () => {
    const page = await newPage(DESKTOP);
    const errors = new PageErrors(page, 'desktop');
    await signUp(page, uniqueEmail('retry'));
    const sessionId = await openSessionOfKind(page, 'chat', 'Long answers');
    await expectLive(page);
    await page.getByLabel('Message').fill('Tell me a long story');
    await page.getByRole('button', { name: 'Send' }).click();
    const streaming = page.locator('.msg.assistant.streaming p');
    await expect.poll(async () => ((await streaming.textContent().catch(() => '')) ?? '').split(' ').length, WAIT).toBeGreaterThan(8);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.msg.assistant.cancelled').waitFor(WAIT);
    const stopped = (await page.locator('.msg.assistant p').textContent()) ?? '';
    await screenshot(page, 'webapp-06-chat-stopped-desktop');

    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('.msg.assistant.streaming').waitFor(WAIT);
    await page.locator('.msg.assistant.complete').waitFor(WAIT);
    expect(await page.locator('.msg.assistant').count()).toBe(1);
    const continued = (await page.locator('.msg.assistant p').textContent()) ?? '';
    expect(continued.startsWith(stopped)).toBe(true);
    expect(continued.length).toBeGreaterThan(stopped.length);

    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.msg.assistant.streaming').waitFor(WAIT);
    await page.locator('.msg.assistant.complete').waitFor(WAIT);
    expect(await page.locator('.msg.assistant').count()).toBe(1);
    expect(await page.locator('.msg.user').count()).toBe(1);

    const events = await sessionEvents(server, page.context(), sessionId);
    expect(userMessages(events).map((e) => e.data.text)).toEqual(['Tell me a long story']);
    expect(events.filter((e) => e.type === 'turn.requested').map((e) => e.data.mode)).toEqual(['continue', 'retry']);
    // After a reload the transcript is the same: one question, one answer (the retried one).
    await page.reload();
    await expectLive(page);
    await page.locator('.msg.assistant.complete').waitFor(WAIT);
    expect(await page.locator('.msg').count()).toBe(2);
    errors.expectNone();
  }, 60_000);
});

describe('sessions', () => {
  it('a second "Plan this week" continues the existing session; rename and delete (with a confirmation) work, and deleting closes the session’s sockets', async () => {
    const page = await newPage(DESKTOP);
    const errors = new PageErrors(page, 'desktop');
    const email = uniqueEmail('sessions');
    await signUp(page, email);
    await page.getByRole('button', { name: 'Plan this week' }).click();
    await page.waitForURL(/#\/s\//, WAIT);
    const first = sessionIdOf(page);
    await finished(page).first().waitFor(WAIT);
    await page.getByRole('link', { name: 'Sessions' }).click();

    await page.getByRole('button', { name: 'Continue this week’s plan' }).click();
    await page.waitForURL(/#\/s\//, WAIT);
    expect(sessionIdOf(page)).toBe(first);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByTestId('session-item').first().waitFor(WAIT);
    expect(await page.getByTestId('session-item').count()).toBe(1);
    // Title, the coach's last line, a status; the week at a glance.
    const item = page.getByTestId('session-item').first();
    expect(await item.locator('.preview').textContent()).toMatch(/^Coach: .+\?$/);
    expect(await item.locator('.chip').textContent()).toBe('Your turn');
    await page.getByTestId('week-glance').waitFor(WAIT);
    await screenshot(page, 'webapp-07-home-desktop');

    await item.getByRole('button', { name: /^Rename/ }).click();
    await page.getByLabel(/New name for/).fill('Launch week');
    await page.getByRole('button', { name: 'Save' }).click();
    await item.locator('.session-head .title').getByText('Launch week').waitFor(WAIT);

    // Another tab has the conversation open.
    const other = await page.context().newPage();
    await other.goto(`/#/s/${first}`);
    await expectLive(other);
    const socketsBefore = server.services.sockets.size;

    await item.getByRole('button', { name: /^Delete/ }).click();
    const confirm = page.getByRole('dialog', { name: /Delete “Launch week”\?/ });
    await confirm.waitFor(WAIT);
    await screenshot(page, 'webapp-08-delete-confirm-desktop');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('session-item').count()).toBe(1);
    await item.getByRole('button', { name: /^Delete/ }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByTestId('session-item').count(), WAIT).toBe(0);

    // The other tab's socket was closed by the server: it says so and stops retrying.
    await other.getByText('This conversation was deleted.').waitFor(WAIT);
    await other.getByTestId('connection').filter({ hasText: 'Deleted' }).waitFor(WAIT);
    await expect.poll(() => server.services.sockets.size, WAIT).toBe(socketsBefore - 1);
    expect(await server.services.db.prisma.event.count({ where: { sessionId: first } })).toBe(0);
    expect(await server.services.db.prisma.session.count({ where: { id: first } })).toBe(0);
    // With it gone, "Plan this week" starts afresh.
    await page.getByRole('button', { name: 'Plan this week' }).waitFor(WAIT);
    errors.expectNone();
  }, 60_000);
});

describe('pairing, devices and account', () => {
  it('the dialog confirms "Your phone is connected" and closes; another account’s link asks first; the signed-out phone is told why', async () => {
    const laptop = await newPage(DESKTOP);
    const laptopErrors = new PageErrors(laptop, 'laptop');
    await signUp(laptop, uniqueEmail('alice'));
    await laptop.getByRole('button', { name: 'Plan this week' }).click();
    await laptop.waitForURL(/#\/s\//, WAIT);
    const sessionId = sessionIdOf(laptop);
    await expectLive(laptop);
    // The header button says what it does, not a bare "Continue".
    expect((await laptop.locator('.pair-button').innerText()).trim()).toBe('Open on another device');

    await laptop.getByRole('button', { name: 'Open on another device' }).click();
    const dialog = laptop.getByRole('dialog', { name: 'Open on another device' });
    await dialog.getByRole('img', { name: /QR code/ }).waitFor(WAIT);
    expect(await dialog.textContent()).toMatch(/Scan the code with your phone’s camera/);
    await screenshot(laptop, 'webapp-09-pairing-dialog-desktop');
    const link = await dialog.getByTestId('pair-link').inputValue();

    // The phone is signed in as Bob: opening Alice's link asks before switching.
    const phone = await newPage(PHONE);
    const phoneErrors = new PageErrors(phone, 'phone');
    const bob = uniqueEmail('bob');
    await signUp(phone, bob);
    await phone.goto(link);
    await phone.getByTestId('switch-account').getByText(bob).waitFor(WAIT);
    await screenshot(phone, 'webapp-10-pair-switch-account-phone');
    await phone.getByRole('button', { name: 'Continue on this device' }).click();
    await phone.getByRole('alert').getByText(/Tick the box/).waitFor(WAIT);
    expect(phone.url()).toContain('/pair/');
    await phone.getByLabel('Switch accounts if needed').check();
    await phone.getByLabel('Name this device').fill('Alice’s phone');
    await phone.getByRole('button', { name: 'Continue on this device' }).click();
    await phone.waitForURL(new RegExp(`/#/s/${sessionId}$`), WAIT);

    // The laptop's dialog confirms, then closes by itself.
    await dialog.getByTestId('pair-connected').getByText('Your phone is connected').waitFor(WAIT);
    await screenshot(laptop, 'webapp-11-pairing-connected-desktop');
    await expect.poll(() => dialog.isVisible(), WAIT).toBe(false);

    // On the phone, the dialog does not ask to scan "with your phone"; its button has a name.
    await expectLive(phone);
    await phone.getByRole('button', { name: 'Open on another device' }).click();
    const phoneDialog = phone.getByRole('dialog', { name: 'Open on another device' });
    await phoneDialog.getByRole('img', { name: /QR code/ }).waitFor(WAIT);
    expect(await phoneDialog.textContent()).not.toMatch(/with your phone/);
    await screenshot(phone, 'webapp-12-pairing-dialog-phone');
    await phoneDialog.getByRole('button', { name: 'Close' }).click();

    // Account basics on the laptop: time zone with a friendly name, feeds, devices.
    await laptop.getByRole('link', { name: 'Sessions' }).click();
    await laptop.getByTestId('account').locator('summary').click();
    await laptop.getByTestId('current-zone').getByText(/^Berlin — /).waitFor(WAIT);
    await laptop.getByLabel('Change time zone').selectOption('America/New_York');
    await laptop.getByTestId('current-zone').getByText(/^New York — Eastern/).waitFor(WAIT);
    expect(await laptop.evaluate(() => fetch('/api/me').then((r) => r.json()).then((j) => j.user.timeZone))).toBe('America/New_York');
    await laptop.evaluate(() => fetch('/api/feeds', { method: 'POST' }));
    // Closed and opened again, the section shows the new feed.
    await laptop.getByTestId('account').locator('summary').click();
    await laptop.getByTestId('account').locator('summary').click();
    await laptop.getByRole('button', { name: 'Turn off' }).waitFor(WAIT);
    await screenshot(laptop, 'webapp-13-account-desktop');
    await laptop.getByRole('button', { name: 'Turn off' }).click();
    await laptop.getByRole('dialog', { name: /Turn off this calendar feed/ }).getByRole('button', { name: 'Turn off' }).click();
    await laptop.getByText(/No calendar subscriptions/).waitFor(WAIT);
    expect(await laptop.evaluate(() => fetch('/api/feeds').then((r) => r.json()).then((j) => j.feeds.length))).toBe(0);

    // Signing out the phone asks first; the phone then says why it is at the sign-in page.
    await laptop.getByRole('button', { name: 'Sign out Alice’s phone' }).click();
    const ask = laptop.getByRole('dialog', { name: 'Sign out Alice’s phone?' });
    await ask.waitFor(WAIT);
    await screenshot(laptop, 'webapp-14-signout-confirm-desktop');
    await ask.getByRole('button', { name: 'Sign out' }).click();
    await phone.getByTestId('signed-out-notice').getByText(/signed out from another of your devices/).waitFor(WAIT);
    await screenshot(phone, 'webapp-15-signed-out-phone');

    laptopErrors.expectNone();
    phoneErrors.expectNone();
  }, 90_000);
});

describe('offline and accessibility', () => {
  it('offline shows a clear banner, no jargon; a reload shows the transcript without "say hello"; Tab reaches the message box early', async () => {
    const page = await newPage(DESKTOP);
    const errors = new PageErrors(page, 'desktop', (m) => /status of 401/.test(m.text()) || /ERR_INTERNET_DISCONNECTED|net::/.test(m.text()));
    await signUp(page, uniqueEmail('offline'));
    await page.getByRole('button', { name: 'Plan this week' }).click();
    await page.waitForURL(/#\/s\//, WAIT);
    await finished(page).first().waitFor(WAIT);

    // The skip link is the first stop in the tab order and leads to the message box; without it,
    // the message box is a few Tabs from the top (the plan, with its many buttons, comes after it).
    const firstTabbable = await page.evaluate(() => document.querySelector<HTMLElement>('a[href], button:not([disabled]), textarea, [tabindex="0"]')?.textContent);
    expect(firstTabbable).toBe('Skip to the message box');
    await page.locator('.skip-link').focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('message-box');
    await page.getByRole('link', { name: 'Sessions' }).focus();
    // From the header, the next stops are the header's own buttons and the handoff bar (Take
    // over), then the message box: nothing of the conversation or the plan comes before it.
    let tabs = 0;
    const passed: string[] = [];
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'message-box' && tabs < 10) {
      await page.keyboard.press('Tab');
      tabs++;
      passed.push(await page.evaluate(() => (document.activeElement?.closest('header.bar, .handoff') ? 'chrome' : document.activeElement?.id === 'message-box' ? 'box' : (document.activeElement?.outerHTML ?? '').slice(0, 80))));
    }
    expect(passed.filter((p) => p !== 'chrome' && p !== 'box')).toEqual([]);
    expect(tabs).toBeLessThanOrEqual(4);
    await screenshot(page, 'webapp-17-chat-desktop');
    // A polite live region announces the finished reply.
    expect(await page.getByTestId('reply-announcer').getAttribute('aria-live')).toBe('polite');
    await say(page, 'Lead the platform team');
    await expect.poll(() => page.getByTestId('reply-announcer').textContent(), WAIT).toMatch(/^Coach: /);

    await page.context().setOffline(true);
    await page.getByTestId('offline-banner').getByText('You’re offline — messages will send when you’re back.').waitFor(WAIT);
    await page.getByLabel('Message').fill('Run a half marathon');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.msg.user.pending .meta').getByText('Will send when you’re back online').waitFor(WAIT);
    expect(await page.locator('.composer-hint').textContent()).toBe('You’re offline — messages will send when you’re back.');
    expect(await page.locator('body').textContent()).not.toMatch(/queued|You interrupted/);
    await screenshot(page, 'webapp-16-offline-desktop');
    await page.context().setOffline(false);
    await expectLive(page);
    await finished(page).nth(2).waitFor(WAIT);

    // Reload: the transcript comes back and "say hello" never shows.
    const seen: string[] = [];
    await page.exposeFunction('reportEmpty', (t: string) => seen.push(t));
    await page.addInitScript(() => {
      new MutationObserver(() => {
        const t = document.querySelector('.messages')?.textContent ?? '';
        if (/say hello/i.test(t)) (window as unknown as { reportEmpty(t: string): void }).reportEmpty(t);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.reload();
    await expectLive(page);
    await finished(page).nth(2).waitFor(WAIT);
    expect(seen).toEqual([]);
    errors.expectNone();
  }, 60_000);
});

describe('screenshots at 1280×800 and 390×844', () => {
  it('of every changed screen, for looking at', async () => {
    const page = await newPage(DESKTOP);
    const errors = new PageErrors(page, 'desktop', (m) => /status of 401/.test(m.text()) || /ERR_INTERNET_DISCONNECTED|net::/.test(m.text()));
    const email = uniqueEmail('shots');
    await signUp(page, email);
    const sizes = [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 390, height: 844 }],
    ] as const;
    for (const [name, size] of sizes) {
      await page.setViewportSize(size);
      await page.goto('/');
      await page.getByTestId('plan-week').waitFor(WAIT);
      await screenshot(page, `webapp-20-home-${name}`);
      await page.getByTestId('account').locator('summary').click();
      await page.getByRole('heading', { name: 'Your devices' }).waitFor(WAIT);
      await page.getByRole('heading', { name: 'Your devices' }).scrollIntoViewIfNeeded();
      await screenshot(page, `webapp-21-account-${name}`);
    }
    // A stopped answer offering Retry and Continue, then the offline banner.
    await page.setViewportSize({ width: 1280, height: 800 });
    const sessionId = await openSessionOfKind(page, 'chat', 'Long answers');
    await expectLive(page);
    await page.getByLabel('Message').fill('Tell me a long story');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(async () => ((await page.locator('.msg.assistant.streaming p').textContent().catch(() => '')) ?? '').length, WAIT).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.msg.assistant.cancelled').waitFor(WAIT);
    for (const [name, size] of sizes) {
      await page.setViewportSize(size);
      await page.waitForTimeout(200);
      await screenshot(page, `webapp-22-stopped-${name}`);
    }
    await page.context().setOffline(true);
    await page.getByTestId('offline-banner').waitFor(WAIT);
    for (const [name, size] of sizes) {
      await page.setViewportSize(size);
      await page.waitForTimeout(200);
      await screenshot(page, `webapp-23-offline-${name}`);
    }
    await page.context().setOffline(false);
    await expectLive(page);
    // The first run of a plan.
    await page.goto('/');
    await page.getByTestId('plan-week').click();
    await finished(page).first().waitFor(WAIT);
    for (const [name, size] of sizes) {
      await page.setViewportSize(size);
      await page.waitForTimeout(200);
      await screenshot(page, `webapp-24-first-run-${name}`);
    }
    // A pairing link opened while signed in, and the signed-out notice.
    for (const [name, size] of sizes) {
      await page.setViewportSize(size);
      await page.goto('/pair/ABCDE12345');
      await page.getByTestId('switch-account').waitFor(WAIT);
      await screenshot(page, `webapp-25-pair-signed-in-${name}`);
    }
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    errors.expectNone();
  }, 90_000);
});
