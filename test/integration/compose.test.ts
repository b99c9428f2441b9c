import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HAS_COMPOSE = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
if (!HAS_COMPOSE) console.warn('compose.test.ts skipped: the docker-compose binary is not installed (Debian package "docker-compose")');

// `docker-compose config` parses, validates and resolves the file without an engine.
describe.skipIf(!HAS_COMPOSE)('docker-compose.yml', () => {
  const resolved = () => {
    const out = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OPENAI_API_KEY: '' } });
    return out;
  };

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
});
