import * as z from 'zod/mini';
import type { SyncProvider, WebhookProviderName } from '#shared/jobs/queues.js';

/** A setting that overrides a schedule's default rate: CDK context on AWS, an env variable in the sandbox. */
export const RATE_SETTINGS = {
  /** Polling period of the pull providers (architecture.md 5): context `syncIntervalMinutes`, env `SYNC_INTERVAL_MINUTES`. */
  syncInterval: {
    context: 'syncIntervalMinutes',
    env: 'SYNC_INTERVAL_MINUTES',
    doc: 'polling period of the pull providers, in minutes (1 to 1440; the EventBridge Scheduler rate)',
  },
} as const;
export type RateSetting = keyof typeof RATE_SETTINGS;

export interface ScheduleSpec {
  /** `functions/<worker>.ts`; several schedules may invoke one function (with different inputs). */
  worker: string;
  /** Default rate; `rateSetting` names the setting that overrides it. */
  rateMinutes: number;
  rateSetting?: RateSetting;
  /** The function's timeout: equal for every schedule (and queue) of one worker. */
  timeoutSeconds: number;
  /** The event the function is invoked with (EventBridge Scheduler target input; the sandbox timer passes it too). */
  input?: Readonly<Record<string, unknown>>;
}

const syncDispatch = (provider: SyncProvider) =>
  ({
    worker: 'sync-dispatcher',
    rateMinutes: 60,
    rateSetting: 'syncInterval',
    timeoutSeconds: 300,
    input: { provider },
  }) as const;

/**
 * The freshness watchdog of a push provider (architecture.md 7): connections silent for `WEBHOOK_SILENCE_HOURS`
 * get a catch-up poll. Hourly; the silence threshold, not this rate, decides how late a catch-up may come.
 */
const watchdog = (provider: WebhookProviderName) =>
  ({
    worker: 'sync-dispatcher',
    rateMinutes: 60,
    timeoutSeconds: 300,
    input: { provider, kind: 'watchdog' },
  }) as const;

/**
 * Periodic jobs, shared by the CDK stack (one EventBridge Scheduler schedule each, invoking `functions/<worker>.ts`
 * with `input`) and the sandbox (a timer each). One sync dispatch per polled provider (Garmin only pushes) and one
 * watchdog per push provider.
 */
export const SCHEDULES = {
  sleepFinaliser: {
    worker: 'sleep-finaliser',
    rateMinutes: 15,
    timeoutSeconds: 300,
  },
  /** The nightly data lifecycle run (contract 10.2): hourly, it starts the day's run once from 03:00 UTC. */
  archival: {
    worker: 'archival-worker',
    rateMinutes: 60,
    timeoutSeconds: 840,
  },
  syncFitbit: syncDispatch('fitbit'),
  syncUltrahuman: syncDispatch('ultrahuman'),
  syncStrava: syncDispatch('strava'),
  syncOura: syncDispatch('oura'),
  syncWhoop: syncDispatch('whoop'),
  syncPolar: syncDispatch('polar'),
  syncSuunto: syncDispatch('suunto'),
  syncGoogleHealth: syncDispatch('google_health'),
  syncWithings: syncDispatch('withings'),
  syncSensorbio: syncDispatch('sensorbio'),
  watchdogGarmin: watchdog('garmin'),
  watchdogStrava: watchdog('strava'),
  watchdogOura: watchdog('oura'),
  watchdogWhoop: watchdog('whoop'),
  watchdogPolar: watchdog('polar'),
  watchdogSuunto: watchdog('suunto'),
  watchdogGoogleHealth: watchdog('google_health'),
  watchdogWithings: watchdog('withings'),
  /** Oura's webhook subscriptions expire after about 90 days: renewed daily while they are still valid. */
  renewOura: {
    worker: 'sync-dispatcher',
    rateMinutes: 24 * 60,
    timeoutSeconds: 300,
    input: { provider: 'oura', kind: 'renew' },
  },
} as const satisfies Record<string, ScheduleSpec>;

export type ScheduleName = keyof typeof SCHEDULES;
export type ScheduleWorkerName = (typeof SCHEDULES)[ScheduleName]['worker'];

/** The registry entry with every optional field visible to the type checker. */
export const scheduleSpec = (name: ScheduleName): ScheduleSpec => SCHEDULES[name];

/** A schedule rate in minutes: at least one, at most a day. */
export const rateMinutesSchema = z.coerce.number().check(z.int(), z.gte(1), z.lte(24 * 60));

/**
 * A schedule's rate in minutes: its setting's value when given (a CDK context value or an env variable: both may
 * be strings), otherwise the registry default. A bad value throws, naming the setting.
 */
export function scheduleRateMinutes(
  name: ScheduleName,
  settings: Partial<Record<RateSetting, unknown>> = {},
): number {
  const spec = scheduleSpec(name);
  const value = spec.rateSetting ? settings[spec.rateSetting] : undefined;
  if (value === undefined || value === null || value === '') return spec.rateMinutes;
  const parsed = rateMinutesSchema.safeParse(value);
  if (!parsed.success) {
    const { context, env } = RATE_SETTINGS[spec.rateSetting!];
    throw new Error(`${context} (${env}) must be a whole number of minutes from 1 to 1440, got "${value}"`);
  }
  return parsed.data;
}

/** `sleepFinaliser` -> `sleep-finaliser`: the schedule's DLQ is `<this>-schedule-dlq`. */
export const scheduleSlug = (name: ScheduleName) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
