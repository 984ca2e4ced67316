/**
 * A fake Suunto Cloud API (providers.md 4.3 and 5) on one local port:
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth/authorize` and `/oauth/token`: BASIC client credentials, no PKCE, no
 *   scope, 24 h access tokens that are JWTs (`sub`, `user` = the username, `exp`, `jti`), the token response also
 *   naming the `user`; refresh returns the same refresh token (Spring's default) unless `oauth.refreshRotation` says;
 * - API management in front of every data route: `Ocp-Apim-Subscription-Key` must be the subscription key (401
 *   missing or wrong), 429 with `Retry-After` past `rateLimitPerMinute` or while `rateLimitNext` has requests left;
 *   then a live Bearer token (401);
 * - `GET /v3/workouts/?since&until&limit&offset&filter-by-modification-time` (envelope `{error: null, payload,
 *   metadata}`, at most 100 a page, by start time or by modification time, ascending), `GET /v3/workouts/{key}`,
 *   `GET /v2/workout/samples/{key}` (the recorded samples, in the envelope);
 * - `GET /247samples/{sleep,activity,recovery}?from&to` (epoch ms, `[from, to)`, at most 28 days, a bare list);
 * - `GET /247/daily-activity-statistics?startdate&enddate` (UTC `YYYY-MM-DDTHH:MM:SS`, at most 28 days);
 * - notifications (suunto-push.ts): `WORKOUT_CREATED` and `SUUNTO_247_*_CREATED` with the samples inline, signed,
 *   or wrongly signed for tests.
 *
 * Requests are recorded (`requests`, `requestCounts()` by route) for tests and the benchmark.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { OAuthFake } from '#test/fakes/oauth-fake.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import {
  countBy,
  type ProviderFakeOptions,
  type ProviderServer,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';
import {
  type FakeSuuntoRequest,
  routeOf,
  type Suunto247Kind,
  SuuntoApi,
  type SuuntoUserData,
} from '#test/fakes/suunto-api.js';
import {
  DEFAULT_SUUNTO_USER,
  type Suunto247Item,
  type SuuntoDataset,
  type SuuntoRecordedWorkout,
  type SuuntoWorkoutOptions,
  suuntoWorkout,
} from '#test/fakes/suunto-data.js';
import { type SignatureMode, type SuuntoDelivery, SuuntoPusher } from '#test/fakes/suunto-push.js';

export type { FakeSuuntoRequest, Suunto247Kind } from '#test/fakes/suunto-api.js';
export {
  DEFAULT_SUUNTO_USER,
  type GenerateSuuntoDaysOptions,
  generateSuuntoDays,
  isoAt,
  type Suunto247Item,
  type SuuntoDataset,
  type SuuntoRecordedWorkout,
  suuntoWorkout,
} from '#test/fakes/suunto-data.js';
export { type SignatureMode, type SuuntoDelivery, signSuunto } from '#test/fakes/suunto-push.js';

export interface FakeSuuntoOptions extends ProviderFakeOptions {
  subscriptionKey?: string;
  webhookSecret?: string;
  webhookUrl?: string;
  /** The account that approves the consent page. Default `runner42`; `oauth.setUser` changes it. */
  username?: string;
  /** Requests per clock minute per subscription key before 429s. Default unlimited. */
  rateLimitPerMinute?: number;
  /** Abort a notification after this long. Default 30000. */
  pushTimeoutMs?: number;
}

type Notify = { notify?: boolean };

/** `apiBaseUrl` is the root (paths as at cloudapi.suunto.com); OAuth requests are counted on `oauth`. */
export interface FakeSuunto extends ProviderServer<FakeSuuntoRequest> {
  subscriptionKey: string;
  webhookSecret: string;
  deliveries: SuuntoDelivery[];
  /** Every `SUUNTO_*` setting the sandbox needs to use this fake. */
  env(): Record<string, string>;
  requestCounts(): Record<string, number>;
  /** The `sub` claim of a username's tokens. */
  subOf(username: string): string;
  /** Adds a dataset (e.g. `generateSuuntoDays(...)`) to a user's data; `offsetMinutes` is the user's zone. */
  seed(username: string, data: SuuntoDataset, offsetMinutes?: number): void;
  workouts(username: string): SuuntoRecordedWorkout[];
  setWebhookUrl(url: string | null): void;
  /** Stores a workout (default: a run that just ended) and sends `WORKOUT_CREATED`. */
  addWorkout(
    username: string,
    options?: Partial<SuuntoWorkoutOptions>,
    notify?: Notify,
  ): Promise<{ recorded: SuuntoRecordedWorkout; delivery: SuuntoDelivery | null }>;
  /** Stores 24/7 items and sends `SUUNTO_247_<KIND>_CREATED` carrying them. */
  add247(
    username: string,
    kind: Suunto247Kind,
    items: Suunto247Item[],
    notify?: Notify,
  ): Promise<SuuntoDelivery | null>;
  /** POSTs any body to the webhook URL, signed per `signature`. */
  push(payload: unknown, signature?: SignatureMode): Promise<SuuntoDelivery>;
  /** The next `n` data requests answer 429 with `Retry-After: <retryAfterSeconds>` (default 60). */
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  issueTokens(username: string): Record<string, unknown>;
}

const JWT_KEY = 'fake-suunto-jwt-signing-key';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${signed}.${createHmac('sha256', JWT_KEY).update(signed).digest('base64url')}`;
}

export async function startFakeSuunto(options: FakeSuuntoOptions = {}): Promise<FakeSuunto> {
  const now = options.now ?? Date.now;
  const subscriptionKey = options.subscriptionKey ?? 'fake-suunto-subscription-key';
  const webhookSecret = options.webhookSecret ?? 'fake-suunto-notification-secret';
  const subs = new Map<string, string>();
  const subOf = (username: string) => {
    if (!subs.has(username)) subs.set(username, randomUUID());
    return subs.get(username)!;
  };
  const oauth: OAuthFake = providerOAuth(options, {
    clientId: 'fake-suunto-client',
    clientSecret: 'fake-suunto-secret',
    clientAuth: 'basic',
    expiresIn: 86_399,
    refreshRotation: 'same',
    userId: options.username ?? DEFAULT_SUUNTO_USER,
    accessTokenFactory: ({ userId, clientId }) =>
      jwt({
        sub: subOf(userId),
        user: userId,
        client_id: clientId,
        authorities: ['ROLE_USER'],
        iat: Math.floor(now() / 1000),
        exp: Math.floor(now() / 1000) + oauth.expiresIn,
        jti: randomUUID(),
      }),
    tokenExtras: ({ userId }) => ({ user: userId }),
  });
  const users = new Map<string, SuuntoUserData>();
  const userData = (username: string) => {
    let data = users.get(username);
    if (!data) {
      data = { offset: 120, workouts: new Map(), sleep: [], activity: [], recovery: [] };
      users.set(username, data);
    }
    return data;
  };
  const api = new SuuntoApi({
    subscriptionKey,
    oauth,
    now,
    userData,
    rateLimitPerMinute: options.rateLimitPerMinute,
  });
  const pusher = new SuuntoPusher(options.webhookUrl ?? null, webhookSecret, options.pushTimeoutMs);
  const server = await startProviderServer<FakeSuuntoRequest>(oauth, {
    record: (_req, url) => ({ route: routeOf(url.pathname), username: null }),
    handle: (req, res, url, record) => api.handle(req, res, url, record),
  });

  const fake: FakeSuunto = {
    ...server,
    subscriptionKey,
    webhookSecret,
    deliveries: pusher.deliveries,
    env: () => ({
      ...fakeProviderEnv('SUUNTO', fake),
      SUUNTO_SUBSCRIPTION_KEY: subscriptionKey,
      SUUNTO_WEBHOOK_SECRET: webhookSecret,
    }),
    requestCounts: () => countBy(server.requests, (r) => r.route),
    subOf,
    seed(username, dataset, offsetMinutes) {
      const data = userData(username);
      if (offsetMinutes !== undefined) data.offset = offsetMinutes;
      for (const recorded of dataset.workouts) data.workouts.set(recorded.workout.workoutKey, recorded);
      data.sleep.push(...dataset.sleep);
      data.activity.push(...dataset.activity);
      data.recovery.push(...dataset.recovery);
    },
    workouts: (username) =>
      [...userData(username).workouts.values()].sort((a, b) => a.workout.startTime - b.workout.startTime),
    setWebhookUrl(url) {
      pusher.webhookUrl = url;
    },
    async addWorkout(username, workoutOptions = {}, notify = {}) {
      const data = userData(username);
      const start = workoutOptions.start ?? now() - 3_600_000;
      const recorded = suuntoWorkout({
        durationSeconds: 2_700,
        offsetMinutes: data.offset,
        ...workoutOptions,
        start,
        modified: workoutOptions.modified ?? now(),
      });
      data.workouts.set(recorded.workout.workoutKey, recorded);
      const delivery =
        (notify.notify ?? true)
          ? await pusher.send({
              type: 'WORKOUT_CREATED',
              username,
              workout: { workoutKey: recorded.workout.workoutKey, activityId: recorded.workout.activityId },
              gear: recorded.workout.gear,
            })
          : null;
      return { recorded, delivery };
    },
    async add247(username, kind, items, notify = {}) {
      userData(username)[kind].push(...items);
      if (!(notify.notify ?? true)) return null;
      return pusher.send({ type: `SUUNTO_247_${kind.toUpperCase()}_CREATED`, username, samples: items });
    },
    push: (payload, signature) => pusher.send(payload, signature),
    rateLimitNext: (n, retryAfterSeconds) => api.forced.next(n, retryAfterSeconds),
    issueTokens: (username) => oauth.issueTokens(username),
  };
  return fake;
}
