import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config.ts';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: './data', databaseUrl: undefined, logLevel: 'info', coach: 'auto', eventCacheMb: 64 });
  });

  it('EVENT_CACHE_MB sizes the event cache (SL20); 0 turns it off', () => {
    expect(loadConfig({ EVENT_CACHE_MB: '0' }).eventCacheMb).toBe(0);
    expect(loadConfig({ EVENT_CACHE_MB: '256' }).eventCacheMb).toBe(256);
  });

  it('parses every variable', () => {
    const c = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATA_DIR: '/tmp/x', DATABASE_URL: 'postgresql://u@h/db', LOG_LEVEL: 'debug', COACH_PACE_MS: '0' });
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: '/tmp/x', databaseUrl: 'postgresql://u@h/db', logLevel: 'debug', coachPaceMs: 0 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ COACH_PACE_MS: '-1' }, 'COACH_PACE_MS'],
    [{ EVENT_CACHE_MB: '-1' }, 'EVENT_CACHE_MB'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ COACH: 'genius' }, 'COACH'],
    [{ COACH: 'openai' }, 'OPENAI_API_KEY'],
  ])('names the bad variable: %o', (env, variable) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message.startsWith(`${variable}:`)).toBe(true);
    }
  });
});
