import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allRoutes } from '#shared/api/index.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/** Random methods, paths, headers and bodies at the sandbox: never a 5xx, always a JSON `{"detail"}` error. */
let sandbox: TestSandbox;
let validKey: string;
let developerToken: string;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  const login = await sandbox.api('POST', '/api/v1/auth/login', {
    form: { username: sandbox.admin.email, password: sandbox.admin.password },
  });
  developerToken = login.json.access_token;
  validKey = (
    await sandbox.api('POST', '/api/v1/developer/api-keys', {
      headers: { authorization: `Bearer ${developerToken}` },
    })
  ).json.key;
});
afterAll(() => sandbox?.stop());

const segment = fc.oneof(
  fc.constantFrom(
    'x',
    '00000000-0000-0000-0000-000000000000',
    'NOT-A-UUID',
    '%00',
    '..',
    'sk-abc',
    '{user_id}',
    'é',
  ),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
);
const path = fc.oneof(
  fc
    .tuple(fc.constantFrom(...allRoutes.map((r) => r.path)), segment)
    .map(([template, value]) => template.replace(/\{[^}]+\}/g, encodeURIComponent(value))),
  fc.array(segment, { maxLength: 6 }).map((parts) => `/api/v1/${parts.map(encodeURIComponent).join('/')}`),
);
const json = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constant('{"a":'),
  fc.constant(''),
);
const body = fc.oneof(
  json.map((text) => ({ body: text, headers: { 'content-type': 'application/json' } })),
  json.map((text) => ({ body: text, headers: {} })),
  fc
    .uint8Array({ maxLength: 256 })
    .map((bytes) => ({ body: bytes, headers: { 'content-encoding': 'gzip' } })),
  json.map((text) => ({
    body: gzipSync(text),
    headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
  })),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 })).map((form) => ({
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })),
);
/** Valid credentials half the time, so requests get past authentication into validation and the handlers. */
const auth = () =>
  fc.record(
    {
      authorization: fc.oneof(
        fc.string(),
        fc.constantFrom(
          'Bearer ',
          'Bearer a.b.c',
          'a.b.c',
          `Bearer ${developerToken}`,
          `Bearer ${developerToken}`,
        ),
      ),
      'x-open-wearables-api-key': fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constant(validKey),
        fc.constant(validKey),
      ),
      'x-api-key': fc.string({ maxLength: 40 }),
    },
    { requiredKeys: [] },
  );
const header = (value: string) => value.replace(/[^\t\x20-\x7e]/g, '');

it('no request makes the API answer 5xx or a non-JSON error', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      path,
      body,
      auth(),
      fc.dictionary(fc.string(), fc.string()),
      async (method, target, payload, credentials, query) => {
        const url = `${sandbox.url}${target}?${new URLSearchParams(query)}`;
        const headers = Object.fromEntries(
          Object.entries({ ...payload.headers, ...credentials }).map(([k, v]) => [k, header(v)]),
        );
        const response = await fetch(url, {
          method,
          headers,
          ...(method === 'GET' ? {} : { body: payload.body }),
        });
        const text = await response.text();
        expect(response.status, `${method} ${target} -> ${text}`).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get('content-type')).toContain('application/json');
          expect(typeof JSON.parse(text).detail).toBe('string');
          expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
        }
      },
    ),
    { numRuns: 400 },
  );
});
