import { describe, expect, it } from 'vitest';
import { bmiOf, latestOf, pairBloodPressure } from '#shared/data/summaries/body.js';
import type { Sample } from '#shared/model/health-data.js';

const t = (iso: string) => Date.parse(iso);
const at = (iso: string, value: number): Sample => ({
  timestamp: t(iso),
  value,
  zoneOffset: null,
  isDailyTotal: null,
});

describe('body summary', () => {
  it('BMI from weight and height, one decimal', () => {
    expect(bmiOf(70, 175)).toBe(22.9);
    expect(bmiOf(82.5, 180)).toBe(25.5);
    expect(bmiOf(70, null)).toBeNull();
    expect(bmiOf(null, 180)).toBeNull();
    expect(bmiOf(70, 0)).toBeNull();
  });

  it('latest of several sources', () => {
    const latest = latestOf(
      new Map([
        ['a', [at('2025-03-01T08:00:00Z', 36.5), at('2025-03-01T09:00:00Z', 36.6)]],
        ['b', [at('2025-03-01T08:30:00Z', 36.9)]],
      ]),
    );
    expect(latest).toEqual({ sourceKey: 'a', sample: at('2025-03-01T09:00:00Z', 36.6) });
    expect(latestOf(new Map())).toBeNull();
  });

  it('blood pressure pairs same-source readings at most 5 s apart, the most recent pair winning', () => {
    const systolic = new Map([
      [
        'cuff',
        [at('2025-03-01T08:00:00Z', 118), at('2025-03-01T09:00:00Z', 125), at('2025-03-01T10:00:00Z', 140)],
      ],
      ['other', [at('2025-03-01T11:00:00Z', 150)]],
    ]);
    const diastolic = new Map([
      [
        'cuff',
        [
          at('2025-03-01T08:00:01Z', 78),
          at('2025-03-01T09:00:05Z', 82), // exactly 5 s: paired
          at('2025-03-01T09:00:04Z', 81), // closer: preferred
          at('2025-03-01T10:00:06Z', 90), // 6 s: not a pair
        ],
      ],
      ['elsewhere', [at('2025-03-01T11:00:00Z', 95)]], // another source's reading never pairs
    ]);
    expect(pairBloodPressure(systolic, diastolic)).toEqual({
      sourceKey: 'cuff',
      systolic: at('2025-03-01T09:00:00Z', 125),
      diastolic: at('2025-03-01T09:00:04Z', 81),
    });
    expect(pairBloodPressure(systolic, new Map())).toBeNull();
  });
});
