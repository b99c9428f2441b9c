import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, signup, textOf, WsTestClient, type Account } from '../support/client.ts';
import { createPostgresDatabase, POSTGRES_URL } from '../support/db.ts';
import { spawnServer, type ServerProcess } from '../support/process.ts';

describe.skipIf(!POSTGRES_URL)('graceful shutdown (SIGTERM)', () => {
  let url: string;
  let drop: () => Promise<void>;
  let a: ServerProcess;
  let b: ServerProcess;
  let alice: Account;

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    const env = { DATABASE_URL: url, COACH: 'demo', COACH_PACE_MS: '15', SHUTDOWN_GRACE_MS: '10000' };
    [a, b] = await Promise.all([spawnServer({ ...env, INSTANCE_ID: 'a' }), spawnServer({ ...env, INSTANCE_ID: 'b' })]);
    alice = await signup(b.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
  });

  it('closes sockets with 1012, lets the running answer finish, and the client resumes it on the other instance', async () => {
    const sessionId = await createSession(b.url, alice);
    const onA = await WsTestClient.connect(a.wsUrl, sessionId, alice);
    await onA.waitForFrame('ready');
    onA.send({ type: 'user.message', clientMessageId: 'm', text: 'long answer please' });
    await onA.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 2, 20_000, 'deltas');
    const exited = new Promise<number | null>((r) => a.proc.once('exit', (code) => r(code)));
    a.proc.kill('SIGTERM');
    await onA.waitFor((c) => c.closed, 5_000, 'close');
    expect(onA.closed!.code).toBe(1012);
    const kept = onA.events;
    const onB = await WsTestClient.connect(b.wsUrl, sessionId, alice, { after: kept.at(-1)!.seq });
    const end = await onB.waitForEvent('assistant.end', undefined, 20_000);
    // The run was finished by A during its grace period, not cut off.
    expect(end.data.status).toBe('complete');
    const all = [...kept, ...onB.events];
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(textOf(all, String(end.data.messageId))).toBe(end.data.text);
    expect(await exited).toBe(0);
    await onB.close();
  });
});
