// Builds the web app (dist/web) for tests that serve it, once, in production mode.

import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST_INDEX = path.join(ROOT, 'dist/web/index.html');
const LOCK_DIR = path.join(ROOT, 'dist/.web-build.lock');

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

function isBuildFresh(): boolean {
  if (!existsSync(DIST_INDEX)) return false;
  const sources = Math.max(newestMtime(path.join(ROOT, 'web')), statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs);
  return statSync(DIST_INDEX).mtimeMs >= sources;
}

/**
 * Runs `vite build` if dist/web is missing or older than the web sources. A lock directory
 * keeps test files running in parallel from building (and emptying dist/web) at once; call
 * it before starting a server with serveWeb, which looks for dist/web when it starts.
 */
export async function ensureWebBuild(): Promise<void> {
  if (isBuildFresh()) return;
  mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      // Someone else is building; a lock older than two minutes is a crashed build.
      if (existsSync(LOCK_DIR) && Date.now() - statSync(LOCK_DIR).mtimeMs > 120_000) rmSync(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another web build');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (isBuildFresh()) return;
    const { build } = await import('vite');
    // Vitest sets NODE_ENV=test, which would give a development build of React: build what `npm start` serves.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: path.join(ROOT, 'vite.config.ts'), root: path.join(ROOT, 'web'), mode: 'production', logLevel: 'warn' });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

