import { afterAll, beforeAll, beforeEach, vi } from 'vitest';

/** One embedded-metric-format line, as CloudWatch reads it from a function's log. */
export interface Emf {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }>;
  };
  [key: string]: unknown;
}

/**
 * The business metrics written during each test of the file (shared/observability.ts `count`): an array emptied
 * before each test. Metrics are off in tests (vitest.config.ts); POWERTOOLS_DEV makes Powertools write them with
 * console.log, which is captured here.
 */
export function captureMetricLines(): Emf[] {
  const lines: Emf[] = [];
  beforeAll(() => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      try {
        const parsed = JSON.parse(String(line));
        if (parsed?._aws) lines.push(parsed);
      } catch {
        // not a metric line
      }
    });
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
  beforeEach(() => {
    lines.length = 0;
  });
  return lines;
}
