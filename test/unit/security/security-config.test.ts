import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config.ts';
import { contentSecurityPolicy } from '../../../server/http/security-headers.ts';

describe('security configuration', () => {
  it('defaults: no proxy trusted, 30 s heartbeat, documented limits', () => {
    const c = loadConfig({});
    expect(c.trustProxy).toBe(false);
    expect(c.wsHeartbeatMs).toBe(30_000);
    expect(c.limits).toEqual({ maxSessionsPerUser: 500, maxSocketsPerUser: 20, wsMessagesPerSecond: 20, wsMessageBurst: 40, dsMaxStreamsPerUser: 1_000, dsMaxBytesPerUser: 256 * 1024 * 1024 });
    expect(c.publicOrigin).toBeUndefined();
    expect(c.secureCookies).toBe(false);
  });

  it('parses the variables', () => {
    const c = loadConfig({ TRUST_PROXY: '1', WS_HEARTBEAT_MS: '500', PUBLIC_URL: 'https://focus.example/app', MAX_SESSIONS_PER_USER: '3', MAX_SOCKETS_PER_USER: '2' });
    expect(c).toMatchObject({ trustProxy: 1, wsHeartbeatMs: 500, publicOrigin: 'https://focus.example', secureCookies: true });
    expect(c.limits).toMatchObject({ maxSessionsPerUser: 3, maxSocketsPerUser: 2 });
  });

  it.each([
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ WS_HEARTBEAT_MS: '10' }, 'WS_HEARTBEAT_MS'],
    [{ PUBLIC_URL: 'focus.example' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://focus.example' }, 'PUBLIC_URL'],
    [{ MAX_SESSIONS_PER_USER: '0' }, 'MAX_SESSIONS_PER_USER'],
    [{ MAX_SOCKETS_PER_USER: 'many' }, 'MAX_SOCKETS_PER_USER'],
  ])('names the bad variable: %o', (env, variable) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).variable).toBe(variable);
    }
  });

  it('CSP allows our own scripts and styles only, no inline code, no framing', () => {
    const csp = contentSecurityPolicy(undefined);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy('https://focus.example')).toContain("connect-src 'self' wss://focus.example");
  });
});
