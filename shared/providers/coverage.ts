import * as z from 'zod/mini';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import scanned from '#shared/providers/coverage.json' with { type: 'json' };

/**
 * `GET /meta/coverage` (contract 4.1): the provider x data type matrix, pivoted from what each provider's code maps
 * (coverage.json, generated from the code by `npm run provider-coverage`, never edited by hand) and grouped like the
 * reference: series by category in its fixed order, then metrics by code; every other list by code.
 */

const CATEGORY_ORDER = [
  'Heart & Cardiovascular',
  'Blood & Respiratory',
  'Body Composition',
  'Fitness Metrics',
  'Activity - Basic',
  'Activity - Distance',
  'Activity - Walking',
  'Activity - Running',
  'Activity - Swimming',
  'Activity - Generic',
  'Environmental',
  'Provider-Specific',
  'Other',
];

const field = z.object({ code: z.string(), providers: z.array(z.string()) });

export const coverageResponse = z
  .object({
    providers: z.array(z.string()),
    timeseries: z.array(
      z.object({
        name: z.string(),
        metrics: z.array(z.object({ code: z.string(), unit: z.string(), providers: z.array(z.string()) })),
      }),
    ),
    workout_fields: z.array(field),
    sleep_fields: z.array(field),
    menstrual_cycle_fields: z.array(field),
    health_scores: z.array(field),
  })
  .check(z.meta({ id: 'CoverageResponse' }));

type Dimension = keyof (typeof scanned)[keyof typeof scanned];
type Coverage = z.output<typeof coverageResponse>;

const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);

/** code -> providers that deliver it, both sorted. */
function pivot(dimension: Dimension): Array<{ code: string; providers: string[] }> {
  const providers = new Map<string, string[]>();
  for (const [provider, coverage] of Object.entries(scanned)) {
    for (const code of coverage[dimension]) providers.set(code, [...(providers.get(code) ?? []), provider]);
  }
  return [...providers].map(([code, list]) => ({ code, providers: list.sort() })).sort(byCode);
}

function build(): Coverage {
  const categories = new Map<string, Coverage['timeseries'][number]['metrics']>();
  for (const { code, providers } of pivot('timeseries')) {
    const info = SERIES_TYPES[code as SeriesType];
    const name = info?.category ?? 'Other';
    categories.set(name, [...(categories.get(name) ?? []), { code, unit: info?.unit ?? '', providers }]);
  }
  return {
    providers: Object.keys(scanned).sort(),
    timeseries: CATEGORY_ORDER.filter((name) => categories.has(name)).map((name) => ({
      name,
      metrics: categories.get(name)!,
    })),
    workout_fields: pivot('workout_fields'),
    sleep_fields: pivot('sleep_fields'),
    menstrual_cycle_fields: pivot('menstrual_cycle_fields'),
    health_scores: pivot('health_scores'),
  };
}

let built: Coverage | undefined;

/** Static for a deployment: built on the first request, not at import. */
export const coverageMatrix = (): Coverage => {
  built ??= build();
  return built;
};
