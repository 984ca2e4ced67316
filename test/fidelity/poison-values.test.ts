import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { savePullResult } from '#shared/ingest/persist.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { sourceRef } from '#test/helpers/health-data.js';
import { healthConnectRecord, healthConnectRound, healthConnectWorkout } from '#test/helpers/sdk-payloads.js';
import { handler as dataHandler } from '../../functions/data.js';
import { handler as sdkHandler } from '../../functions/sdk.js';

/**
 * Issue 8 item 3: one value of 1e20 (or -1e15) made the whole batch 500, losing its good records; samples before
 * 1970 or after 2286 were stored and broke every later read of that range.
 */

let apiKey: string;
beforeAll(async () => {
  apiKey = await testApiKey('poison');
});

const headers = () => ({ 'x-open-wearables-api-key': apiKey });
const T0 = Date.UTC(2026, 2, 5, 6);

async function push(userId: string, body: unknown) {
  const result = (await sdkHandler(
    httpEvent('POST', `/api/v1/sdk/users/${userId}/sync`, { headers: headers(), json: body }),
    lambdaContext('sdk'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
}

async function read(userId: string, path: string, query: Record<string, string>) {
  const result = (await dataHandler(
    httpEvent('GET', `/api/v1/users/${userId}/${path}`, { headers: headers(), query }),
    lambdaContext('data'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
}

describe('out-of-range values and times in a push', () => {
  it('are dropped and counted; every good record of the batch is saved and readable', async () => {
    const user = await createUser({});
    const round = healthConnectRound(
      { start: T0, count: 1998 },
      {
        records: [
          healthConnectRecord('HEART_RATE', T0 + 3_600_000 * 40, 1e20, 'bpm'),
          healthConnectRecord('STEP_COUNT', T0 + 3_600_000 * 40, -1e15, 'count'),
          healthConnectRecord('HEART_RATE', Date.UTC(1960, 0, 1), 60, 'bpm'),
          healthConnectRecord('HEART_RATE', Date.UTC(2300, 0, 1), 60, 'bpm'),
        ],
        workouts: [
          healthConnectWorkout(Date.UTC(1960, 0, 1), Date.UTC(1960, 0, 1, 1)),
          healthConnectWorkout(T0, T0 + 1_800_000, [{ type: 'distance', value: 1e30, unit: 'm' }]),
        ],
      },
    );
    const response = await push(user.id, round);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ records_saved: 1998, workouts_saved: 1, dropped_count: 5 });

    const timeseries = await read(user.id, 'timeseries', {
      start_time: '1970-01-01T00:00:00Z',
      end_time: '2099-12-31T00:00:00Z',
      types: 'heart_rate',
      limit: '1',
    });
    expect(timeseries.status).toBe(200);
    expect(timeseries.body.pagination.total_count).toBe(1998);
    const workouts = await read(user.id, 'events/workouts', {
      start_date: '1970-01-01',
      end_date: '2099-01-01',
    });
    expect(workouts.body.data).toHaveLength(1);
    expect(workouts.body.data[0].distance_meters).toBeNull();
  });

  it('a provider pull with impossible values keeps the rest', async () => {
    const user = await createUser({});
    const source = sourceRef('ultrahuman', 'Ring Air', 'Ultrahuman');
    const saved = await savePullResult(user.id, {
      series: [
        {
          source,
          series: 'heart_rate',
          samples: [
            { timestamp: T0, value: 60, zoneOffset: null, isDailyTotal: null },
            { timestamp: T0 + 60_000, value: Number.POSITIVE_INFINITY, zoneOffset: null, isDailyTotal: null },
            { timestamp: Date.UTC(2400, 0, 1), value: 61, zoneOffset: null, isDailyTotal: null },
          ],
        },
      ],
      events: [],
      scores: [],
    });
    expect(saved.samples).toBe(1);
  });
});
