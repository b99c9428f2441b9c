import { afterAll, vi } from 'vitest';
import { runConformanceTests } from '@durable-streams/server-conformance-tests';
import { startAuthProxy, type AuthProxy } from '../support/auth-proxy.ts';
import { api, signup } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, test as base } from '../support/fixtures.ts';

// Electric's Durable Streams conformance suite against our endpoint, on the test database
// (PGlite, or PostgreSQL when DATABASE_URL is set). Auth is always on: the suite talks to a
// local proxy that adds a real API key, like any client would — there is no auth bypass.
// Its stream paths are /v1/stream/…, so the base URL ends at our /ds prefix.

// The suite's 10 MB payload test writes through PGlite's WASM Postgres; on a loaded 2-core
// machine with the rest of the suite running beside it, that can take longer than 30 s.
vi.setConfig({ testTimeout: 120_000 });

// Short server-side long-polls: several tests wait for a 204 timeout.
const SERVER_LONG_POLL_MS = 1_000;
// Mutable: the suite reads baseUrl when each test runs, after beforeAll filled it in.
const config = { baseUrl: '', longPollTimeoutMs: 5_000 };
let proxy: AuthProxy;
const test = base.override('serverOptions', { config: { dsLongPollTimeoutMs: SERVER_LONG_POLL_MS } });

// The suite's own tests are plain `it`s; this hook brings up the file's server for them.
test.beforeAll(async ({ server }) => {
  const account = await signup(server.url);
  const key = await api<{ key: string }>(server.url, account, 'POST', '/api/keys');
  if (key.status !== 201) throw new Error(`creating an API key failed: ${key.status}`);
  proxy = await startAuthProxy(server.url, key.body.key);
  config.baseUrl = `${proxy.url}/ds`;
});

afterAll(async () => {
  await proxy?.close();
});

describe(`Durable Streams conformance (${DB_KIND})`, () => {
  runConformanceTests(config);
});
