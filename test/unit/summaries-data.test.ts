import { describe, expect, it } from 'vitest';
import { buildDataSummary } from '#shared/data/summaries/data.js';

const USER = '00000000-0000-4000-8000-000000000003';
describe('data summary', () => {
  it('orders counts by size and providers by their total', () => {
    const body = buildDataSummary({
      userId: USER,
      seriesCounts: [
        { series: 'heart_rate', sourceKey: 'w', count: 100 },
        { series: 'steps', sourceKey: 'w', count: 40 },
        { series: 'steps', sourceKey: 'p', count: 60 },
        { series: 'weight', sourceKey: 'g', count: 1 },
        { series: 'energy', sourceKey: 'g', count: 0 },
      ],
      workouts: [
        { sourceKey: 'g', type: 'running' },
        { sourceKey: 'g', type: 'running' },
        { sourceKey: 'g', type: null },
        { sourceKey: 'w', type: 'cycling' },
      ],
      sleepSourceKeys: ['g', 'w'],
      hasWomensHealthData: false,
      providerOf: (key) => (key === 'g' ? 'garmin' : 'apple'),
    });
    expect(body).toEqual({
      user_id: USER,
      total_data_points: 201,
      total_workouts: 4,
      total_sleep_events: 2,
      series_type_counts: { heart_rate: 100, steps: 100, weight: 1 },
      workout_type_counts: { running: 2, cycling: 1, unknown: 1 },
      by_provider: [
        {
          provider: 'apple',
          data_points: 200,
          series_counts: { heart_rate: 100, steps: 100 },
          workout_count: 1,
          sleep_count: 1,
        },
        {
          provider: 'garmin',
          data_points: 1,
          series_counts: { weight: 1 },
          workout_count: 3,
          sleep_count: 1,
        },
      ],
      has_womens_health_data: false,
    });
    expect(Object.keys(body.series_type_counts)).toEqual(['heart_rate', 'steps', 'weight']);
  });
});
