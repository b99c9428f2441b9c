// web/public/sw.js, run as the browser runs it: a script whose global is the worker. It shows
// what a push carries and, on a tap, opens the link — on this origin only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const SW = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/public/sw.js'), 'utf8');
const ORIGIN = 'https://focus.example';

interface Shown {
  title: string;
  options: { body: string; tag?: string; data: { url: string } };
}

function worker(openWindows: Array<{ url: string; focused: boolean }> = []) {
  const handlers = new Map<string, (event: object) => void>();
  const shown: Shown[] = [];
  const opened: string[] = [];
  const self = {
    location: { origin: ORIGIN },
    addEventListener: (type: string, f: (event: object) => void) => handlers.set(type, f),
    registration: {
      showNotification: async (title: string, options: Shown['options']) => {
        shown.push({ title, options });
      },
    },
    clients: {
      matchAll: async () =>
        openWindows.map((w) => ({
          url: w.url,
          focus: async () => {
            w.focused = true;
          },
        })),
      openWindow: async (url: string) => {
        opened.push(url);
      },
    },
  };
  vm.runInNewContext(SW, { self, URL });
  async function dispatch(type: string, event: object) {
    let work: Promise<unknown> = Promise.resolve();
    handlers.get(type)!({ ...event, waitUntil: (p: Promise<unknown>) => (work = p) });
    await work;
  }
  return {
    shown,
    opened,
    push: (payload: string | null) => dispatch('push', { data: payload === null ? null : { json: () => JSON.parse(payload), text: () => payload } }),
    tap: (url: string | undefined) => {
      let closed = false;
      return dispatch('notificationclick', { notification: { data: url === undefined ? undefined : { url }, close: () => (closed = true) } }).then(() => closed);
    },
  };
}

describe('the service worker', () => {
  it('shows the title and first words a push carries, with its tag and link', async () => {
    const sw = worker();
    await sw.push(JSON.stringify({ title: 'Your coach answered: Week plan', body: 'Here is a plan for…', url: '/sessions/abc', tag: 'session-abc' }));
    expect(sw.shown).toEqual([{ title: 'Your coach answered: Week plan', options: { body: 'Here is a plan for…', tag: 'session-abc', data: { url: '/sessions/abc' } } }]);
    // Not JSON, or empty: still a notification of the app, never a thrown handler.
    await sw.push('plain words');
    await sw.push(null);
    expect(sw.shown.slice(1).map((s) => [s.title, s.options.body, s.options.data.url])).toEqual([
      ['Focus Coach', 'plain words', '/'],
      ['Focus Coach', '', '/'],
    ]);
  });

  it('a tap opens the session the notification names, or focuses it when already open', async () => {
    const sw = worker();
    expect(await sw.tap('/sessions/abc')).toBe(true);
    expect(sw.opened).toEqual([`${ORIGIN}/sessions/abc`]);
    // Links built on PUBLIC_URL are absolute.
    await sw.tap(`${ORIGIN}/start/review`);
    expect(sw.opened.at(-1)).toBe(`${ORIGIN}/start/review`);

    const windows = [{ url: `${ORIGIN}/sessions/abc`, focused: false }];
    const again = worker(windows);
    await again.tap('/sessions/abc');
    expect(windows[0]!.focused).toBe(true);
    expect(again.opened).toEqual([]);
  });

  it('a link to another origin opens the app instead', async () => {
    const sw = worker();
    await sw.tap('https://evil.example/phish');
    await sw.tap('//evil.example/x');
    await sw.tap(undefined);
    expect(sw.opened).toEqual([`${ORIGIN}/`, `${ORIGIN}/`, `${ORIGIN}/`]);
  });
});
