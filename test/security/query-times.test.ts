import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/data.js';

/** Review finding 15: query times before 1970 or after 9999 answered 500 on five endpoints. */

let apiKey: string;
let userId: string;

beforeAll(async () => {
  apiKey = await testApiKey('times');
  userId = (await createUser({})).id;
});

async function get(path: string, query: Record<string, string>) {
  const result = (await handler(
    httpEvent('GET', path, { headers: { 'x-open-wearables-api-key': apiKey }, query }),
    lambdaContext('data'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
}

const endpoints = [
  ['timeseries', 'start_time', 'end_time'],
  ['events/workouts', 'start_date', 'end_date'],
  ['summaries/activity', 'start_date', 'end_date'],
  ['summaries/sleep', 'start_date', 'end_date'],
  ['health-scores', 'start_date', 'end_date'],
  ['summaries/data', 'start_date', 'end_date'],
] as const;

const OUT_OF_RANGE = ['1e20', '-1', '-86400', '253402300800', '10000-01-01', '0001-01-01T00:00:00Z'];

describe('out-of-range query times', () => {
  for (const [path, startName, endName] of endpoints) {
    it.each(OUT_OF_RANGE)(`${path}: %s is a 400 with the contract text`, async (value) => {
      for (const [name, other] of [
        [startName, endName],
        [endName, startName],
      ] as const) {
        const response = await get(`/api/v1/users/${userId}/${path}`, {
          [name]: value,
          [other]: name === startName ? '2025-01-02' : '2025-01-01',
        });
        expect(response).toEqual({
          status: 400,
          body: {
            detail: `Invalid datetime format: '${value}'. Expected ISO 8601 format or Unix timestamp.`,
          },
        });
      }
    });
  }

  it('the edges of the range are accepted', async () => {
    const response = await get(`/api/v1/users/${userId}/events/workouts`, {
      start_date: '0',
      end_date: '9999-12-31T23:59:59Z',
    });
    expect(response.status).toBe(200);
  });
});
