import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

const SWAGGER_UI_DIST = new URL('../../node_modules/swagger-ui-dist/', import.meta.url);
const JAVASCRIPT = 'application/javascript; charset=utf-8';
/** What the docs page loads, with the content type each must have. */
const SERVED = {
  '/docs/init.js': JAVASCRIPT,
  '/docs/swagger-ui-bundle.js': JAVASCRIPT,
  '/docs/swagger-ui.css': 'text/css; charset=utf-8',
};

/** A GET through the sandbox's HTTP server, body as sent on the wire (fetch would inflate it). */
function get(url: string, acceptEncoding: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
        );
      })
        .on('error', reject)
        .end();
    },
  );
}

/** `{ directive: 'its sources' }` of a Content-Security-Policy header. */
const directives = (csp: string) =>
  Object.fromEntries(
    csp.split(';').map((directive) => {
      const [name, ...sources] = directive.trim().split(/\s+/);
      return [name, sources.join(' ')];
    }),
  );

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox?.stop());

describe('/docs works offline', () => {
  it('references only same-origin files, under a CSP without other hosts or inline script', async () => {
    const docs = await sandbox.api('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).not.toMatch(/https?:|\/\/[a-z]/i);
    expect(docs.text).not.toMatch(/<script>|<style>|\son[a-z]+=/i);
    expect(directives(docs.headers.get('content-security-policy') ?? '')).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'connect-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  it('serves every file it references, with its content type', async () => {
    const docs = await sandbox.api('GET', '/docs');
    const references = [...docs.text.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url!);
    expect(references.filter((url) => !url.startsWith('data:')).sort()).toEqual(Object.keys(SERVED));
    for (const [path, contentType] of Object.entries(SERVED)) {
      const { status, headers } = await get(`${sandbox.url}${path}`, 'identity');
      expect({ path, status, contentType: headers['content-type'] }).toEqual({
        path,
        status: 200,
        contentType,
      });
    }
  });

  it.each([
    'swagger-ui-bundle.js',
    'swagger-ui.css',
  ])('serves %s as published, gzip-compressed when accepted', async (file) => {
    const published = readFileSync(new URL(file, SWAGGER_UI_DIST));
    const identity = await get(`${sandbox.url}/docs/${file}`, 'identity');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(published)).toBe(true);

    const gzip = await get(`${sandbox.url}/docs/${file}`, 'gzip, deflate, br');
    expect(gzip.status).toBe(200);
    expect(gzip.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'accept-encoding' });
    expect(gzip.body.length).toBeLessThan(published.length / 2);
    expect(gunzipSync(gzip.body).equals(published)).toBe(true);
  });

  it('sends no gzip to a client refusing it (q=0)', async () => {
    const refused = await get(`${sandbox.url}/docs/swagger-ui.css`, 'gzip;q=0, identity');
    expect(refused.status).toBe(200);
    expect(refused.headers['content-encoding']).toBeUndefined();
  });
});
