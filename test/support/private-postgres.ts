// A throwaway PostgreSQL cluster owned by one test file (or one soak run).
//
// Fault tests stop, restart and cut connections of "the database". Doing that to the machine's
// shared cluster would break every other suite running against it, so the fault suite starts its
// own: initdb into a temp dir with the Debian binaries, the postmaster as a direct child process
// (so a restart is just a signal and a respawn), trust auth on 127.0.0.1 and a free port, no Unix
// socket, and everything deleted afterwards. PostgreSQL refuses to run as root; as root the
// binaries run as the `postgres` user, on a temp dir it owns.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migratePostgres, openDatabase, type Database } from '../../server/db/database.ts';

const PG_LIB = '/usr/lib/postgresql';
/** Fast shutdown (SIGINT) aborts sessions and checkpoints; past this the postmaster is killed. */
const STOP_TIMEOUT_MS = 20_000;
const START_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
/** Outside Linux's ephemeral range (32768+), so no outgoing connection holds it while we restart. */
const PORT_RANGE = { from: 20_000, to: 32_000 };

/** The newest Debian PostgreSQL server binaries, or undefined when none are installed. */
export function findPostgresBin(): string | undefined {
  let versions: string[];
  try {
    versions = readdirSync(PG_LIB).filter((v) => existsSync(path.join(PG_LIB, v, 'bin', 'postgres')));
  } catch {
    return undefined;
  }
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : path.join(PG_LIB, newest, 'bin');
}

/** True when a private cluster can be started here (fault tests skip themselves otherwise). */
export const PRIVATE_POSTGRES_AVAILABLE = findPostgresBin() !== undefined;

interface RunAs {
  uid?: number;
  gid?: number;
}

function runAs(): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port for the private PostgreSQL');
}

export interface PrivateCluster {
  /** Connection string of the `postgres` maintenance database. */
  readonly adminUrl: string;
  readonly port: number;
  /** A fresh, migrated database on this cluster; `drop` removes it. */
  createDatabase(): Promise<{ url: string; drop: () => Promise<void> }>;
  /** Fast shutdown: every connection is cut, as when the database server goes down. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** stop() then start(), with `downMs` of outage in between. */
  restart(downMs?: number): Promise<void>;
  readonly running: boolean;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

/** initdb + postgres in a temp dir; call destroy() when done (an exit hook also cleans up). */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(`no PostgreSQL server binaries under ${PG_LIB}`);
  const as = runAs();
  const root = mkdtempSync(path.join(os.tmpdir(), 'fc-pg-'));
  if (as.uid !== undefined) chownSync(root, as.uid, as.gid!);
  const dataDir = path.join(root, 'data');
  execFileSync(
    path.join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    { ...as, cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } },
  );
  const port = await freePort();
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const log: string[] = [];
  let proc: ChildProcess | undefined;

  const args = [
    '-D', dataDir,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    // Three app instances with their pools, their listeners, and the test's own clients.
    '-c', 'max_connections=300',
    // A test cluster: the OS does not crash under it, so skip the disk flushes.
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    '-c', 'logging_collector=off',
  ];

  async function waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`private PostgreSQL exited at start:\n${log.slice(-20).join('')}`);
      }
      const c = new pg.Client({ connectionString: adminUrl });
      try {
        await c.connect();
        await c.query('SELECT 1');
        await c.end();
        return;
      } catch {
        await c.end().catch(() => {});
        if (Date.now() > deadline) throw new Error(`private PostgreSQL did not start in ${START_TIMEOUT_MS} ms:\n${log.slice(-20).join('')}`);
        await new Promise((r) => setTimeout(r, READY_POLL_MS));
      }
    }
  }

  async function start(): Promise<void> {
    if (proc) return;
    const child = spawn(path.join(bin!, 'postgres'), args, {
      ...as,
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
    });
    const keep = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (log.length > 200) log.splice(0, log.length - 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    proc = child;
    child.once('exit', () => {
      if (proc === child) proc = undefined;
    });
    await waitReady(child);
  }

  async function stop(): Promise<void> {
    const child = proc;
    if (!child) return;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGINT');
    });
    if (proc === child) proc = undefined;
  }

  const onExit = () => {
    // Synchronous last resort when the test process ends without destroy().
    try {
      proc?.kill('SIGKILL');
    } catch {
      // already gone
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  await start();

  return {
    adminUrl,
    port,
    get running() {
      return proc !== undefined;
    },
    async createDatabase() {
      const name = `fc_fault_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      const url = u.toString();
      await migratePostgres(url);
      return {
        url,
        async drop() {
          if (!proc) return;
          const c = new pg.Client({ connectionString: adminUrl });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
          await c.end();
        },
      };
    },
    stop,
    start,
    async restart(downMs = 0) {
      await stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async destroy() {
      process.off('exit', onExit);
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A private cluster with one fresh database open in this process (for tests that run the app
 * in-process with startTestServer); cleanup closes it and removes the cluster.
 */
export async function openPrivateTestDatabase(): Promise<{ db: Database; url: string; cluster: PrivateCluster; cleanup: () => Promise<void> }> {
  const cluster = await startPrivateCluster();
  try {
    const { url } = await cluster.createDatabase();
    const db = await openDatabase({ databaseUrl: url, migrate: false });
    return {
      db,
      url,
      cluster,
      async cleanup() {
        await db.close();
        await cluster.destroy();
      },
    };
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
}
