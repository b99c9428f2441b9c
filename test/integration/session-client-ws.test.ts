// The real web SessionClient over real WebSockets (the `ws` package) against a real server:
// terminal refusals reach it as close codes it can read, and it stops retrying.
import WebSocket from 'ws';
import { CLOSE_NOT_FOUND, CLOSE_SERVICE_RESTART, CLOSE_SIGNED_OUT } from '../../server/contract/index.ts';
import type { WebSocketCtor } from '../../web/src/session-client/environment.ts';
import { SessionClient, type ConnectionState } from '../../web/src/session-client/session-client.ts';
import { api, signup, type Account } from '../support/client.ts';
import { describe, expect, test } from '../support/fixtures.ts';

/** A browser sends its cookie with the upgrade; `ws` needs it spelled out. Counts the sockets it opens. */
function cookieSockets(account: Account | null) {
  const opened: string[] = [];
  const Impl = class extends WebSocket {
    constructor(url: string) {
      super(url, account ? { headers: { cookie: account.cookie } } : {});
      opened.push(url);
    }
  } as unknown as WebSocketCtor;
  return { Impl, opened };
}

function clientFor(server: { url: string }, sessionId: string, account: Account | null) {
  const sockets = cookieSockets(account);
  const client = new SessionClient({
    sessionId,
    baseUrl: server.url,
    WebSocketImpl: sockets.Impl,
    storage: null,
    eventSource: null,
    isOnline: () => true,
    // Retries (if any) come at once: a client that kept retrying would open many sockets quickly.
    backoff: { baseMs: 2, maxMs: 5 },
    random: () => 1,
  });
  return { client, opened: sockets.opened };
}

function waitForConnection(client: SessionClient, pick: (c: ConnectionState) => boolean, timeoutMs = 10_000): Promise<ConnectionState> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const c = client.getSnapshot().connection;
      if (!pick(c)) return false;
      clearTimeout(timer);
      off();
      resolve(c);
      return true;
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`connection stayed ${JSON.stringify(client.getSnapshot().connection)}`));
    }, timeoutMs);
    const off = client.subscribe(() => void check());
    check();
  });
}

/** Lets any retry the client might (wrongly) schedule with its 2–5 ms backoff happen. */
async function retryWindow(client: SessionClient, opened: string[]): Promise<number> {
  const before = opened.length;
  // Ask it to reconnect outright, too: a denied client must refuse.
  client.connect();
  client.reconnectNow();
  await new Promise((r) => setTimeout(r, 150));
  return opened.length - before;
}

describe('SessionClient against the real server', () => {
  test('a live connection for the owner (control)', async ({ server, account, sessionId }) => {
    const { client } = clientFor(server, sessionId, account);
    client.connect();
    await waitForConnection(client, (c) => c.status === 'live');
    client.dispose();
  });

  test(`another user's session ends with ${CLOSE_NOT_FOUND} and the client stops retrying`, async ({ server, sessionId }) => {
    const mallory = await signup(server.url);
    const { client, opened } = clientFor(server, sessionId, mallory);
    client.connect();
    expect(await waitForConnection(client, (c) => c.status === 'denied')).toMatchObject({ status: 'denied', code: CLOSE_NOT_FOUND });
    expect(await retryWindow(client, opened)).toBe(0);
    expect(opened).toHaveLength(1);
    client.dispose();
  });

  test(`an unknown session ends with ${CLOSE_NOT_FOUND}`, async ({ server, account }) => {
    const { client, opened } = clientFor(server, '00000000-0000-4000-8000-000000000000', account);
    client.connect();
    expect(await waitForConnection(client, (c) => c.status === 'denied')).toMatchObject({ code: CLOSE_NOT_FOUND });
    expect(await retryWindow(client, opened)).toBe(0);
    client.dispose();
  });

  test(`no cookie, or a signed-out one, ends with ${CLOSE_SIGNED_OUT} and the client stops retrying`, async ({ server, account, sessionId }) => {
    const anonymous = clientFor(server, sessionId, null);
    anonymous.client.connect();
    expect(await waitForConnection(anonymous.client, (c) => c.status === 'denied')).toMatchObject({ code: CLOSE_SIGNED_OUT });
    expect(await retryWindow(anonymous.client, anonymous.opened)).toBe(0);
    anonymous.client.dispose();

    expect((await api(server.url, account, 'POST', '/api/auth/logout')).status).toBe(204);
    const signedOut = clientFor(server, sessionId, account);
    signedOut.client.connect();
    expect(await waitForConnection(signedOut.client, (c) => c.status === 'denied')).toMatchObject({ code: CLOSE_SIGNED_OUT });
    expect(await retryWindow(signedOut.client, signedOut.opened)).toBe(0);
    signedOut.client.dispose();
  });

  test(`signing out while live closes with ${CLOSE_SIGNED_OUT}; the client does not come back`, async ({ server, account, sessionId }) => {
    const { client, opened } = clientFor(server, sessionId, account);
    client.connect();
    await waitForConnection(client, (c) => c.status === 'live');
    expect((await api(server.url, account, 'POST', '/api/auth/logout')).status).toBe(204);
    expect(await waitForConnection(client, (c) => c.status === 'denied')).toMatchObject({ code: CLOSE_SIGNED_OUT });
    expect(await retryWindow(client, opened)).toBe(0);
    client.dispose();
  });

  test('a dropped connection (not terminal) is retried: the control for the checks above', async ({ server, account, sessionId }) => {
    const { client, opened } = clientFor(server, sessionId, account);
    client.connect();
    await waitForConnection(client, (c) => c.status === 'live');
    // The server restarts this socket's connection (CLOSE_SERVICE_RESTART): the client must come back.
    for (const ws of server.app.websocketServer.clients) ws.close(CLOSE_SERVICE_RESTART, 'restart');
    await waitForConnection(client, (c) => c.status === 'reconnecting');
    await waitForConnection(client, (c) => c.status === 'live');
    expect(opened.length).toBeGreaterThanOrEqual(2);
    client.dispose();
  });
});

