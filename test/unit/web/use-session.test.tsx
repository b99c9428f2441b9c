// @vitest-environment jsdom
import { act, memo, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionClient } from '../../../web/src/session-client/session-client.ts';
import { useMessage, useSession, useSessionSelector } from '../../../web/src/session-client/use-session.ts';
import { FakeWebSocket, MemoryStorage, ScriptedServer } from './fake-websocket.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root;
let host: HTMLDivElement;
let client: SessionClient;
const renders: Record<string, number> = {};

const Row = memo(function Row({ c, id }: { c: SessionClient; id: string }) {
  const m = useMessage(c, id);
  renders[id] = (renders[id] ?? 0) + 1;
  return <li data-id={id}>{m?.text}</li>;
});

function List({ c }: { c: SessionClient }) {
  const ids = useSessionSelector(c, (s) => s.transcript.messageIds);
  renders.list = (renders.list ?? 0) + 1;
  return (
    <ul>
      {ids.map((id) => (
        <Row key={id} c={c} id={id} />
      ))}
    </ul>
  );
}

function Badge({ c }: { c: SessionClient }) {
  const s = useSession(c);
  return <p role="status">{s.connection.status}</p>;
}

function render(node: ReactNode) {
  act(() => root.render(node));
}

beforeEach(() => {
  FakeWebSocket.reset();
  for (const k of Object.keys(renders)) delete renders[k];
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
    uuid: () => 'c2',
  });
});
afterEach(() => {
  act(() => root.unmount());
  client.dispose();
  host.remove();
});

describe('React bindings', () => {
  it('a streamed delta re-renders only the streaming message row', () => {
    const server = new ScriptedServer();
    server.append('user.message', { clientMessageId: 'c1', text: 'Plan my week' });
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    render(
      <>
        <Badge c={client} />
        <List c={client} />
      </>,
    );
    act(() => {
      client.connect();
      server.accept(FakeWebSocket.last);
    });
    expect(host.querySelector('[role=status]')?.textContent).toBe('live');
    expect([...host.querySelectorAll('li')].map((li) => li.dataset.id)).toEqual(['user:c1', 'm1']);
    const before = { ...renders };

    for (const t of ['Mon', 'day ', 'focus']) {
      act(() => {
        server.push(FakeWebSocket.last, 'assistant.delta', { messageId: 'm1', text: t });
      });
    }
    expect(host.querySelector('li[data-id="m1"]')?.textContent).toBe('Monday focus');
    expect((renders.m1 ?? 0) - (before.m1 ?? 0)).toBe(3);
    expect(renders['user:c1']).toBe(before['user:c1']);
    expect(renders.list).toBe(before.list);

    act(() => {
      server.push(FakeWebSocket.last, 'assistant.end', { messageId: 'm1', status: 'complete', text: 'Monday focus' });
      client.send('Thanks');
    });
    expect([...host.querySelectorAll('li')].map((li) => li.dataset.id)).toEqual(['user:c1', 'm1', 'user:c2']);
    expect(host.querySelectorAll('li')[2]?.textContent).toBe('Thanks');
    expect(renders.list).toBe((before.list ?? 0) + 1);
  });
});
