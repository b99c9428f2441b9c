// A Durable Streams reference server in its own process (as it would be deployed): prints its URL, stops on SIGTERM.
// argv[2]: a data directory for the file-backed store (LMDB + log files); omitted = in-memory store.
import { DurableStreamTestServer } from '@durable-streams/server';

const server = new DurableStreamTestServer({ port: 0, host: '127.0.0.1', dataDir: process.argv[2] || undefined, compression: false });
const url = await server.start();
process.stdout.write(`DS_URL ${url}\n`);
process.on('SIGTERM', () => {
  // The reference server logs every SSE handler it interrupts on stop; that is not a bench failure.
  console.error = () => {};
  console.log = () => {};
  server.stop().finally(() => process.exit(0));
});
