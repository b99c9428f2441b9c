import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../../server/http/errors.ts';
import { isUnavailable } from '../../../server/http/unavailable.ts';
import { startJobQueue } from '../../../server/jobs/queue.ts';

describe('database outages are 503, bugs stay 500', () => {
  const app = Fastify({ logger: false });
  beforeAll(async () => {
    installErrorHandler(app);
    // A real driver error: a pool aimed at a port nothing listens on.
    app.get('/refused', async () => {
      const pool = new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2_000 });
      try {
        return await pool.query('SELECT 1');
      } finally {
        await pool.end();
      }
    });
    app.get('/shutdown', async () => {
      throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    });
    app.get('/wrapped', async () => {
      throw new Error('Invalid `prisma.session.findUnique()` invocation', { cause: Object.assign(new Error("Can't reach database server"), { code: 'P1001' }) });
    });
    // A job queue whose every start failed (its database never answered).
    const jobs = startJobQueue({ jobSql: { executeSql: async () => Promise.reject(new Error('deadlock detected')) } } as never, ['q'], {
      error: () => {},
      warn: () => {},
    });
    app.get('/queue', async () => jobs.send('q', {}));
    app.get('/bug', async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });
    await app.ready();
  });
  afterAll(() => app.close());

  for (const path of ['/refused', '/shutdown', '/wrapped', '/queue']) {
    it(`${path}: 503 unavailable with Retry-After and no internals`, async () => {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/try again/i) } });
      expect(res.body).not.toMatch(/prisma|57P01|ECONNREFUSED|127\.0\.0\.1/i);
    });
  }

  it('a bug is 500 internal', async () => {
    const res = await app.inject({ method: 'GET', url: '/bug' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('internal');
  });

  it('a constraint violation or a syntax error is not an outage', () => {
    expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
  });
});
