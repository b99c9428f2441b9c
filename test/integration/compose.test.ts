import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HAS_COMPOSE = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
if (!HAS_COMPOSE) console.warn('compose.test.ts skipped: the docker-compose binary is not installed (Debian package "docker-compose")');

// `docker-compose config` parses, validates and resolves the file without an engine.
describe.skipIf(!HAS_COMPOSE)('docker-compose.yml', () => {
  /** The file as compose resolves it; PUBLIC_URL from the shell only when `publicUrl` is given. */
  const resolved = (publicUrl?: string) => {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '' };
    delete env.PUBLIC_URL;
    if (publicUrl) env.PUBLIC_URL = publicUrl;
    return execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8', env });
  };

  /** One service's block of the resolved file (its lines below `  name:`, up to the next service). */
  const service = (text: string, name: string): string => {
    const lines = text.split('\n');
    const start = lines.indexOf(`  ${name}:`);
    if (start < 0) throw new Error(`no service ${name} in:\n${text}`);
    const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l));
    return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
  };
  const setting = (block: string, key: string): string | undefined => new RegExp(`^\\s+${key}: '?([^'\\n]*)'?$`, 'm').exec(block)?.[1];

  it('is valid for a real compose parser', () => {
    expect(resolved()).toMatch(/services:/);
  });

  it('runs migrations once before two app replicas, behind a WebSocket-capable load balancer, with health checks', () => {
    const services = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services'], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    expect(services).toEqual(['app1', 'app2', 'lb', 'migrate', 'postgres']);
    const text = resolved();
    expect(text).toMatch(/service_completed_successfully/);
    expect(text.match(/healthcheck:/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/INSTANCE_ID: app1/);
    expect(text).toMatch(/INSTANCE_ID: app2/);
    expect(text).toMatch(/stop_grace_period/);
  });

  it('gives both replicas PUBLIC_URL on the load balancer\'s published port, and trusts one proxy (issue 15)', () => {
    const text = resolved();
    const lb = service(text, 'lb');
    const published = /published: (\d+)\n\s+target: 80\b/.exec(lb);
    expect(published, lb).not.toBeNull();
    for (const app of ['app1', 'app2']) {
      const block = service(text, app);
      const publicUrl = new URL(setting(block, 'PUBLIC_URL') ?? 'http://missing.invalid');
      // The address a browser on the host uses: without it, or on another port, every
      // sign-up would be refused as a foreign Origin (or need the Host header to be right).
      expect(publicUrl.origin).toBe(`http://localhost:${published![1]}`);
      expect(setting(block, 'TRUST_PROXY')).toBe('1');
    }
    // An operator's PUBLIC_URL (TLS in front, docs/deploy.md) reaches both replicas.
    const tls = resolved('https://focus.example');
    for (const app of ['app1', 'app2']) expect(setting(service(tls, app), 'PUBLIC_URL')).toBe('https://focus.example');
  });
});
