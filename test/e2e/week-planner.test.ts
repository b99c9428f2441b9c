// The week page in real Chromium, two browser contexts of one user against the real server:
// a drag on A shows on B within a second, a too-short deep-work resize is refused with a
// message, a block moves with the keyboard, undo restores it, and the .ics has the move.
// Screenshots of the week page at 1280×800 and 390×844 go to test-results/screenshots/.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { WeekPlan } from '../../server/plan/types.ts';
import { localToInstant, weekKeyFor } from '../../server/plan/week.ts';
import { api, signup, type Account } from '../support/client.ts';
import { ensureWebBuild, launchChromium, PageErrors, screenshot, startE2eServer, type E2eServer } from './support/browser.ts';

const WAIT = { timeout: 20_000 };
const TZ = 'Europe/Berlin';
/** The grid's pixels per hour (web/src/app/week/WeekGrid.tsx). */
const HOUR_PX = 44;
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, timezoneId: TZ, locale: 'en-GB' };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  timezoneId: TZ,
  locale: 'en-GB',
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
};

let server: E2eServer;
let browser: Browser;
let account: Account;
let week: string;
const contexts: BrowserContext[] = [];
const at = (day: number, hhmm: string) => localToInstant(week, day, hhmm, TZ);

beforeAll(async () => {
  await ensureWebBuild();
  server = await startE2eServer({ offlinePaceMs: 1, demoPaceMs: 5 });
  browser = await launchChromium();
  account = await signup(server.url);
  expect((await api(server.url, account, 'PATCH', '/api/me', { timeZone: TZ })).status).toBe(200);
  week = weekKeyFor(new Date(), TZ);
  const rock = await api<{ plan: WeekPlan }>(server.url, account, 'POST', `/api/weeks/${week}/rocks`, { title: 'Ship the launch' });
  const rockId = rock.body.plan.rocks[0]!.id;
  await api(server.url, account, 'POST', `/api/weeks/${week}/rocks`, { title: 'Write the talk' });
  const made = await api(server.url, account, 'POST', `/api/weeks/${week}/blocks`, { kind: 'deep_work', title: 'Launch brief', start: at(1, '09:00'), end: at(1, '11:00'), rockId });
  expect(made.status).toBe(201);
  await api(server.url, account, 'POST', `/api/weeks/${week}/blocks`, { kind: 'recovery', title: 'Long walk', start: at(2, '12:30'), end: at(2, '13:30') });
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.cleanup();
});

async function openWeek(options: BrowserContextOptions): Promise<{ page: Page; context: BrowserContext; errors: PageErrors }> {
  const context = await browser.newContext({ ...options, baseURL: server.url, acceptDownloads: true });
  contexts.push(context);
  const [name, value] = account.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  const errors = new PageErrors(page, options.isMobile ? 'phone' : 'desktop', (m) => /status of 4(12|22)/.test(m.text()));
  await page.goto(`/weeks/${week}`);
  await block(page, 'Launch brief').waitFor(WAIT);
  return { page, context, errors };
}

const block = (page: Page, title: string) => page.locator('.wk-block', { hasText: title });
const labelOf = (page: Page, title: string) => block(page, title).getAttribute('aria-label');

async function serverBlock(title: string) {
  const r = await api<{ plan: WeekPlan }>(server.url, account, 'GET', `/api/weeks/${week}`);
  return r.body.plan.blocks.find((b) => b.title === title)!;
}

describe('the week page: direct edits on two devices', () => {
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    ({ page: a } = await openWeek(DESKTOP));
    ({ page: b } = await openWeek(DESKTOP));
  }, 60_000);

  it('dragging a block on A moves it on B’s grid within a second', async () => {
    expect(await labelOf(b, 'Launch brief')).toContain('Tue 09:00–11:00');
    const box = (await block(a, 'Launch brief').boundingBox())!;
    const dayWidth = box.width + 4;
    await a.mouse.move(box.x + box.width / 2, box.y + 10);
    await a.mouse.down();
    await a.mouse.move(box.x + box.width / 2 + dayWidth / 2, box.y + 10 + HOUR_PX / 2, { steps: 4 });
    await a.mouse.move(box.x + box.width / 2 + dayWidth, box.y + 10 + HOUR_PX, { steps: 4 });
    const saved = a.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/blocks/'));
    await a.mouse.up();
    // Shown at once on A (optimistic), then saved.
    expect(await labelOf(a, 'Launch brief')).toContain('Wed 10:00–12:00');
    expect((await saved).status()).toBe(200);
    const savedAt = Date.now();
    await b.locator('.wk-block[aria-label*="Wed 10:00–12:00"]', { hasText: 'Launch brief' }).waitFor({ timeout: 5_000 });
    expect(Date.now() - savedAt).toBeLessThan(1000);
    expect(await serverBlock('Launch brief')).toMatchObject({ start: at(2, '10:00'), end: at(2, '12:00') });
    await screenshot(a, 'week-desktop-1280x800');
  });

  it('the downloaded .ics shows the move', async () => {
    const download = a.waitForEvent('download');
    await a.getByRole('link', { name: 'Download .ics' }).click();
    const ics = await readFile((await (await download).path())!, 'utf8');
    const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const event = ics.split('BEGIN:VEVENT').find((e) => e.includes('SUMMARY:Deep work: Launch brief'));
    expect(event).toContain(`DTSTART:${stamp(at(2, '10:00'))}`);
    expect(event).toContain(`DTEND:${stamp(at(2, '12:00'))}`);
  });

  it('resizing a deep-work block below 45 minutes is refused with a message, and the block springs back', async () => {
    const box = (await block(a, 'Launch brief').boundingBox())!;
    const edge = { x: box.x + box.width / 2, y: box.y + box.height - 3 };
    await a.mouse.move(edge.x, edge.y);
    await a.mouse.down();
    // Two hours down to 30 minutes.
    await a.mouse.move(edge.x, edge.y - HOUR_PX * 1.5, { steps: 6 });
    await a.mouse.up();
    const notice = a.getByTestId('edit-notice');
    await notice.waitFor(WAIT);
    expect(await notice.textContent()).toMatch(/deep work needs at least 45 minutes/);
    await a.locator('.wk-block[aria-label*="Wed 10:00–12:00"]', { hasText: 'Launch brief' }).waitFor(WAIT);
    expect(await serverBlock('Launch brief')).toMatchObject({ start: at(2, '10:00'), end: at(2, '12:00') });
  });

  it('moves a focused block with the keyboard, and undo (Ctrl+Z, then the toast) restores it', async () => {
    await block(a, 'Long walk').focus();
    await a.keyboard.press('ArrowDown');
    await a.keyboard.press('ArrowDown');
    await a.locator('.wk-block[aria-label*="Wed 13:00–14:00"]', { hasText: 'Long walk' }).waitFor(WAIT);
    await expect.poll(async () => (await serverBlock('Long walk')).start, WAIT).toBe(at(2, '13:00'));
    await b.locator('.wk-block[aria-label*="Wed 13:00–14:00"]', { hasText: 'Long walk' }).waitFor(WAIT);
    // Shift+ArrowDown resizes; the focus stays on the block throughout.
    await a.keyboard.press('Shift+ArrowDown');
    await expect.poll(async () => (await serverBlock('Long walk')).end, WAIT).toBe(at(2, '14:15'));
    // The toast follows the answer to the request, which can land just after the server's state.
    await expect.poll(() => a.getByTestId('toast').textContent(), WAIT).toMatch(/Resized “Long walk”.*Undo/);

    await a.keyboard.press('Control+z');
    await expect.poll(async () => (await serverBlock('Long walk')).end, WAIT).toBe(at(2, '14:00'));
    await a.locator('.wk-block[aria-label*="Wed 13:00–14:00"]', { hasText: 'Long walk' }).waitFor(WAIT);

    await block(a, 'Long walk').focus();
    await a.keyboard.press('ArrowRight');
    await expect.poll(async () => (await serverBlock('Long walk')).start, WAIT).toBe(at(3, '13:00'));
    await a.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await serverBlock('Long walk')).start, WAIT).toBe(at(2, '13:00'));
    await b.locator('.wk-block[aria-label*="Wed 13:00–14:00"]', { hasText: 'Long walk' }).waitFor(WAIT);
  });

  it('adds a block by clicking an empty slot, and Enter opens it, Delete removes it', async () => {
    const thursday = a.locator('.wk-day[data-day="3"]');
    const box = (await thursday.boundingBox())!;
    // 15:00 on Thursday (the column's box already moves with the grid's scroll).
    await a.mouse.click(box.x + box.width / 2, box.y + 15 * HOUR_PX + 5);
    const dialog = a.getByRole('dialog', { name: 'New block' });
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Title').fill('Talk outline');
    await dialog.getByLabel('Rock').selectOption({ label: 'Write the talk' });
    await dialog.getByRole('button', { name: 'Add block' }).click();
    await expect.poll(async () => (await serverBlock('Talk outline'))?.start, WAIT).toBe(at(3, '15:00'));
    await b.locator('.wk-block', { hasText: 'Talk outline' }).waitFor(WAIT);

    await block(a, 'Talk outline').focus();
    await a.keyboard.press('Enter');
    const edit = a.getByRole('dialog', { name: 'Edit block' });
    await edit.getByLabel('Kind').selectOption('other');
    await edit.getByLabel('Title').fill('Talk outline v2');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await serverBlock('Talk outline v2'))?.kind, WAIT).toBe('other');
    await block(a, 'Talk outline v2').focus();
    await a.keyboard.press('Delete');
    await expect.poll(async () => (await serverBlock('Talk outline v2')) === undefined, WAIT).toBe(true);
  });

  it('shows a rock without a block as "not scheduled"', async () => {
    const rocks = a.getByTestId('rocks');
    await expect.poll(async () => (await rocks.locator('li', { has: a.locator('input[value="Write the talk"]') }).textContent()) ?? '', WAIT).toContain('not scheduled');
    expect(await rocks.locator('li', { has: a.locator('input[value="Ship the launch"]') }).textContent()).toContain('Scheduled');
  });

  it('an edit based on a stale version gets 412 and is rolled back to the latest plan with a readable message', async () => {
    // A third device that hears nothing live (its week stream is cut), so it keeps an old version.
    const context = await browser.newContext({ ...DESKTOP, baseURL: server.url });
    contexts.push(context);
    const [name, value] = account.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    await context.route('**/live', (route) => route.abort());
    const c = await context.newPage();
    await c.goto(`/weeks/${week}`);
    await c.locator('.wk-block[aria-label*="Wed 13:00–14:00"]', { hasText: 'Long walk' }).waitFor(WAIT);
    // Meanwhile another device moves the walk to 16:00.
    const walk = await serverBlock('Long walk');
    const moved = await api(server.url, account, 'PATCH', `/api/weeks/${week}/blocks/${walk.id}`, { start: at(2, '16:00'), end: at(2, '17:00') });
    expect(moved.status).toBe(200);
    await block(c, 'Long walk').focus();
    const answer = c.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/blocks/'));
    await c.keyboard.press('ArrowDown');
    expect((await answer).status()).toBe(412);
    const notice = c.getByTestId('edit-notice');
    await notice.waitFor(WAIT);
    expect(await notice.textContent()).toMatch(/Not saved.*changed meanwhile/);
    // Rolled back, and what is shown is the server's latest plan, not the stale one.
    await c.locator('.wk-block[aria-label*="Wed 16:00–17:00"]', { hasText: 'Long walk' }).waitFor(WAIT);
    expect(await serverBlock('Long walk')).toMatchObject({ start: at(2, '16:00'), end: at(2, '17:00') });
  });

  it('adds a block without a pointer: "Add a block", then the dialog by keyboard', async () => {
    const add = a.getByRole('button', { name: '+ Add a block' });
    await add.focus();
    await a.keyboard.press('Enter');
    const dialog = a.getByRole('dialog', { name: 'New block' });
    await dialog.waitFor(WAIT);
    // The title field has the focus; Tab goes on through kind, rock, day and times.
    await a.keyboard.type('Keyboard block');
    await a.keyboard.press('Tab');
    await a.keyboard.press('Tab');
    await a.keyboard.press('Tab');
    expect(await a.evaluate(() => document.activeElement?.closest('label')?.textContent?.startsWith('Day'))).toBe(true);
    await dialog.getByLabel('Day').selectOption({ label: 'Sunday' });
    await dialog.getByLabel('Start').fill('18:00');
    await dialog.getByLabel('End').fill('19:00');
    await dialog.getByRole('button', { name: 'Add block' }).focus();
    await a.keyboard.press('Enter');
    await expect.poll(async () => (await serverBlock('Keyboard block'))?.start, WAIT).toBe(at(6, '18:00'));
    expect(await serverBlock('Keyboard block')).toMatchObject({ kind: 'deep_work', end: at(6, '19:00') });
    await b.locator('.wk-block', { hasText: 'Keyboard block' }).waitFor(WAIT);
  });

  it('shows a now line and dims the past days of the current week', async () => {
    const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: TZ }).format(new Date()));
    expect(await a.locator('.wk-now').count()).toBe(1);
    expect(await a.locator(`.wk-day[data-day="${weekday}"] .wk-now`).count()).toBe(1);
    expect(await a.locator('.wk-day.past').count()).toBe(weekday);
    // Hours of today before now are dimmed as well (an overlay as tall as the time gone by).
    expect(await a.locator(`.wk-day[data-day="${weekday}"] .wk-past`).count()).toBe(1);
  });

  it('a change from elsewhere while the grid is out of view shows "Plan updated", which brings the grid back', async () => {
    await a.getByRole('heading', { name: 'Vision' }).scrollIntoViewIfNeeded();
    await expect.poll(() => a.getByTestId('week-grid').evaluate((el) => el.getBoundingClientRect().bottom < 0), WAIT).toBe(true);
    expect(await a.getByRole('button', { name: 'Plan updated · show' }).count()).toBe(0);
    const walk = await serverBlock('Long walk');
    expect((await api(server.url, account, 'PATCH', `/api/weeks/${week}/blocks/${walk.id}`, { title: 'Long walk outside' })).status).toBe(200);
    const notice = a.getByRole('button', { name: 'Plan updated · show' });
    await notice.waitFor(WAIT);
    await notice.click();
    await expect.poll(() => a.getByTestId('week-grid').evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < innerHeight), WAIT).toBe(true);
    await notice.waitFor({ state: 'detached', ...WAIT });
    await block(a, 'Long walk outside').waitFor(WAIT);
  });

  it('edits rocks (rename inline, reorder, done, delete), the vision, the environment and the review slot; B sees them', async () => {
    const plan = async () => (await api<{ plan: WeekPlan }>(server.url, account, 'GET', `/api/weeks/${week}`)).body.plan;
    const rockTitles = async () => (await plan()).rocks.sort((x, y) => x.position - y.position).map((r) => `${r.title}:${r.status}`);
    const rename = a.getByLabel('Rock 2 title');
    await rename.fill('Write the keynote');
    await rename.press('Enter');
    await expect.poll(rockTitles, WAIT).toEqual(['Ship the launch:planned', 'Write the keynote:planned']);
    await a.getByRole('button', { name: 'Move “Write the keynote” up' }).click();
    await expect.poll(rockTitles, WAIT).toEqual(['Write the keynote:planned', 'Ship the launch:planned']);
    await expect.poll(() => b.getByLabel('Rock 1 title').inputValue(), WAIT).toBe('Write the keynote');
    await a.getByLabel('Status of “Write the keynote”').selectOption('done');
    await expect.poll(rockTitles, WAIT).toEqual(['Write the keynote:done', 'Ship the launch:planned']);
    await a.getByRole('button', { name: 'Delete “Write the keynote”' }).click();
    await expect.poll(rockTitles, WAIT).toEqual(['Ship the launch:planned']);

    const vision = a.locator('.vision-editor');
    await vision.getByLabel('Work').fill('Launched v2');
    await vision.getByLabel('Self').fill('Ran a half marathon');
    await vision.getByLabel('Relationships').fill('Dinner with Sam weekly');
    await vision.getByRole('button', { name: 'Save vision' }).click();
    await expect.poll(async () => (await plan()).vision, WAIT).toEqual({ work: 'Launched v2', self: 'Ran a half marathon', relationships: 'Dinner with Sam weekly' });
    await expect.poll(() => b.locator('.vision-editor').getByLabel('Work').inputValue(), WAIT).toBe('Launched v2');

    await a.getByLabel('New environment change').fill('Phone in the drawer');
    await a.getByLabel('New environment change').press('Enter');
    await expect.poll(async () => (await plan()).environment.map((e) => e.text), WAIT).toEqual(['Phone in the drawer']);
    await b.locator('.environment').getByText('Phone in the drawer').waitFor(WAIT);
    await a.getByRole('button', { name: 'Remove “Phone in the drawer”' }).click();
    await expect.poll(async () => (await plan()).environment.length, WAIT).toBe(0);

    const review = a.locator('.review-editor');
    await review.getByLabel('Day').selectOption({ label: 'Saturday' });
    await review.getByLabel('From').fill('10:00');
    await review.getByLabel('To').fill('10:45');
    await review.getByRole('button', { name: 'Save review time' }).click();
    await expect.poll(async () => (await plan()).review, WAIT).toEqual({ start: at(5, '10:00'), end: at(5, '10:45') });
    // The review slot is on both grids, on Saturday.
    await b.locator('.wk-day[data-day="5"] .wk-review').waitFor(WAIT);
  });
});

describe('the week page on a phone', () => {
  it('shows an agenda beside the grid and opens an edit sheet on tap', async () => {
    const { page } = await openWeek(PHONE);
    const agenda = page.getByTestId('agenda');
    await agenda.getByRole('button', { name: /Launch brief/ }).waitFor(WAIT);
    await screenshot(page, 'week-phone-390x844');
    await block(page, 'Launch brief').tap();
    const sheet = page.getByRole('dialog', { name: 'Edit block' });
    await sheet.waitFor(WAIT);
    expect(await sheet.getByLabel('Title').inputValue()).toBe('Launch brief');
    await screenshot(page, 'week-phone-edit-sheet-390x844');
    await sheet.getByRole('button', { name: 'Cancel' }).click();
    await sheet.waitFor({ state: 'detached', ...WAIT });
  });
});
