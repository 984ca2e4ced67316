import { describe, expect, it } from 'vitest';
import { DOCS_CONTENT_SECURITY_POLICY } from '#shared/api/docs.js';
import { badRequest } from '#shared/http/errors.js';
import { createHttpHandler } from '#shared/http/handler.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';

const routes = [
  defineRoute({
    method: 'GET',
    path: '/ok',
    auth: 'NONE',
    tag: 't',
    summary: 's',
    handle: async () => ({ ok: 1 }),
  }),
  defineRoute({
    method: 'GET',
    path: '/refused',
    auth: 'NONE',
    tag: 't',
    summary: 's',
    handle: async () => {
      throw badRequest('no');
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/crash',
    auth: 'NONE',
    tag: 't',
    summary: 's',
    handle: async () => {
      throw new Error('secret internals');
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/page',
    auth: 'NONE',
    tag: 't',
    summary: 's',
    handle: async () => Reply.html('<p>'),
  }),
];

const call = async (handler: ReturnType<typeof createHttpHandler>, path: string) =>
  (await handler(httpEvent('GET', path, { routeKey: '$default' }), lambdaContext())) as {
    statusCode: number;
    headers: Record<string, string>;
    body?: string;
  };

describe('security headers on every answer (shared/http/security-headers.ts)', () => {
  const handler = createHttpHandler(routes);

  it.each([
    ['/ok', 200],
    ['/refused', 400],
    ['/crash', 500],
    ['/nowhere', 404],
  ])('%s (%i) carries HSTS, nosniff, no framing, no referrer and the strict JSON policy', async (path, status) => {
    const answer = await call(handler, path);
    expect(answer.statusCode).toBe(status);
    expect(answer.headers).toMatchObject({
      'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    expect(answer.headers['Content-Security-Policy']).toBe(
      "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox",
    );
    expect(answer.headers['Permissions-Policy']).toContain('camera=()');
    expect(answer.body ?? '').not.toContain('secret internals');
  });

  it('keeps the route’s own headers and takes an HTML area’s policy instead of the JSON one', async () => {
    const docs = createHttpHandler(routes, { contentSecurityPolicy: DOCS_CONTENT_SECURITY_POLICY });
    const page = await call(docs, '/page');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['Content-Security-Policy']).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(page.headers['X-Frame-Options']).toBe('DENY');
  });
});
