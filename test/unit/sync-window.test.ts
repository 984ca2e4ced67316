import { describe, expect, it } from 'vitest';
import {
  QUEUES,
  SYNC_PROVIDERS,
  SYNC_QUEUES,
  WEBHOOK_PROVIDERS,
  WEBHOOK_QUEUES,
} from '#shared/jobs/queues.js';
import { SCHEDULES, scheduleRateMinutes } from '#shared/jobs/schedules.js';
import { providerModules } from '#shared/providers/index.js';
import { PROVIDER_INFO } from '#shared/providers/registry.js';
import { syncJob } from '#shared/sync/enqueue.js';
import {
  deferUntil,
  historicalWindow,
  LIVE_OVERLAP_MS,
  leaseBusyDelaySeconds,
  liveFloor,
  nextCursor,
  resolveWindow,
  transientVisibilitySeconds,
  unitsAfter,
} from '#shared/sync/window.js';

const DAY = 86_400_000;
const NOW = Date.parse('2024-03-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('sync windows', () => {
  it('a live sync without last_synced_at covers the last 30 days', () => {
    const floor = liveFloor(NOW);
    expect(floor).toEqual({ start: NOW - 30 * DAY, end: NOW });
    expect(resolveWindow(floor, true, null)).toEqual(floor);
  });

  it('a live sync starts one hour before last_synced_at', () => {
    const last = NOW - 3 * 3_600_000;
    expect(resolveWindow(liveFloor(NOW), true, iso(last))).toEqual({
      start: last - LIVE_OVERLAP_MS,
      end: NOW,
    });
  });

  it('a live job reaches until it runs, however long after it was queued', () => {
    const last = NOW - 3 * 3_600_000;
    const ranAt = NOW + 4 * 60_000;
    expect(resolveWindow(liveFloor(NOW), true, iso(last), ranAt)).toEqual({
      start: last - LIVE_OVERLAP_MS,
      end: ranAt,
    });
    expect(resolveWindow(liveFloor(NOW), true, null, ranAt)).toEqual({ start: NOW - 30 * DAY, end: ranAt });
    // Never shorter than it was queued with, and a window not from the cursor is left as it is.
    expect(resolveWindow(liveFloor(NOW), true, iso(last), NOW - 1).end).toBe(NOW);
    expect(resolveWindow(liveFloor(NOW), false, iso(last), ranAt)).toEqual(liveFloor(NOW));
  });

  it('never reaches back beyond the 30-day floor, nor past the end', () => {
    expect(resolveWindow(liveFloor(NOW), true, iso(NOW - 90 * DAY))).toEqual(liveFloor(NOW));
    expect(resolveWindow(liveFloor(NOW), true, iso(NOW + DAY))).toEqual({ start: NOW, end: NOW });
  });

  it('a window not from the cursor (historical, explicit, continuation) is used as it is', () => {
    const window = historicalWindow(90, NOW);
    expect(window).toEqual({ start: NOW - 90 * DAY, end: NOW });
    expect(resolveWindow(window, false, iso(NOW - DAY))).toEqual(window);
  });

  it('ignores an unparsable cursor', () => {
    expect(resolveWindow(liveFloor(NOW), true, 'not a date')).toEqual(liveFloor(NOW));
  });
});

describe('last_synced_at', () => {
  it('is set to the end of the first window of a connection', () => {
    expect(nextCursor(null, { start: NOW - DAY, end: NOW })).toBe(iso(NOW));
  });

  it('moves forward across a window that starts at or before it', () => {
    expect(nextCursor(iso(NOW - DAY), { start: NOW - DAY - LIVE_OVERLAP_MS, end: NOW })).toBe(iso(NOW));
    expect(nextCursor(iso(NOW - DAY), { start: NOW - 90 * DAY, end: NOW })).toBe(iso(NOW));
  });

  it('never moves back, nor across a gap', () => {
    expect(nextCursor(iso(NOW), { start: NOW - 90 * DAY, end: NOW - DAY })).toBeNull();
    expect(nextCursor(iso(NOW), { start: NOW - DAY, end: NOW })).toBeNull();
    expect(nextCursor(iso(NOW - 10 * DAY), { start: NOW - 2 * DAY, end: NOW })).toBeNull();
  });
});

describe('checkpoints', () => {
  const units = ['a', 'b', 'c'].map((key, i) => ({ key, start: i, end: i + 1 }));

  it('resume after the last unit done', () => {
    expect(unitsAfter(units, undefined).map((u) => u.key)).toEqual(['a', 'b', 'c']);
    expect(unitsAfter(units, 'a').map((u) => u.key)).toEqual(['b', 'c']);
    expect(unitsAfter(units, 'c')).toEqual([]);
  });

  it('start over when the checkpoint is unknown', () => {
    expect(unitsAfter(units, 'zzz')).toHaveLength(3);
  });
});

describe('delays', () => {
  it('a 429 waits until the reset: DelaySeconds = ceil((retryAt - now) / 1000)', () => {
    expect(deferUntil(NOW + 1, NOW)).toEqual({ delaySeconds: 1 });
    expect(deferUntil(NOW + 61_500, NOW)).toEqual({ delaySeconds: 62 });
    expect(deferUntil(NOW + 900_000, NOW)).toEqual({ delaySeconds: 900 });
  });

  it('a reset already past retries at once', () => {
    expect(deferUntil(NOW - 5_000, NOW)).toEqual({ delaySeconds: 0 });
  });

  it('a wait beyond 15 minutes is capped at 900 s and carries not_before', () => {
    expect(deferUntil(NOW + 3_600_000, NOW)).toEqual({ delaySeconds: 900, notBefore: NOW + 3_600_000 });
  });

  it('a transient failure stretches visibility with the receive count, up to 12 hours', () => {
    expect([1, 2, 3, 5].map(transientVisibilitySeconds)).toEqual([120, 240, 360, 600]);
    expect(transientVisibilitySeconds(10_000)).toBe(43_200);
    expect(transientVisibilitySeconds(0)).toBe(120);
  });

  it('a busy connection is retried after 15-30 s, growing to at most 5 minutes', () => {
    expect(leaseBusyDelaySeconds(0, () => 0)).toBe(15);
    expect(leaseBusyDelaySeconds(0, () => 1)).toBe(30);
    expect(leaseBusyDelaySeconds(10, () => 1)).toBe(300);
    for (let attempt = 0; attempt < 20; attempt++) {
      expect(leaseBusyDelaySeconds(attempt)).toBeLessThanOrEqual(300);
    }
  });
});

describe('sync job schema', () => {
  const job = {
    run_id: 'pull_0123456789abcdef',
    user_id: '0b6f2b0e-8f5e-4c1e-9a57-0c8e3f1d2a4b',
    provider: 'fitbit',
    mode: 'live',
    window: { start: NOW - DAY, end: NOW },
  };

  it('fills the defaults', () => {
    expect(syncJob.parse(job)).toEqual({ ...job, source: 'pull', from_cursor: false, attempt: 0 });
  });

  it('keeps a continuation whole', () => {
    const continuation = {
      ...job,
      source: 'watchdog',
      from_cursor: false,
      checkpoint: '2024-02-29',
      attempt: 2,
      not_before: NOW + 3_600_000,
      totals: { units_done: 3, units_skipped: 1, samples: 10, events: 2, scores: 1 },
      started_at: iso(NOW),
    };
    expect(syncJob.parse(JSON.parse(JSON.stringify(continuation)))).toEqual(continuation);
  });

  it.each([
    ['an unknown provider', { provider: 'myspace' }],
    ['an unknown source', { source: 'sdk' }],
    ['a provider without pull', { provider: 'apple' }],
    ['an unknown mode', { mode: 'sometimes' }],
    ['a reversed window', { window: { start: NOW, end: NOW - 1 } }],
    ['a fractional time', { window: { start: 1.5, end: NOW } }],
    ['a bad user id', { user_id: 'me' }],
    ['a negative attempt', { attempt: -1 }],
    ['an empty checkpoint', { checkpoint: '' }],
  ])('refuses %s', (_, change) => {
    expect(syncJob.safeParse({ ...job, ...change }).success).toBe(false);
  });
});

describe('registries', () => {
  it('one sync queue per implemented provider; a dispatch schedule per polled one, a watchdog per push one', () => {
    expect([...SYNC_PROVIDERS].sort()).toEqual(Object.keys(providerModules).sort());
    const pushProviders = Object.entries(providerModules)
      .filter(([, module]) => module?.webhook)
      .map(([name]) => name);
    expect([...WEBHOOK_PROVIDERS].sort()).toEqual(pushProviders.sort());
    const schedulesOf = (provider: string, kind?: string) =>
      Object.values(SCHEDULES).filter(
        (s) =>
          s.worker === 'sync-dispatcher' &&
          'input' in s &&
          s.input.provider === provider &&
          ('kind' in s.input ? s.input.kind : undefined) === kind,
      );
    for (const provider of SYNC_PROVIDERS) {
      const queue = QUEUES[SYNC_QUEUES[provider]];
      expect(queue).toMatchObject({ name: `sync-${provider.replace('_', '-')}`, worker: 'sync-worker' });
      expect(queue.maxConcurrency).toBeGreaterThanOrEqual(2);
      // Garmin only pushes: no periodic pull.
      expect(schedulesOf(provider), provider).toHaveLength(PROVIDER_INFO[provider].restPull ? 1 : 0);
      expect(schedulesOf(provider, 'watchdog'), provider).toHaveLength(
        (WEBHOOK_PROVIDERS as readonly string[]).includes(provider) ? 1 : 0,
      );
    }
    for (const provider of WEBHOOK_PROVIDERS) {
      expect(QUEUES[WEBHOOK_QUEUES[provider]]).toMatchObject({
        name: `webhook-${provider.replace('_', '-')}`,
        worker: 'webhook-worker',
      });
    }
  });

  it('sync schedules run every SYNC_INTERVAL_MINUTES (default 60), others at their own rate', () => {
    expect(scheduleRateMinutes('syncFitbit')).toBe(60);
    expect(scheduleRateMinutes('syncFitbit', { syncInterval: '15' })).toBe(15);
    expect(scheduleRateMinutes('syncFitbit', { syncInterval: 30 })).toBe(30);
    expect(scheduleRateMinutes('sleepFinaliser', { syncInterval: '5' })).toBe(15);
    expect(() => scheduleRateMinutes('syncFitbit', { syncInterval: '0' })).toThrow(/syncIntervalMinutes/);
    expect(() => scheduleRateMinutes('syncFitbit', { syncInterval: 'hourly' })).toThrow(
      /SYNC_INTERVAL_MINUTES/,
    );
  });
});
