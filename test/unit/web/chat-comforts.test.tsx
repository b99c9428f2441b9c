// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composerHint } from '../../../web/src/app/Composer.tsx';
import { enterSends, prefersTouchInput } from '../../../web/src/app/input-mode.ts';
import { messageTime } from '../../../web/src/app/message-time.ts';
import { MessageList } from '../../../web/src/app/MessageList.tsx';
import { OfflineBanner } from '../../../web/src/app/OfflineBanner.tsx';
import { newlyJoined } from '../../../web/src/app/PairDialog.tsx';
import { ReplyAnnouncer } from '../../../web/src/app/ReplyAnnouncer.tsx';
import { weekPlanSession } from '../../../web/src/app/session-list.ts';
import { friendlyZoneName } from '../../../web/src/app/time-zones.ts';
import { useOpenTurn } from '../../../web/src/app/use-open-turn.ts';
import { weekSummary } from '../../../web/src/app/WeekGlance.tsx';
import { SessionClient } from '../../../web/src/session-client/session-client.ts';
import { FakeWebSocket, MemoryStorage, ScriptedServer } from './fake-websocket.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('phone input', () => {
  it('Enter sends on a keyboard, adds a line on touch keyboards; Shift+Enter and IME composition never send', () => {
    const enter = { key: 'Enter', shiftKey: false, isComposing: false };
    expect(enterSends(enter, false)).toBe(true);
    expect(enterSends(enter, true)).toBe(false);
    expect(enterSends({ ...enter, shiftKey: true }, false)).toBe(false);
    expect(enterSends({ ...enter, isComposing: true }, false)).toBe(false);
    const mm = (coarse: boolean) => (q: string) => ({ matches: q.includes('coarse') ? coarse : !coarse });
    expect(prefersTouchInput(mm(true))).toBe(true);
    expect(prefersTouchInput(mm(false))).toBe(false);
    expect(prefersTouchInput(undefined)).toBe(false);
  });

  it('the hint matches the state', () => {
    const base = { interrupted: false, streaming: false, offline: false, touch: false };
    expect(composerHint(base)).toBe('Enter sends · Shift+Enter adds a line');
    expect(composerHint({ ...base, touch: true })).toBe('Send sends · Enter adds a line');
    expect(composerHint({ ...base, streaming: true })).toMatch(/interrupts it\. Esc stops it\./);
    expect(composerHint({ ...base, streaming: true, touch: true })).not.toMatch(/Esc/);
    expect(composerHint({ ...base, offline: true, streaming: true })).toBe('You’re offline — messages will send when you’re back.');
    expect(composerHint({ ...base, interrupted: true })).toMatch(/You interrupted/);
  });
});

describe('small helpers', () => {
  it('message times: time today, weekday this week, date before', () => {
    const now = new Date('2026-11-25T15:00:00');
    expect(messageTime(new Date('2026-11-25T09:05:00').toISOString(), now, 'en-GB')).toBe('09:05');
    expect(messageTime(new Date('2026-11-23T09:05:00').toISOString(), now, 'en-GB')).toBe('Mon 09:05');
    expect(messageTime(new Date('2026-11-02T09:05:00').toISOString(), now, 'en-GB')).toBe('2 Nov, 09:05');
    expect(messageTime(null, now)).toBe('');
  });

  it('time zones get a friendly name', () => {
    const winter = new Date('2026-01-15T12:00:00Z');
    expect(friendlyZoneName('Europe/Berlin', winter)).toMatch(/^Berlin — Central European Standard Time \(GMT\+1\)$/);
    expect(friendlyZoneName('America/New_York', winter)).toMatch(/^New York — Eastern Standard Time \(GMT-5\)$/);
    expect(friendlyZoneName('UTC', winter)).toMatch(/^UTC — Coordinated Universal Time/);
  });

  it('one plan per week: the newest plan session of the week, by weekKey or by start date', () => {
    const s = (id: string, over: object) => ({ id, title: '', kind: 'plan' as const, weekKey: null, createdAt: '2026-11-23T09:00:00Z', lastSeq: 1, ...over });
    expect(weekPlanSession([s('review', { kind: 'review', weekKey: '2026-W48' }), s('old', { weekKey: '2026-W47' })], '2026-W48')).toBeNull();
    expect(weekPlanSession([s('a', { weekKey: '2026-W48', lastActiveAt: '2026-11-24T09:00:00Z' }), s('b', { weekKey: '2026-W48', lastActiveAt: '2026-11-25T09:00:00Z' })], '2026-W48')?.id).toBe('b');
    expect(weekPlanSession([s('undated', { weekKey: null })], '2026-W48', 'UTC')?.id).toBe('undated');
  });

  it('pairing: a device that joins after the code was made counts as connected', () => {
    const raw = { type: 'presence', you: 'me', devices: [{ deviceId: 'me', label: 'Laptop', connections: 1 }, { deviceId: 'p', label: 'Alice’s phone', connections: 1 }] };
    expect(newlyJoined(new Set(['me']), raw)).toEqual({ deviceId: 'p', label: 'Alice’s phone', connections: 1 });
    expect(newlyJoined(new Set(['me', 'p']), raw)).toBeNull();
    expect(newlyJoined(new Set(), null)).toBeNull();
  });

  it('week at a glance: rocks, deep-work hours and rocks with no block', () => {
    const plan = {
      weekKey: '2026-W48',
      rocks: [
        { id: 'r1', title: 'Launch brief', status: 'planned' },
        { id: 'r2', title: 'Hire', status: 'planned' },
        { id: 'r3', title: 'Old', status: 'dropped' },
        { id: 'r4', title: 'Taxes', status: 'done' },
      ],
      blocks: [
        { id: 'b1', kind: 'deep_work', title: '', start: '2026-11-24T08:00:00Z', end: '2026-11-24T09:30:00Z', rockId: 'r1' },
        { id: 'b2', kind: 'recovery', title: '', start: '2026-11-24T12:00:00Z', end: '2026-11-24T13:00:00Z', rockId: null },
      ],
    } as unknown as Parameters<typeof weekSummary>[0];
    expect(weekSummary(plan)).toEqual({ rocks: 3, done: 1, unscheduled: ['Hire'], deepWorkHours: 1.5, blocks: 2 });
  });
});

describe('chat screen pieces (jsdom)', () => {
  let host: HTMLDivElement;
  let root: Root;
  let client: SessionClient;
  let server: ScriptedServer;
  let n = 0;
  let online = true;
  const events = new EventTarget();

  function OpenTurn({ c }: { c: SessionClient }) {
    useOpenTurn(c, true);
    return null;
  }

  beforeEach(() => {
    FakeWebSocket.reset();
    server = new ScriptedServer();
    online = true;
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    client = new SessionClient({
      sessionId: 's',
      baseUrl: 'http://coach.test',
      WebSocketImpl: FakeWebSocket,
      storage: new MemoryStorage(),
      eventSource: events,
      isOnline: () => online,
      uuid: () => `u${++n}`,
    });
    act(() =>
      root.render(
        <>
          <OfflineBanner client={client} />
          <MessageList client={client} kind="plan" />
          <ReplyAnnouncer client={client} />
          <OpenTurn c={client} />
        </>,
      ),
    );
  });
  afterEach(() => {
    act(() => root.unmount());
    client.dispose();
    host.remove();
  });

  it('first run: no "say hello" flash while loading; the intro, then the coach opens by itself, once', () => {
    act(() => client.connect());
    expect(host.querySelector('.messages')?.textContent).toBe('Loading the conversation…');
    expect(host.textContent).not.toMatch(/say hello/i);
    const ws = FakeWebSocket.last;
    act(() => server.accept(ws));
    expect(host.querySelector('.first-run')?.textContent).toMatch(/FOCUS/);
    expect(ws.framesOfType('turn.request')).toEqual([{ type: 'turn.request', requestId: expect.any(String), mode: 'open' }]);
    act(() => {
      server.push(ws, 'turn.requested', { requestId: 'u1', mode: 'open' });
      server.push(ws, 'assistant.start', { messageId: 'm1', runId: 'r1' });
    });
    expect(ws.framesOfType('turn.request')).toHaveLength(1);
    expect(ws.framesOfType('user.message')).toHaveLength(0);
  });

  it('a reload of a session with history does not ask the coach to open, and does not announce old replies', () => {
    server.append('user.message', { clientMessageId: 'c1', text: 'hi' });
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    server.append('assistant.end', { messageId: 'm1', status: 'complete', text: 'Old reply.' });
    act(() => client.connect());
    const ws = FakeWebSocket.last;
    act(() => server.accept(ws));
    expect(ws.framesOfType('turn.request')).toHaveLength(0);
    const announcer = host.querySelector('[data-testid=reply-announcer]')!;
    expect(announcer.getAttribute('aria-live')).toBe('polite');
    expect(announcer.textContent).toBe('');
    // A live reply is announced once it has finished, not while it streams.
    act(() => {
      server.push(ws, 'user.message', { clientMessageId: 'c2', text: 'next' });
      server.push(ws, 'assistant.start', { messageId: 'm2', runId: 'r2' });
      server.push(ws, 'assistant.delta', { messageId: 'm2', text: 'What matters' });
    });
    expect(announcer.textContent).toBe('');
    act(() => server.push(ws, 'assistant.end', { messageId: 'm2', status: 'complete', text: 'What matters most?' }));
    expect(announcer.textContent).toBe('Coach: What matters most?');
    // Timestamps and copy buttons on messages.
    expect([...host.querySelectorAll('.msg time')].map((t) => t.getAttribute('datetime'))).toHaveLength(4);
    expect([...host.querySelectorAll('.msg.assistant button[aria-label^="Copy"]')]).toHaveLength(2);
  });

  it('offline: a clear banner; pending messages say they will send when back', () => {
    online = false;
    act(() => {
      client.connect();
      events.dispatchEvent(new Event('offline'));
    });
    expect(host.querySelector('[data-testid=offline-banner]')?.textContent).toBe('You’re offline — messages will send when you’re back.');
    act(() => {
      client.send('Plan my week');
    });
    expect(host.querySelector('.msg.user .meta')?.textContent).toBe('Will send when you’re back online');
    expect(host.textContent).not.toMatch(/queued|interrupted/i);
    expect(host.querySelector('.msg.user')).not.toBeNull();
  });
});
