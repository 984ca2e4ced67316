import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SERIES_TYPES } from '#shared/model/series.js';
import committed from '#shared/providers/coverage.json' with { type: 'json' };
import { PROVIDER_INFO } from '#shared/providers/registry.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { scanCoverage } from '../../bin/coverage-scan.js';
import { handler } from '../../functions/meta.js';

/** Contract 4.1 and 10.3: GET /meta/coverage, the matrix read from the providers' mapping code. */

describe('GET /meta/coverage', () => {
  it('is fresh: coverage.json is what the mapping code maps today (npm run provider-coverage)', () => {
    expect(scanCoverage()).toEqual(committed);
  }, 120_000);

  it('answers the reference shape, public, for every provider of the registry', async () => {
    const result = (await handler(
      httpEvent('GET', '/api/v1/meta/coverage'),
      lambdaContext('meta'),
    )) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body!);
    expect(body.providers).toEqual(Object.keys(PROVIDER_INFO).sort());
    const categories = body.timeseries.map((c: { name: string }) => c.name);
    expect(categories[0]).toBe('Heart & Cardiovascular');
    for (const category of body.timeseries as Array<{
      name: string;
      metrics: Array<{ code: string; unit: string; providers: string[] }>;
    }>) {
      expect(category.metrics.map((m) => m.code)).toEqual(category.metrics.map((m) => m.code).sort());
      for (const metric of category.metrics) {
        const info = SERIES_TYPES[metric.code as keyof typeof SERIES_TYPES];
        expect(info.category).toBe(category.name);
        expect(metric.unit).toBe(info.unit);
        expect(metric.providers).toEqual([...metric.providers].sort());
      }
    }
    const heartRate = body.timeseries[0].metrics.find((m: { code: string }) => m.code === 'heart_rate');
    expect(heartRate.providers).toEqual(
      expect.arrayContaining(['apple', 'garmin', 'polar', 'health_connect']),
    );
    expect(
      body.workout_fields.find((f: { code: string }) => f.code === 'heart_rate_avg').providers,
    ).toContain('strava');
    expect(body.health_scores.map((s: { code: string }) => s.code)).toEqual(
      expect.arrayContaining(['sleep', 'recovery']),
    );
    expect(
      body.menstrual_cycle_fields.every((f: { providers: string[] }) => f.providers.includes('garmin')),
    ).toBe(true);
    expect(Object.keys(body).sort()).toEqual([
      'health_scores',
      'menstrual_cycle_fields',
      'providers',
      'sleep_fields',
      'timeseries',
      'workout_fields',
    ]);
  });
});
