// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageList } from '../../../web/src/app/MessageList.tsx';
import { SessionClient } from '../../../web/src/session-client/session-client.ts';
import { FakeWebSocket, MemoryStorage, ScriptedServer } from './fake-websocket.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root;
let host: HTMLDivElement;
let client: SessionClient;
let server: ScriptedServer;
let n = 0;

const replies = () => [...host.querySelectorAll('.quick-replies button')].map((b) => b.textContent);

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
  act(() => root.render(<MessageList client={client} />));
  act(() => {
    client.connect();
    server.accept(FakeWebSocket.last);
  });
});
afterEach(() => {
  act(() => root.unmount());
  client.dispose();
  host.remove();
});

function coachSays(id: string, text: string, quickReplies: string[]) {
  act(() => {
    server.push(FakeWebSocket.last, 'assistant.start', { messageId: id, runId: `r-${id}` });
    server.push(FakeWebSocket.last, 'assistant.meta', { messageId: id, quickReplies, coach: { asked: null, read: [], changes: [] } });
    server.push(FakeWebSocket.last, 'assistant.delta', { messageId: id, text });
    server.push(FakeWebSocket.last, 'assistant.end', { messageId: id, status: 'complete', text });
  });
}

describe('quick replies', () => {
  it('shows the latest coach message’s suggestions as buttons; pressing one sends its text as the person’s message', () => {
    coachSays('m1', 'Sat 06:00–08:00 — or did you mean 18:00–20:00?', ['Yes', 'Morning', 'Evening']);
    expect(replies()).toEqual(['Yes', 'Morning', 'Evening']);

    const evening = [...host.querySelectorAll('.quick-replies button')].find((b) => b.textContent === 'Evening') as HTMLButtonElement;
    act(() => evening.click());
    expect(FakeWebSocket.last.framesOfType('user.message')).toEqual([{ type: 'user.message', clientMessageId: 'c1', text: 'Evening' }]);
    // Once the person answered, the old suggestions are gone (they belong to the latest coach message only).
    act(() => {
      server.ingest(FakeWebSocket.last);
    });
    expect(replies()).toEqual([]);

    coachSays('m2', 'Booked. When will you unplug?', ['Skip']);
    expect(replies()).toEqual(['Skip']);
  });

  it('ignores a note without suggestions or for an unknown message', () => {
    coachSays('m1', 'Hello', []);
    act(() => {
      server.push(FakeWebSocket.last, 'assistant.meta', { messageId: 'nope', quickReplies: ['X'] });
    });
    expect(replies()).toEqual([]);
    expect(host.querySelector('.msg.assistant')?.textContent).toContain('Hello');
  });
});
