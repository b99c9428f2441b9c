// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Composer } from '../../../web/src/app/Composer.tsx';
import { ConnectionBadge } from '../../../web/src/app/ConnectionBadge.tsx';
import { MessageList } from '../../../web/src/app/MessageList.tsx';
import { SessionClient } from '../../../web/src/session-client/session-client.ts';
import { FakeWebSocket, MemoryStorage, ScriptedServer } from './fake-websocket.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root;
let host: HTMLDivElement;
let client: SessionClient;
let server: ScriptedServer;
let n = 0;

const button = (name: string) => {
  const b = [...host.querySelectorAll('button')].find((x) => x.textContent === name);
  if (!b) throw new Error(`no button named ${name}`);
  return b;
};
const badge = () => host.querySelector('[role=status]')?.textContent;

function type(text: string) {
  const ta = host.querySelector('textarea') as HTMLTextAreaElement;
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
  act(() => {
    setter?.call(ta, text);
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

beforeEach(() => {
  FakeWebSocket.reset();
  server = new ScriptedServer();
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  client = new SessionClient({
    sessionId: 's1',
    baseUrl: 'http://coach.test',
    WebSocketImpl: FakeWebSocket,
    storage: new MemoryStorage(),
    eventSource: null,
    isOnline: () => true,
    uuid: () => `c${++n}`,
    random: () => 0,
  });
  act(() =>
    root.render(
      <>
        <ConnectionBadge client={client} />
        <MessageList client={client} />
        <Composer client={client} disabled={false} />
      </>,
    ),
  );
});
afterEach(() => {
  act(() => root.unmount());
  client.dispose();
  host.remove();
});

describe('chat UI', () => {
  it('labels controls, sends, shows Live/Reconnecting, and stops with Esc', () => {
    const label = host.querySelector('label');
    expect(label?.textContent).toBe('Message');
    expect(document.getElementById(label?.htmlFor ?? '')?.tagName).toBe('TEXTAREA');
    expect(button('Send').disabled).toBe(true);
    expect(button('Stop').disabled).toBe(true);

    act(() => {
      client.connect();
      server.accept(FakeWebSocket.last);
    });
    expect(badge()).toBe('Live');

    type('Plan my week');
    expect(button('Send').disabled).toBe(false);
    act(() => button('Send').click());
    expect(FakeWebSocket.last.framesOfType('user.message')).toEqual([{ type: 'user.message', clientMessageId: 'c1', text: 'Plan my week' }]);
    expect((host.querySelector('textarea') as HTMLTextAreaElement).value).toBe('');
    expect(host.querySelector('.msg.user.pending')?.textContent).toContain('Sending…');

    act(() => {
      server.ingest(FakeWebSocket.last);
      server.push(FakeWebSocket.last, 'assistant.start', { messageId: 'm1', runId: 'r1' });
      server.push(FakeWebSocket.last, 'assistant.delta', { messageId: 'm1', text: 'What matters most?' });
    });
    expect(host.querySelector('.msg.user.pending')).toBeNull();
    expect(host.querySelector('.msg.assistant')?.getAttribute('aria-busy')).toBe('true');
    expect(button('Stop').disabled).toBe(false);

    act(() => {
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect(FakeWebSocket.last.framesOfType('cancel')).toEqual([{ type: 'cancel' }]);

    act(() => {
      server.push(FakeWebSocket.last, 'cancel.requested', { messageId: 'm1', runId: 'r1' });
      server.push(FakeWebSocket.last, 'assistant.end', { messageId: 'm1', status: 'cancelled', text: 'What matters most?' });
    });
    expect(host.querySelector('.msg.assistant .meta')?.textContent).toBe('Stopped');
    expect(button('Stop').disabled).toBe(true);

    act(() => FakeWebSocket.last.serverClose(1006));
    expect(badge()).toBe('Reconnecting…');
  });

  it('offline: says messages will send when back, without "queued" jargon or a false "you interrupted"', () => {
    const events = new EventTarget();
    const c2 = new SessionClient({
      sessionId: 's2',
      baseUrl: 'http://coach.test',
      WebSocketImpl: FakeWebSocket,
      storage: new MemoryStorage(),
      eventSource: events,
      isOnline: () => false,
    });
    act(() => root.render(<><ConnectionBadge client={c2} /><Composer client={c2} disabled={false} /></>));
    act(() => c2.connect());
    type('one');
    act(() => button('Send').click());
    type('two');
    act(() => button('Send').click());
    expect(badge()).toBe('Offline');
    expect(host.textContent).not.toMatch(/queued/i);
    expect(host.querySelector('.composer-hint')?.textContent).toBe('You’re offline — messages will send when you’re back.');
    c2.dispose();
  });
});
