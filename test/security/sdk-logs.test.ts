import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/sdk.js';

/** Review finding 10: the SDK logs route checked no user and capped no field; an oversize user id gave 500. */

let apiKey: string;
let userId: string;

beforeAll(async () => {
  apiKey = await testApiKey('logs');
  userId = (await createUser({})).id;
});

const event = { eventType: 'device_state', timestamp: '2025-01-01T00:00:00Z', batteryLevel: 0.5 };

async function post(path: string, json: unknown) {
  const result = (await handler(
    httpEvent('POST', path, { headers: { 'x-open-wearables-api-key': apiKey }, json }),
    lambdaContext('sdk'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
}

describe('POST /sdk/users/{id}/logs', () => {
  it('accepts log events of an existing user', async () => {
    const response = await post(`/api/v1/sdk/users/${userId}/logs`, { sdkVersion: '0.6.0', events: [event] });
    expect(response.status).toBe(202);
  });

  it('answers 404 for a user that does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const response = await post(`/api/v1/sdk/users/${missing}/logs`, {
      sdkVersion: '0.6.0',
      events: [event],
    });
    expect(response).toEqual({ status: 404, body: { detail: `User with ID: ${missing} not found.` } });
  });

  it.each(['logs', 'sync'])('an oversize user id on /%s is a 400, not a 500', async (route) => {
    const response = await post(`/api/v1/sdk/users/${'a'.repeat(5_000)}/${route}`, {
      provider: 'apple',
      sdkVersion: '0.6.0',
      syncTimestamp: '2025-01-01T00:00:00Z',
      events: [event],
    });
    expect(response).toEqual({ status: 400, body: { detail: 'String should have at most 64 characters' } });
  });

  it.each([
    ['sdkVersion', { sdkVersion: 'v'.repeat(100_000), events: [event] }],
    ['an event field', { sdkVersion: '1', events: [{ ...event, thermalState: 'x'.repeat(100_000) }] }],
    ['the event count', { sdkVersion: '1', events: Array.from({ length: 101 }, () => event) }],
  ])('caps %s', async (_name, body) => {
    const response = await post(`/api/v1/sdk/users/${userId}/logs`, body);
    expect(response.status).toBe(400);
  });
});
