/**
 * How the sandbox serves the dashboard in front of the API (shared/sandbox/dashboard.ts), as CloudFront serves the
 * same files on AWS: the app for a browser at `/`, its bundle, `/config.json`; the API for everything else.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDashboard } from '#shared/sandbox/dashboard.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const api = withDashboard(
    (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ api: `${req.method} ${req.url}` }));
    },
    { demo: true },
  );
  server = createServer(api);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the sandbox serving the dashboard', () => {
  it('answers a browser at / with the app, whose asset URLs carry a content hash', async () => {
    const response = await fetch(`${base}/`, { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain(
      "default-src 'none'; script-src 'self'",
    );
    const page = await response.text();
    expect(page).toMatch(/<script type="module" src="\/assets\/app\.js\?v=[0-9a-f]{12}">/);
    expect(page).toMatch(/<link rel="stylesheet" href="\/assets\/app\.css\?v=[0-9a-f]{12}"/);
  });

  it('leaves / to the API for any other Accept, and every other path and method', async () => {
    for (const [method, path, headers] of [
      ['GET', '/', {}],
      ['GET', '/', { accept: 'application/json' }],
      ['POST', '/', html],
      ['GET', '/api/v1/health', html],
      ['GET', '/docs', html],
    ] as const) {
      const answer = await (await fetch(`${base}${path}`, { method, headers })).json();
      expect(answer).toEqual({ api: `${method} ${path}` });
    }
  });

  it('serves the bundle for a year and answers an unknown asset with a 404 detail', async () => {
    const script = await fetch(`${base}/assets/app.js?v=anything`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await script.text()).length).toBeGreaterThan(10_000);
    const styles = await fetch(`${base}/assets/app.css`);
    expect(styles.headers.get('content-type')).toBe('text/css; charset=utf-8');

    const head = await fetch(`${base}/assets/app.js`, { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(10_000);
    expect(await head.text()).toBe('');

    const missing = await fetch(`${base}/assets/nothing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Not Found' });
  });

  it('tells the app where the API is (this origin, as the browser reached it) and whether the demo runs', async () => {
    const config = await fetch(`${base}/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(await config.json()).toEqual({ apiBaseUrl: base, demo: true });
  });
});
