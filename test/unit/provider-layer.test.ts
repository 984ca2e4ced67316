import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerGet, ProviderRequestError } from '#shared/providers/http.js';
import { allPages } from '#shared/providers/pages.js';
import { validHmac } from '#shared/providers/secrets.js';
import type { ProviderGet } from '#shared/providers/types.js';

/** What several providers share (pages.ts, secrets.ts, http.ts): one definition, checked once here. */

describe('validHmac', () => {
  const sign = (key: string, payload: Buffer, encoding: 'hex' | 'base64') =>
    createHmac('sha256', key).update(payload).digest(encoding);

  it('accepts the HMAC-SHA256 of the exact bytes, hex in either case or base64', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.uint8Array(), (key, bytes) => {
        const payload = Buffer.from(bytes);
        const hex = sign(key, payload, 'hex');
        expect(validHmac(key, payload, hex, 'hex')).toBe(true);
        expect(validHmac(key, payload, hex.toUpperCase(), 'hex')).toBe(true);
        expect(validHmac(key, payload, sign(key, payload, 'base64'), 'base64')).toBe(true);
      }),
    );
  });

  it('refuses any changed byte of the body, and any other key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.uint8Array({ minLength: 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (key, bytes, index, flip) => {
          const payload = Buffer.from(bytes);
          const signature = sign(key, payload, 'hex');
          const tampered = Buffer.from(payload);
          const at = index % tampered.length;
          tampered[at] = tampered[at]! ^ flip;
          expect(validHmac(key, tampered, signature, 'hex')).toBe(false);
          expect(validHmac(`${key}x`, payload, signature, 'hex')).toBe(false);
        },
      ),
    );
  });

  it('refuses a missing key or signature, and signatures of the wrong length or alphabet', () => {
    const body = Buffer.from('{"a":1}');
    const good = sign('k', body, 'hex');
    expect(validHmac(undefined, body, good, 'hex')).toBe(false);
    expect(validHmac('', body, sign('', body, 'hex'), 'hex')).toBe(false);
    expect(validHmac('k', body, undefined, 'hex')).toBe(false);
    expect(validHmac('k', body, good.slice(0, 62), 'hex')).toBe(false);
    expect(validHmac('k', body, `${good.slice(0, 62)}zz`, 'hex')).toBe(false);
    expect(validHmac('k', body, sign('k', body, 'base64').slice(0, 20), 'base64')).toBe(false);
  });
});

describe('allPages', () => {
  /** A collection of `pages` served one page per cursor, the cursor being the next page's index. */
  const paged =
    (pages: number[][], calls: Array<Record<string, string | number>>): ProviderGet =>
    async (_path, query = {}) => {
      calls.push(query);
      const index = query.next_token === undefined ? 0 : Number(query.next_token);
      const next = index + 1 < pages.length ? String(index + 1) : null;
      return { data: pages[index], next_token: next };
    };

  it('returns every item of every page in order, passing the query on each request', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer()), { minLength: 1, maxLength: 20 }), async (pages) => {
        const calls: Array<Record<string, string | number>> = [];
        const items = await allPages(
          paged(pages, calls),
          '/c',
          { start_date: '2026-01-01' },
          {
            cursorParam: 'next_token',
            nextField: 'next_token',
            itemsField: 'data',
          },
        );
        expect(items).toEqual(pages.flat());
        expect(calls).toHaveLength(pages.length);
        for (const call of calls) expect(call.start_date).toBe('2026-01-01');
      }),
    );
  });

  it('stops at a repeated or empty cursor, and reads a body without items as an empty page', async () => {
    const repeating: ProviderGet = async () => ({ data: [1], next_token: 'same' });
    const paging = { cursorParam: 'c', nextField: 'next_token', itemsField: 'data' };
    expect(await allPages(repeating, '/c', {}, paging)).toEqual([1, 1]);
    const empty: ProviderGet = async () => ({ data: [2], next_token: '' });
    expect(await allPages(empty, '/c', {}, paging)).toEqual([2]);
    const odd: ProviderGet = async () => ({ data: 'not a list', next_token: null });
    expect(await allPages(odd, '/c', {}, paging)).toEqual([]);
    expect(await allPages(async () => null, '/c', {}, paging)).toEqual([]);
  });

  it('fails rather than drop pages silently when a collection never ends', async () => {
    let page = 0;
    const endless: ProviderGet = async () => ({ data: [page], next_token: String(++page) });
    await expect(
      allPages(
        endless,
        '/c',
        {},
        { cursorParam: 'c', nextField: 'next_token', itemsField: 'data', maxPages: 5 },
      ),
    ).rejects.toBeInstanceOf(ProviderRequestError);
  });
});

describe('provider calls other than a GET', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ method: string; headers: IncomingHttpHeaders; body: string; path: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        seen.push({ method: req.method!, headers: req.headers, body, path: req.url! });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":0}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('posts a form (Withings actions) with the bearer token and the provider headers', async () => {
    const call = bearerGet(url, 'tok', undefined, { 'ocp-apim-subscription-key': 'sub-key' });
    expect(await call('/measure', {}, { form: { action: 'getmeas', meastype: '1' } })).toEqual({ status: 0 });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      path: '/measure',
      body: 'action=getmeas&meastype=1',
      headers: {
        authorization: 'Bearer tok',
        'content-type': 'application/x-www-form-urlencoded',
        'ocp-apim-subscription-key': 'sub-key',
      },
    });
  });

  it('sends JSON bodies and other methods, and never lets a provider header replace the bearer token', async () => {
    const call = bearerGet(url, 'tok', undefined, { authorization: 'Bearer other' });
    await call('/v3/users', { q: 1 }, { json: { 'member-id': 'u-1' } });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v3/users?q=1',
      body: '{"member-id":"u-1"}',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
    });
    await call('/v3/users/7', {}, { method: 'DELETE' });
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', path: '/v3/users/7', body: '' });
  });
});
