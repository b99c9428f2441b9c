// Runs the repo's deploy/nginx.conf with the system's nginx, as a child process with its own
// prefix, pid file, logs and temp folders, so a test can put it in front of its replicas.
// Only the upstream servers and the listen address are rewritten.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEPLOY_NGINX_CONF = path.join(ROOT, 'deploy/nginx.conf');

export const NO_NGINX_MESSAGE =
  'No nginx found for the load-balancer tests. Install Debian\'s nginx package (apt-get install nginx), ' +
  'or run the tests as root on Debian to have it installed (test/support/nginx-setup.ts).';

/** The nginx binary on PATH or in the sbin folders Debian uses; null when not installed. */
export function findNginx(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'nginx');
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

/** A port nothing listens on right now (the kernel picks it; released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * deploy/nginx.conf with its upstream servers replaced, in order, by `upstreams`
 * ("127.0.0.1:PORT"), and `listen 80` by `listen`. Throws if the file no longer has the
 * shape this rewrite expects, so the test cannot silently run some other config.
 */
export function rewriteDeployConf(conf: string, upstreams: readonly string[], listen: string): string {
  const servers = conf.match(/^\s*server\s+app\d+:3000\b[^;]*;/gm) ?? [];
  if (servers.length !== upstreams.length) throw new Error(`deploy/nginx.conf has ${servers.length} upstream servers, the test has ${upstreams.length}`);
  let i = 0;
  const rewritten = conf.replace(/^(\s*server\s+)app\d+:3000\b/gm, (_m, lead: string) => `${lead}${upstreams[i++]}`);
  const listens = rewritten.match(/^\s*listen\s+80;/gm) ?? [];
  if (listens.length !== 1) throw new Error(`deploy/nginx.conf has ${listens.length} "listen 80;" lines, expected 1`);
  return rewritten.replace(/^(\s*)listen\s+80;/m, `$1listen ${listen};`);
}

export interface NginxProcess {
  url: string;
  proc: ChildProcess;
  /** The rewritten deploy/nginx.conf it runs. */
  siteConf: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Starts nginx (not as a daemon) with the rewritten deploy/nginx.conf, listening on 127.0.0.1:port. */
export async function startNginx(binary: string, opts: { upstreams: readonly string[]; port: number }, timeoutMs = 15_000): Promise<NginxProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fc-nginx-'));
  for (const sub of ['logs', 'temp/body', 'temp/proxy', 'temp/fastcgi', 'temp/uwsgi', 'temp/scgi']) mkdirSync(path.join(dir, sub), { recursive: true });
  const siteConf = rewriteDeployConf(readFileSync(DEPLOY_NGINX_CONF, 'utf8'), opts.upstreams, `127.0.0.1:${opts.port}`);
  writeFileSync(path.join(dir, 'site.conf'), siteConf);
  const errorLog = path.join(dir, 'logs/error.log');
  const main = [
    // As root, workers would run as "nobody" and could not use this private folder.
    process.getuid?.() === 0 ? 'user root;' : '',
    'daemon off;',
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${errorLog} info;`,
    'events { worker_connections 512; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${path.join(dir, 'temp/body')};`,
    `  proxy_temp_path ${path.join(dir, 'temp/proxy')};`,
    `  fastcgi_temp_path ${path.join(dir, 'temp/fastcgi')};`,
    `  uwsgi_temp_path ${path.join(dir, 'temp/uwsgi')};`,
    `  scgi_temp_path ${path.join(dir, 'temp/scgi')};`,
    `  include ${path.join(dir, 'site.conf')};`,
    '}',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'nginx.conf'), main);
  const proc = spawn(binary, ['-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf'), '-e', errorLog], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  proc.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  proc.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  const readLog = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '') + output.join('');
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}:\n${readLog()}`);
    const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`nginx did not answer on ${url} in ${timeoutMs} ms:\n${readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    siteConf,
    errorLog: readLog,
    stop: () =>
      new Promise<void>((done) => {
        const finish = () => {
          rmSync(dir, { recursive: true, force: true });
          done();
        };
        if (proc.exitCode !== null || proc.signalCode !== null) return finish();
        proc.once('exit', finish);
        proc.kill('SIGTERM');
      }),
  };
}
