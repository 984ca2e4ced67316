import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/oauth.js';

/**
 * `HEAD /oauth/{provider}/callback` (the newest reference): the reachability probe a provider sends when the redirect
 * URI is registered (Withings). It answers 200 for an OAuth provider without running the callback: no state is
 * consumed, no code exchanged, whatever the query carries.
 */

async function head(provider: string, query: Record<string, string> = {}) {
  return (await handler(
    httpEvent('HEAD', `/api/v1/oauth/${provider}/callback`, { query }),
    lambdaContext('oauth'),
  )) as APIGatewayProxyStructuredResultV2;
}

describe('HEAD /oauth/{provider}/callback', () => {
  it('200 without a body for every OAuth provider, with or without a code and state, unauthenticated', async () => {
    for (const provider of ['withings', 'polar', 'garmin', 'google_health']) {
      const result = await head(provider, { code: 'c', state: 'not-a-stored-state' });
      expect(result.statusCode).toBe(200);
      expect(result.body).toBeUndefined();
    }
    expect((await head('withings')).statusCode).toBe(200);
  });

  it("400 for a provider without OAuth (the GET's text) and for an unknown one", async () => {
    const sdk = await head('apple');
    expect(sdk.statusCode).toBe(400);
    expect(JSON.parse(sdk.body!)).toEqual({ detail: "Provider 'apple' does not support OAuth" });
    expect((await head('nokia')).statusCode).toBe(400);
  });

  it('the GET is still the callback: an unknown state is a 400, a missing one the error page', async () => {
    const get = async (query: Record<string, string>) =>
      (await handler(
        httpEvent('GET', '/api/v1/oauth/withings/callback', { query }),
        lambdaContext('oauth'),
      )) as APIGatewayProxyStructuredResultV2;
    expect((await get({ code: 'c', state: 'not-a-stored-state' })).statusCode).toBe(400);
    const missing = await get({});
    expect(missing.statusCode).toBe(303);
    expect(missing.headers?.location).toBe('/api/v1/oauth/error?message=Missing+OAuth+parameters');
  });
});
