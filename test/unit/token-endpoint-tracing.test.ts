import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenEndpointError } from '#shared/oauth/errors.js';
import { exchangeCode, refreshTokenSet } from '#shared/oauth/token-endpoint.js';
import { PROVIDER_INFO, type ProviderConfig } from '#shared/providers/registry.js';
import { type RunningHttpServer, sendJson, startHttpServer } from '#test/fakes/oauth-fake.js';
import { traced } from '#test/helpers/trace-recorder.js';

/**
 * What a traced function (`-c tracing=true`) hands the tracer for a token request (shared/oauth/token-endpoint.ts):
 * `#tracer` replaced by a recorder (test/helpers/trace-recorder.ts).
 */
vi.mock('#tracer', async (original) =>
  (await import('#test/helpers/trace-recorder.js')).recordingTracer(await original()),
);

let server: RunningHttpServer;
const answers: { status: number; body: unknown }[] = [];
beforeAll(async () => {
  server = await startHttpServer((_req, res) => {
    const answer = answers.shift()!;
    sendJson(res, answer.status, answer.body);
  });
});
afterAll(() => server.stop());

const config = (): ProviderConfig => ({
  provider: 'oura',
  info: PROVIDER_INFO.oura,
  clientId: 'cid',
  clientSecret: 'csecret',
  scope: PROVIDER_INFO.oura.oauth!.defaultScope,
  authorizeUrl: `${server.url}/authorize`,
  tokenUrl: `${server.url}/oauth/token`,
  apiBaseUrl: server.url,
  configured: true,
});

describe('a traced token request', () => {
  it('is handed to the tracer by method, token URL and status, an exchange and a refused refresh alike', async () => {
    answers.push(
      {
        status: 200,
        body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1' },
      },
      { status: 400, body: { error: 'invalid_grant' } },
    );
    await exchangeCode(config(), 'the-code', 'the-verifier', 'https://cb/x');
    await expect(refreshTokenSet(config(), 'rt-1')).rejects.toBeInstanceOf(TokenEndpointError);

    const tokenUrl = `${server.url}/oauth/token`;
    expect(traced).toEqual([
      { method: 'POST', url: tokenUrl, status: 200 },
      { method: 'POST', url: tokenUrl, status: 400 },
    ]);
  });
});
