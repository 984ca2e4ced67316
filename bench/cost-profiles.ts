import { resetTokenVault } from '#shared/crypto/token-vault.js';
import { upsertConnection } from '#shared/store/connections.js';
import { dispatchLiveSyncs } from '#shared/sync/dispatcher.js';
import { generateGarminDays } from '#test/fakes/garmin.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { clockRewinder, DAY, HOUR, MIN, samplesOf, storedBytes, waitForRuns, watchDay } from './cost-day.js';
import type { Meter } from './cost-meter.js';
import { plus, scale, type Usage } from './cost-model.js';
import type { BenchSandbox } from './sandbox.js';
import { garminBatches } from './webhooks.js';

/**
 * The three active users of the cost model (bench/cost.ts): what each does in a day through the sandbox, metered.
 */
export const BACKFILL_DAYS = 30;
export const GARMIN_CLIENT = 'bench-cost-garmin';

export interface Profile {
  profile: string;
  day: Usage;
  bytes: number;
  samplesPerDay: number;
  /** Write units by item kind of parts of the run, when the run takes them itself. */
  writes?: Record<string, string>;
  /** EventBridge events by detail type, a day and (for pushes) a push. */
  events: Record<string, string>;
}

/** The largest write (or read) units by item kind, `scale`d, as one line. */
export const topUnits = (rows: Array<[string, number]>, scale = 1) =>
  rows
    .slice(0, 6)
    .map(([kind, units]) => `${kind}: ${Math.round(units * scale)}`)
    .join(', ');

/**
 * (a) An Apple Watch user pushing every 15 minutes, one day, as the mobile SDKs push: to POST
 * /sdk/users/{id}/sync of the mobile ingress (`MobileApiUrl`; the REST API's authorizer, the body stored, the
 * sdk-uploads worker ingesting it). Each push is waited for to its end (ingest, events fan-out), as 15 minutes
 * would.
 */
export async function sdkWatch(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  const day = Date.UTC(2026, 10, 2);
  const records = watchDay(day);
  const clock = clockRewinder();
  // The mobile SDKs push with a user-scoped SDK token (a JWT: no read), not an integrator's API key.
  const issued = await sandbox.post(`/api/v1/users/${userId}/token`, {}, sandbox.bearer);
  const sdkToken = `Bearer ${(issued.body as { access_token: string }).access_token}`;
  meter.takeBusEventsByType();
  const before = meter.snapshot();
  let pushes = 0;
  for (let from = day; from < day + DAY; from += 15 * MIN) {
    await clock.stamp(userId, 15 * MIN);
    const slice = records.filter(
      (r) => Date.parse(r.startDate) >= from && Date.parse(r.startDate) < from + 15 * MIN,
    );
    const status = await meter.restApi(async () => {
      const response = await fetch(`${sandbox.mobileUrl}/api/v1/sdk/users/${userId}/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: sdkToken },
        body: JSON.stringify({
          provider: 'apple',
          sdkVersion: '0.6.0',
          syncTimestamp: new Date(from + 15 * MIN).toISOString(),
          data: { records: slice, sleep: [] },
        }),
      });
      await response.text();
      return response.status;
    });
    if (status !== 202) throw new Error(`push failed: ${status}`);
    pushes++;
    await meter.settled();
  }
  if (meter.authorizations() !== pushes) throw new Error('the push authorizer was not metered');
  clock.stop();
  const events = meter.takeBusEventsByType();
  return {
    profile: '(a) Apple Watch, SDK push every 15 min',
    day: meter.since(before),
    bytes: await storedBytes(userId),
    samplesPerDay: records.length,
    events: {
      '(a) a day': topUnits(events),
      '(a) a push': events.map(([type, n]) => `${type}: ${(n / pushes).toFixed(2)}`).join(', '),
    },
  };
}

/**
 * (b) A user with Oura and WHOOP, polled hourly (the sync schedule's default) through the sync worker: a day is 24
 * live syncs per provider plus writing one day of their data (measured: a 30-day backfill, divided by 30).
 * Three live syncs of each provider are measured, each after the hour that refills the provider's request bucket
 * and brings its token an hour closer to expiry, and with the vault's data-key cache (5 minutes) empty, as an
 * hour leaves it. A provider whose tokens last L hours (the fakes: WHOOP 1, Oura 24) refreshes on 24/L of a
 * day's syncs: the last measured sync is brought to its token's expiry; a day is its refreshing syncs x 24/L and
 * its other syncs x (24 - 24/L).
 */
export async function polled(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  const before = meter.snapshot();
  let runs = 0;
  const providers = ['oura', 'whoop'] as const;
  for (const provider of providers) {
    const authorize = await sandbox.get(`/api/v1/oauth/${provider}/authorize?user_id=${userId}`);
    const consent = await followConsent((authorize.body as { authorization_url: string }).authorization_url);
    await meter.api(() =>
      fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), { redirect: 'manual' }),
    );
    await waitForRuns(meter, userId, ++runs);
  }
  const backfill = meter.since(before);
  const backfillWrites = topUnits(meter.takeWritesByKind());
  meter.takeReadsByKind();
  const backfillEvents = topUnits(meter.takeBusEventsByType());
  const samples = await samplesOf(userId);
  const SYNCS = 3;
  const clock = clockRewinder();
  const lifetimeHours: Record<string, number> = {};
  for (const provider of providers) {
    const { expiresAt } = await clock.tokens(userId, provider);
    lifetimeHours[provider] = Math.max(1, Math.round((expiresAt - Date.now()) / HOUR));
  }
  type Measured = { usage: Usage; refreshed: boolean };
  const syncs: Record<string, Measured[]> = { oura: [], whoop: [] };
  for (let i = 0; i < SYNCS; i++) {
    for (const provider of providers) {
      // The hour since the last sync refills the provider's request bucket (unless other users drained it).
      await clock.budget(provider, HOUR);
      // An hour nearer its token's expiry; the last measured sync all the way (tokens of an hour: the same).
      const { version, expiresAt } = await clock.tokens(userId, provider);
      const last = i === SYNCS - 1;
      await clock.expiry(userId, provider, last ? Math.max(HOUR, expiresAt - Date.now()) : HOUR);
      resetTokenVault();
      const start = meter.snapshot();
      await dispatchLiveSyncs({ provider }, { remainingMs: () => 900_000, jitterSeconds: 0 });
      await waitForRuns(meter, userId, ++runs);
      const refreshed = (await clock.tokens(userId, provider)).version !== version;
      syncs[provider]!.push({ usage: meter.since(start), refreshed });
    }
  }
  clock.stop();
  const mean = (rows: Array<{ usage: Usage }>) =>
    scale(rows.map((r) => r.usage).reduce(plus), 1 / rows.length);
  let day = scale(backfill, 1 / BACKFILL_DAYS);
  const refreshes: string[] = [];
  for (const provider of providers) {
    const refreshing = syncs[provider]!.filter((s) => s.refreshed);
    const other = syncs[provider]!.filter((s) => !s.refreshed);
    const perDay = 24 / lifetimeHours[provider]!;
    refreshes.push(
      `${provider}: ${lifetimeHours[provider]} h tokens, ${refreshing.length} of ${SYNCS} refreshed`,
    );
    day = plus(day, scale(mean(refreshing.length ? refreshing : other), perDay));
    if (perDay < 24) day = plus(day, scale(mean(other.length ? other : refreshing), 24 - perDay));
  }
  const perSync = 1 / (SYNCS * providers.length);
  return {
    writes: {
      '(b) 30-day backfill': backfillWrites,
      '(b) a measured live sync (per provider, mean)': topUnits(meter.takeWritesByKind(), perSync),
      '(b) its read units': topUnits(meter.takeReadsByKind(), perSync),
    },
    events: {
      '(b) 30-day backfill': backfillEvents,
      '(b) a measured live sync (per provider, mean)': topUnits(meter.takeBusEventsByType(), perSync),
      '(b) token refreshes': refreshes.join('; '),
    },
    profile: '(b) Oura + WHOOP, polled hourly',
    day,
    bytes: (await storedBytes(userId)) / BACKFILL_DAYS,
    samplesPerDay: samples / BACKFILL_DAYS,
  };
}

/** (c) A Garmin user: a week of every summary type, pushed per type and day as Garmin batches it, per day. */
export async function garmin(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  await upsertConnection(userId, 'garmin', {
    provider_user_id: 'bench-cost-garmin-user',
    provider_username: null,
    scope: 'ACTIVITY_EXPORT HEALTH_EXPORT',
    tokens: null,
    token_expires_at: null,
  });
  const days = 7;
  const data = generateGarminDays({
    days,
    userId: 'bench-cost-garmin-user',
    end: Date.UTC(2026, 10, 28),
    seed: 3,
  });
  meter.takeBusEventsByType();
  const before = meter.snapshot();
  let pushes = 0;
  for (const { key, items } of garminBatches(data)) {
    await meter.api(async () => {
      const response = await fetch(`${sandbox.url}/api/v1/providers/garmin/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'garmin-client-id': GARMIN_CLIENT },
        body: JSON.stringify({ [key]: items }),
      });
      await response.text();
    });
    pushes++;
  }
  await waitForRuns(meter, userId, pushes);
  return {
    profile: '(c) Garmin, webhook pushes',
    day: scale(meter.since(before), 1 / days),
    bytes: (await storedBytes(userId)) / days,
    samplesPerDay: (await samplesOf(userId)) / days,
    events: { '(c) a day': topUnits(meter.takeBusEventsByType(), 1 / days) },
  };
}
