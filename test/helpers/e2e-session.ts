import { expect } from 'vitest';
import type { SandboxOptions } from '#shared/sandbox/sandbox.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/**
 * What the provider e2e tests share: a test sandbox with the admin logged in and an API key, reads that assert
 * 200, connecting a user through a fake's consent page, and bounded polls.
 *
 *   let sandbox: E2eSession;
 *   beforeAll(async () => { sandbox = await startE2eSession({ env: fakeProviderEnv('OURA', oura) }); }, 60_000);
 *   afterAll(() => sandbox?.stop());
 *   await sandbox.connect('oura', await sandbox.createUser());
 */

/**
 * How long a backfill may take: hundreds of provider requests and thousands of DynamoDB Local writes through the
 * local queue and worker, several times slower on a busy machine than on an idle one.
 */
export const RUN_WAIT_MS = 150_000;

export type SyncRun = { run_id: string; provider: string; stage: string; status: string; message: string };

export interface ConnectOptions {
  decision?: 'allow' | 'deny';
  /** Sent to `/authorize` as `redirect_uri`: where the callback sends the user's browser at the end. */
  redirectUri?: string;
}

export interface E2eSession extends TestSandbox {
  /** The logged-in admin's `authorization` header: developer routes (API keys, webhook subscriptions). */
  bearer: Record<string, string>;
  /** An API key's header: the integrator's routes. */
  apiKey: Record<string, string>;
  /** GETs `path` with the API key, asserts 200 and returns the JSON body. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them.
  get(path: string): Promise<any>;
  /** Creates a user; returns its id. */
  createUser(): Promise<string>;
  /**
   * Authorizes `provider` for the user, answers the fake's consent page and follows its redirect into our
   * callback, which must answer 303.
   */
  connect(
    provider: string,
    userId: string,
    options?: ConnectOptions,
  ): Promise<{ authorizationUrl: string; callback: Response }>;
  /**
   * Polls the user's sync runs until one matches: a provider name waits for that provider's completed run.
   */
  waitForRun(
    userId: string,
    match: string | ((run: SyncRun) => boolean),
    timeoutMs?: number,
  ): Promise<SyncRun>;
}

/** Polls `probe` until it returns a value; `timeoutMs` keeps each wait well below its test's timeout. */
export async function until<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();
/** The query of a read by date range (events, summaries, scores). */
export const dates = (from: number, to: number) => `start_date=${iso(from)}&end_date=${iso(to)}`;
/** The query of a time-series read. */
export const times = (from: number, to: number) => `start_time=${iso(from)}&end_time=${iso(to)}`;

export async function startE2eSession(options: SandboxOptions = {}): Promise<E2eSession> {
  const sandbox = await startTestSandbox(options);
  const login = await sandbox.api('POST', '/api/v1/auth/login', {
    form: { username: sandbox.admin.email, password: sandbox.admin.password },
  });
  const bearer = { authorization: `Bearer ${login.json.access_token}` };
  const key = await sandbox.api('POST', '/api/v1/developer/api-keys', { headers: bearer });
  const apiKey = { 'x-open-wearables-api-key': key.json.key };

  const get = async (path: string) => {
    const response = await sandbox.api('GET', path, { headers: apiKey });
    expect(response.status, `${path}: ${response.text.slice(0, 300)}`).toBe(200);
    return response.json;
  };

  const createUser = async () =>
    (await sandbox.api('POST', '/api/v1/users', { headers: apiKey, json: {} })).json.id as string;

  const connect = async (provider: string, userId: string, options: ConnectOptions = {}) => {
    const redirect = options.redirectUri ? `&redirect_uri=${encodeURIComponent(options.redirectUri)}` : '';
    const authorizationUrl: string = (
      await get(`/api/v1/oauth/${provider}/authorize?user_id=${userId}${redirect}`)
    ).authorization_url;
    const consent = await followConsent(authorizationUrl, options.decision);
    // The provider redirects to API_BASE_URL, the address it was given; the sandbox listens on its own port.
    const callback = await fetch(consent.location.replace(sandbox.apiBaseUrl, sandbox.url), {
      redirect: 'manual',
    });
    expect(callback.status).toBe(303);
    return { authorizationUrl, callback };
  };

  const waitForRun = (
    userId: string,
    match: string | ((run: SyncRun) => boolean),
    timeoutMs = RUN_WAIT_MS,
  ) => {
    const matches =
      typeof match === 'string' ? (r: SyncRun) => r.provider === match && r.stage === 'completed' : match;
    let seen: SyncRun[] = [];
    return until(
      () => `a sync run; runs: ${JSON.stringify(seen)}`,
      async () => {
        seen = await get(`/api/v1/users/${userId}/sync/runs`);
        return seen.find(matches);
      },
      timeoutMs,
    );
  };

  return { ...sandbox, bearer, apiKey, get, createUser, connect, waitForRun };
}
