import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { savePullResult } from '#shared/ingest/persist.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { sourceRef } from '#test/helpers/health-data.js';
import { handler as dataHandler } from '../../functions/data.js';

/** A workout's missing maximum heart rate is filled from the samples in its window, never below its own average. */

let apiKey: string;
beforeAll(async () => {
  apiKey = await testApiKey('workout-hr');
});

const START = Date.UTC(2026, 10, 20, 7);
const source = sourceRef('fitbit', 'Charge 6', 'Fitbit');

async function workoutWith(samples: number[]) {
  const user = await createUser({});
  await savePullResult(user.id, {
    series: [
      {
        source,
        series: 'heart_rate',
        samples: samples.map((value, i) => ({
          timestamp: START + i * 60_000,
          value,
          zoneOffset: null,
          isDailyTotal: null,
        })),
      },
    ],
    events: [
      {
        category: 'workout',
        type: 'running',
        source,
        start: START,
        end: START + 1_800_000,
        zoneOffset: '+00:00',
        durationSeconds: 1800,
        externalId: null,
        details: { heart_rate_avg: 150 },
      },
    ],
    scores: [],
  });
  const result = (await dataHandler(
    httpEvent('GET', `/api/v1/users/${user.id}/events/workouts`, {
      headers: { 'x-open-wearables-api-key': apiKey },
      query: { start_date: '2026-11-19', end_date: '2026-11-21' },
    }),
    lambdaContext('data'),
  )) as APIGatewayProxyStructuredResultV2;
  return JSON.parse(result.body!).data[0] as {
    avg_heart_rate_bpm: number;
    max_heart_rate_bpm: number | null;
  };
}

describe('workout maximum heart rate filled from samples', () => {
  it('is the highest sample in the window when it is at least the average', async () => {
    const workout = await workoutWith([140, 171, 155]);
    expect(workout).toMatchObject({ avg_heart_rate_bpm: 150, max_heart_rate_bpm: 171 });
  });

  it('is unknown when the samples stay below the provider average (they are not the workout)', async () => {
    const workout = await workoutWith([62, 70, 66]);
    expect(workout).toMatchObject({ avg_heart_rate_bpm: 150, max_heart_rate_bpm: null });
  });
});
