import { beforeAll } from 'vitest';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { ensureWebBuild } from '../support/web-build.ts';

const test = base.override('serverOptions', { config: { serveWeb: true } });

// `npm start` serves the built web app beside the API; this guards that path.
describe('serving the web app', () => {
  // Shared with the browser tests: a lock (no two builds emptying dist/web at once) and a production build.
  beforeAll(() => ensureWebBuild(), 120_000);

  test('serves index.html at / and for client-side routes, JSON 404s for unknown API routes', async ({ server }) => {
    const root = await fetch(`${server.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/text\/html/);
    const html = await root.text();
    expect(html).toContain('<div id="root">');
    const deep = await fetch(`${server.url}/pair/ABCDEF`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const api = await fetch(`${server.url}/api/nope`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${server.url}${asset}`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    // Read to the end: a response left unread holds its connection open, and closing the server waits for it.
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });
});
