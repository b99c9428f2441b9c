// A human joins the session, in Chromium: the owner invites by link, the partner (another
// browser context, another account) opens it, takes over, answers, and hands back; the
// owner sees the "Coach paused" banner, the partner's name on their messages and in
// presence, and the coach answering again after the hand-back.

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
