// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi, guessDeviceName } from '../../../web/src/app/api.ts';
import { deriveCoachState, STALLED_AFTER_MS } from '../../../web/src/app/coach-state.ts';
import { Composer } from '../../../web/src/app/Composer.tsx';
import { describeEnd, MessageList } from '../../../web/src/app/MessageList.tsx';
import { formatPairingCode, timeLeft } from '../../../web/src/app/PairDialog.tsx';
import { blockBox, blocksByWeekday, gridHours, weekDates } from '../../../web/src/app/plan-format.ts';
import { parsePresence, presenceEntries, presenceSummary } from '../../../web/src/app/presence.ts';
import { parseRoute } from '../../../web/src/app/route.ts';
import { StatusStrip } from '../../../web/src/app/StatusStrip.tsx';
import { SessionClient } from '../../../web/src/session-client/session-client.ts';
import type { AssistantMessage } from '../../../web/src/session-client/transcript.ts';
import { FakeWebSocket, MemoryStorage, ScriptedServer } from './fake-websocket.ts';
import { nth } from '../../support/nth.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('presence', () => {
  it('parses frames defensively and names this device first', () => {
    expect(parsePresence(null)).toBeNull();
    expect(parsePresence({ type: 'presence', devices: [] })).toBeNull();
    const p = parsePresence({
      type: 'presence',
      you: 'd1',
      devices: [{ deviceId: 'd2', label: 'Alice’s phone', connections: 2 }, { deviceId: 'd1', label: 'Chrome on Linux', connections: 1 }, { label: 'no id' }, 'junk', { deviceId: 'd3', label: '', connections: -1 }],
    });
    expect(p?.devices).toHaveLength(3);
    const entries = presenceEntries(p);
    expect(entries.map((e) => [e.name, e.connections])).toEqual([
      ['This device', 1],
      ['Alice’s phone', 2],
      ['Device', 1],
    ]);
    expect(presenceSummary(entries)).toBe('This device and 2 other devices');
    expect(presenceSummary(entries.slice(0, 2))).toBe('This device and Alice’s phone');
    // A frame that does not list us still shows this device.
    expect(presenceEntries({ you: 'me', devices: [] }).map((e) => e.name)).toEqual(['This device']);
    expect(presenceSummary(presenceEntries({ you: 'me', devices: [] }))).toBe('Only this device');
  });
});

describe('coach state', () => {
  it('is thinking before the first delta, writing while deltas arrive, stalled after a silence', () => {
    const at = 1_000_000;
    expect(deriveCoachState({ streaming: false, hasText: true, lastActivityAt: at, now: at })).toBe('idle');
    expect(deriveCoachState({ streaming: true, hasText: false, lastActivityAt: at, now: at + 100 })).toBe('thinking');
    expect(deriveCoachState({ streaming: true, hasText: true, lastActivityAt: at, now: at + 100 })).toBe('writing');
    expect(deriveCoachState({ streaming: true, hasText: true, lastActivityAt: at, now: at + STALLED_AFTER_MS })).toBe('stalled');
    expect(deriveCoachState({ streaming: true, hasText: false, lastActivityAt: at, now: at + 50, stalledAfterMs: 10 })).toBe('stalled');
  });
});

describe('plan grid', () => {
  it('widens the hours around the blocks and places them', () => {
    const block = (id: string, start: string, end: string) => ({ id, kind: 'deep_work' as const, title: id, start, end, rockId: null });
    const days = blocksByWeekday([block('early', '2026-11-24T05:30:00Z', '2026-11-24T07:00:00Z'), block('late', '2026-11-25T21:00:00Z', '2026-11-26T00:00:00Z')], 'UTC');
    const hours = gridHours(days);
    expect(hours).toEqual({ from: 5, to: 24 });
    expect(blockBox(nth(nth(days, 1), 0), hours)).toEqual({ top: (30 / (19 * 60)) * 100, height: (90 / (19 * 60)) * 100 });
    // Ends at midnight: drawn to the end of its day.
    const late = blockBox(nth(nth(days, 2), 0), hours);
    expect(late.top + late.height).toBeCloseTo(100);
    expect(gridHours([[], [], [], [], [], [], []])).toEqual({ from: 7, to: 21 });
    expect(weekDates('2026-W48')).toEqual([23, 24, 25, 26, 27, 28, 29]);
    expect(weekDates('2026-W49')).toEqual([30, 1, 2, 3, 4, 5, 6]);
    expect(weekDates('nope')).toBeNull();
  });
});

describe('routes and small helpers', () => {
  it('parses the pairing path and keeps hash routes', () => {
    expect(parseRoute('', '/pair/ABCDE12345')).toEqual({ name: 'pair', code: 'ABCDE12345' });
    expect(parseRoute('', '/pair')).toEqual({ name: 'pair', code: '' });
    expect(parseRoute('', '/pair/')).toEqual({ name: 'pair', code: '' });
    expect(parseRoute('#/s/abc', '/')).toEqual({ name: 'chat', sessionId: 'abc' });
    expect(parseRoute('#/s/abc', '/pairing')).toEqual({ name: 'chat', sessionId: 'abc' });
  });

  it('formats pairing codes and their countdown', () => {
    expect(formatPairingCode('ABCDE12345')).toBe('ABCDE-12345');
    expect(formatPairingCode('short')).toBe('short');
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(timeLeft('2026-11-25T12:09:41Z', now)).toBe('9:41');
    expect(timeLeft('2026-11-25T12:00:00.500Z', now)).toBe('0:01');
    expect(timeLeft('2026-11-25T11:59:59Z', now)).toBeNull();
    expect(timeLeft('garbage', now)).toBeNull();
  });

  it('names devices from their User-Agent', () => {
    expect(guessDeviceName('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36')).toBe('Chrome on Android');
    expect(guessDeviceName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toBe('Safari on iPhone');
    expect(guessDeviceName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36')).toBe('Chrome on Linux');
    expect(guessDeviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox on Windows');
    expect(guessDeviceName('')).toBe('Browser');
  });

  it('says what happened to an answer that did not complete', () => {
    const m = (status: AssistantMessage['status'], extra: Partial<AssistantMessage> = {}) => ({ status, reason: null, cancelRequested: false, ...extra }) as AssistantMessage;
    expect(describeEnd(m('complete'), false)).toBeNull();
    expect(describeEnd(m('streaming'), false)).toBeNull();
    expect(describeEnd(m('cancelled', { cancelRequested: true }), true)).toBe('Stopped');
    expect(describeEnd(m('cancelled', { cancelRequested: true }), false)).toBe('Stopped from another device');
    expect(describeEnd(m('interrupted'), false)).toBe('Interrupted by a new message');
    expect(describeEnd(m('interrupted', { reason: 'The server restarted.' }), false)).toBe('Interrupted: The server restarted.');
    expect(describeEnd(m('failed', { reason: 'The model timed out.' }), false)).toBe('Failed: The model timed out.');
  });
});

describe('api', () => {
  it('signs up with a device name, then sends the time zone; pairs and redeems', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      calls.push([url, init]);
      if (url === '/api/pairing') return Response.json({ code: 'ABCDE12345', url: 'http://x/pair/ABCDE12345', expiresAt: 'e', qrSvg: '<svg/>' }, { status: 201 });
      if (url === '/api/pairing/redeem') return Response.json({ user: { id: 'u', email: 'e' }, sessionId: 's1' });
      return Response.json({ user: { id: 'u', email: 'e', timeZone: 'Europe/Berlin' } }, { status: url.endsWith('signup') ? 201 : 200 });
    });
    const api = createApi('', fetch);
    await api.signup('a@b.c', 'password1', { deviceName: 'Alice’s laptop', timeZone: 'Europe/Berlin' });
    expect(calls.map(([u, i]) => [u, i?.method, i?.body])).toEqual([
      ['/api/auth/signup', 'POST', JSON.stringify({ email: 'a@b.c', password: 'password1', deviceName: 'Alice’s laptop' })],
      ['/api/me', 'PATCH', JSON.stringify({ timeZone: 'Europe/Berlin' })],
    ]);
    expect(await api.createPairing('s1')).toMatchObject({ code: 'ABCDE12345' });
    expect(calls.at(-1)?.[1]?.body).toBe(JSON.stringify({ sessionId: 's1' }));
    expect(await api.redeemPairing('abcde-12345', '  ')).toEqual({ user: { id: 'u', email: 'e' }, sessionId: 's1' });
    expect(calls.at(-1)?.[1]?.body).toBe(JSON.stringify({ code: 'abcde-12345' }));
  });
});

describe('chat UI (jsdom)', () => {
  let root: Root;
  let host: HTMLDivElement;
  let client: SessionClient;
  let server: ScriptedServer;
  let n = 0;
  const button = (name: string) => [...host.querySelectorAll('button')].find((b) => b.textContent === name);
  const type = (text: string) => {
    const ta = host.querySelector('textarea') as HTMLTextAreaElement;
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(ta, text);
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    });
  };
  const coachState = () => host.querySelector('[data-testid=coach-state]')?.getAttribute('data-state');

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    localStorage.clear();
    FakeWebSocket.reset();
    server = new ScriptedServer();
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    client = new SessionClient({
      sessionId: `s-${++n}`,
      baseUrl: 'http://coach.test',
      WebSocketImpl: FakeWebSocket,
      storage: new MemoryStorage(),
      eventSource: null,
      isOnline: () => true,
      uuid: () => `c${++n}`,
      random: () => 0,
      heartbeatIntervalMs: 3_600_000,
    });
    act(() =>
      root.render(
        <>
          <StatusStrip client={client} />
          <MessageList client={client} />
          <Composer client={client} disabled={false} />
        </>,
      ),
    );
    act(() => {
      client.connect();
      server.accept(FakeWebSocket.last);
    });
  });
  afterEach(() => {
    act(() => root.unmount());
    client.dispose();
    host.remove();
    vi.useRealTimers();
  });

  it('shows thinking, writing, stalled; presence; and says a message interrupts', () => {
    const ws = FakeWebSocket.last;
    act(() => ws.serverSend({ type: 'presence', you: 'd1', devices: [{ deviceId: 'd1', label: 'Laptop', connections: 1 }, { deviceId: 'd2', label: 'Alice’s phone', connections: 1 }] }));
    expect([...host.querySelectorAll('[data-testid=presence] li')].map((li) => li.textContent)).toEqual(['This device', 'Alice’s phone']);

    type('Plan my week');
    act(() => button('Send')!.click());
    act(() => {
      server.ingest(ws);
      server.push(ws, 'assistant.start', { messageId: 'm1', runId: 'r1' });
    });
    expect(coachState()).toBe('thinking');
    act(() => server.push(ws, 'assistant.delta', { messageId: 'm1', text: 'Let us ' }));
    expect(coachState()).toBe('writing');
    act(() => vi.advanceTimersByTime(STALLED_AFTER_MS - 100));
    act(() => server.push(ws, 'assistant.delta', { messageId: 'm1', text: 'begin.' }));
    act(() => vi.advanceTimersByTime(STALLED_AFTER_MS - 100));
    expect(coachState()).toBe('writing');
    act(() => vi.advanceTimersByTime(200));
    expect(coachState()).toBe('stalled');
    expect(host.querySelector('.composer-hint')?.textContent).toMatch(/sending now interrupts it/);

    // Sending now interrupts the answer, and the UI says so.
    type('Actually, start with my rocks');
    act(() => button('Send')!.click());
    expect(host.querySelector('.composer-hint')?.textContent).toBe('You interrupted the coach’s answer to send your message.');
    act(() => {
      server.ingest(ws);
      server.push(ws, 'assistant.end', { messageId: 'm1', status: 'interrupted', text: 'Let us begin.' });
    });
    expect(coachState()).toBe('idle');
    expect(host.querySelector('.msg.assistant.interrupted .meta')?.textContent).toBe('Interrupted by a new message');
    // Not the last message: no Retry/Continue on it.
    expect(button('Retry')).toBeUndefined();
  });

  it('says which device stopped the answer; Retry and Continue ask for a turn and add no user message (SL15)', () => {
    const ws = FakeWebSocket.last;
    act(() => ws.serverSend({ type: 'presence', you: 'd1', devices: [{ deviceId: 'd1', label: 'Laptop', connections: 1 }, { deviceId: 'd2', label: 'Alice’s phone', connections: 1 }] }));
    type('Plan my week');
    act(() => button('Send')!.click());
    act(() => {
      server.ingest(ws);
      server.push(ws, 'assistant.start', { messageId: 'm1', runId: 'r1' });
      server.push(ws, 'assistant.delta', { messageId: 'm1', text: 'What matters' });
      server.push(ws, 'cancel.requested', { messageId: 'm1', runId: 'r1', by: { deviceId: 'd2', label: 'Alice’s phone' } });
    });
    expect(host.querySelector('.msg.assistant .meta')?.textContent).toBe('Stopping (from Alice’s phone)…');
    act(() => server.push(ws, 'assistant.end', { messageId: 'm1', status: 'cancelled', text: 'What matters' }));
    expect(host.querySelector('.msg.assistant .meta')?.textContent).toBe('Stopped from Alice’s phone');

    const usersBefore = ws.framesOfType('user.message').length;
    act(() => button('Retry')!.click());
    expect(ws.framesOfType('turn.request').at(-1)).toMatchObject({ mode: 'retry', messageId: 'm1', requestId: expect.any(String) });
    // Asked: the buttons go until the answer is replaced.
    expect(button('Retry')).toBeUndefined();
    const retry = ws.framesOfType('turn.request').at(-1)!;
    act(() => {
      server.push(ws, 'turn.requested', { requestId: retry.requestId, mode: 'retry', messageId: 'm1' });
      server.push(ws, 'assistant.start', { messageId: 'm2', runId: 'r2' });
      server.push(ws, 'assistant.delta', { messageId: 'm2', text: 'Your big ' });
      server.push(ws, 'assistant.end', { messageId: 'm2', status: 'interrupted', text: 'Your big ', reason: 'The server restarted.' });
    });
    // The new answer took the old one's place: one user bubble, one coach bubble.
    expect([...host.querySelectorAll('.msg')].map((li) => li.className)).toEqual(['msg user confirmed', 'msg assistant interrupted']);
    expect(host.querySelector('.msg.assistant p')?.textContent).toBe('Your big ');

    act(() => button('Continue')!.click());
    const cont = ws.framesOfType('turn.request').at(-1)!;
    expect(cont).toMatchObject({ mode: 'continue', messageId: 'm2' });
    act(() => {
      server.push(ws, 'turn.requested', { requestId: cont.requestId, mode: 'continue', messageId: 'm2' });
      server.push(ws, 'assistant.start', { messageId: 'm3', runId: 'r3' });
      server.push(ws, 'assistant.delta', { messageId: 'm3', text: 'rocks first.' });
      server.push(ws, 'assistant.end', { messageId: 'm3', status: 'complete', text: 'rocks first.' });
    });
    // Continued in place: still one coach bubble, its text whole.
    expect(host.querySelectorAll('.msg.assistant')).toHaveLength(1);
    expect(host.querySelector('.msg.assistant p')?.textContent).toBe('Your big rocks first.');
    expect(button('Continue')).toBeUndefined();
    expect(button('Retry')).toBeDefined();
    expect(ws.framesOfType('user.message')).toHaveLength(usersBefore);
  });

  it('Stop on this device is "Stopped"; Esc does not stop while a dialog is open', () => {
    const ws = FakeWebSocket.last;
    type('Plan my week');
    act(() => button('Send')!.click());
    act(() => {
      server.ingest(ws);
      server.push(ws, 'assistant.start', { messageId: 'm1', runId: 'r1' });
    });
    const dialog = document.createElement('dialog');
    dialog.setAttribute('open', '');
    document.body.append(dialog);
    act(() => {
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect(ws.framesOfType('cancel')).toEqual([]);
    dialog.remove();
    act(() => button('Stop')!.click());
    expect(ws.framesOfType('cancel')).toEqual([{ type: 'cancel' }]);
    act(() => {
      server.push(ws, 'cancel.requested', { messageId: 'm1', runId: 'r1' });
      server.push(ws, 'assistant.end', { messageId: 'm1', status: 'cancelled', text: '' });
    });
    expect(host.querySelector('.msg.assistant .meta')?.textContent).toBe('Stopped');
  });
});

describe('sessions view (jsdom)', () => {
  const sessionsApi = (created: unknown[], list: unknown[]) =>
    ({
      listSessions: async () => list,
      createSession: async (input: unknown) => {
        created.push(input);
        return { id: 'new', title: '', kind: 'review' as const, createdAt: '2026-11-25T09:00:00Z', lastSeq: 0 };
      },
      getWeek: async () => {
        throw new Error('offline');
      },
      listFeeds: async () => [],
      listDevices: async () => [],
    }) as unknown as Parameters<typeof import('../../../web/src/app/SessionsView.tsx').SessionsView>[0]['api'];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-25T12:00:00Z')); // Wednesday of 2026-W48
  });
  afterEach(() => {
    vi.useRealTimers();
    location.hash = '';
  });

  async function render(api: Parameters<typeof import('../../../web/src/app/SessionsView.tsx').SessionsView>[0]['api']) {
    const { SessionsView } = await import('../../../web/src/app/SessionsView.tsx');
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    await act(async () => root.render(<SessionsView api={api} user={{ id: 'u', email: 'a@b.c', timeZone: 'Europe/Berlin' }} onLogout={() => {}} />));
    return {
      host,
      button: (name: string) => [...host.querySelectorAll('button')].find((b) => b.textContent === name),
      done: () => {
        act(() => root.unmount());
        host.remove();
      },
    };
  }

  it('groups sessions by week and starts the right kind of session', async () => {
    const created: unknown[] = [];
    const v = await render(
      sessionsApi(created, [
        { id: 'a', title: 'Weekly plan', kind: 'plan', weekKey: '2026-W47', createdAt: '2026-11-16T09:00:00Z', lastSeq: 3 },
        { id: 'b', title: 'Friday review', kind: 'review', weekKey: '2026-W48', createdAt: '2026-11-23T10:00:00Z', lastSeq: 3, status: 'your_turn', preview: { role: 'coach', text: 'What went well?' } },
      ]),
    );
    expect([...v.host.querySelectorAll('.week-group > h2')].map((h) => h.textContent)).toEqual([expect.stringContaining('Week 48'), expect.stringContaining('Week 47')]);
    // Titles, the last line and a status.
    expect(v.host.querySelector('.session-item .preview')?.textContent).toBe('Coach: What went well?');
    expect(v.host.querySelector('.session-item .chip')?.textContent).toBe('Your turn');
    await act(async () => v.button('Friday review')!.click());
    expect(created).toEqual([{ kind: 'review', title: 'Friday review' }]);
    expect(location.hash).toBe('#/s/new');
    v.done();
  });

  it('one plan per week: "Plan this week" starts a plan for this week; when one exists it continues it', async () => {
    const created: unknown[] = [];
    const first = await render(sessionsApi(created, []));
    // First run: two lines on what FOCUS is and what happens next.
    expect(first.host.querySelector('.first-run')?.textContent).toMatch(/FOCUS.*weekly planning method.*Your coach asks/s);
    await act(async () => first.button('Plan this week')!.click());
    expect(created).toEqual([{ kind: 'plan', title: 'Weekly plan', weekKey: '2026-W48' }]);
    first.done();

    const again = await render(sessionsApi(created, [{ id: 'p48', title: 'Weekly plan', kind: 'plan', weekKey: '2026-W48', createdAt: '2026-11-23T09:00:00Z', lastSeq: 9 }]));
    expect(again.button('Plan this week')).toBeUndefined();
    await act(async () => again.button('Continue this week’s plan')!.click());
    expect(location.hash).toBe('#/s/p48');
    expect(created).toHaveLength(1);
    again.done();
  });

  it('the week at a glance links to the week page, where any part of the plan is changed directly', async () => {
    const api = {
      ...sessionsApi([], []),
      getWeek: async () => ({ weekKey: '2026-W48', timeZone: 'Europe/Berlin', version: 2, review: null, vision: null, rocks: [{ id: 'r', title: 'Ship', status: 'planned', position: 0, carryCount: 0, carriedFromId: null }], blocks: [], environment: [], reflections: [] }),
    } as unknown as Parameters<typeof import('../../../web/src/app/SessionsView.tsx').SessionsView>[0]['api'];
    const v = await render(api);
    await act(async () => {});
    const link = v.host.querySelector<HTMLAnchorElement>('[data-testid="week-glance"] a[data-testid="open-week"]');
    expect(link?.getAttribute('href')).toBe('/weeks/2026-W48');
    expect(link?.textContent).toMatch(/^Open the week/);
    v.done();
  });
});
