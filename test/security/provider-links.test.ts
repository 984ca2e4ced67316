import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerGet, ProviderRequestError } from '#shared/providers/http.js';

/** Review finding 8: a provider's `next` page link was followed, with the user's bearer token, to any host. */

interface Recorder {
  server: Server;
  url: string;
  seen: IncomingHttpHeaders[];
}

async function recorder(): Promise<Recorder> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

let api: Recorder;
let elsewhere: Recorder;

beforeAll(async () => {
  [api, elsewhere] = await Promise.all([recorder(), recorder()]);
});
afterAll(async () => {
  await Promise.all([api, elsewhere].map((r) => new Promise((resolve) => r.server.close(resolve))));
});

describe('provider page links', () => {
  it('are followed on the API origin', async () => {
    const get = bearerGet(`${api.url}/1`, 'secret-token');
    expect(await get(`${api.url}/1/user/-/activities/list.json?offset=100`)).toEqual({ ok: true });
    expect(api.seen.at(-1)?.authorization).toBe('Bearer secret-token');
  });

  it.each([
    ['another host', () => `${elsewhere.url}/steal`],
    ['another port of the same host', () => elsewhere.url.replace('127.0.0.1', 'localhost')],
    ['another scheme', () => api.url.replace('http:', 'https:')],
  ])('are refused to %s, and the token never leaves', async (_name, link) => {
    const get = bearerGet(api.url, 'secret-token');
    await expect(get(link())).rejects.toBeInstanceOf(ProviderRequestError);
    expect(elsewhere.seen).toEqual([]);
  });
});
