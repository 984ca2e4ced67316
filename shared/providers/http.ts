import type { ProviderGet } from '#shared/providers/types.js';
import { traceRequest } from '#tracer';

/**
 * Provider HTTP errors, classified for the sync engine: a rate limit is delayed until the provider's reset
 * time (never slept on), a 5xx or network failure is retried with backoff, a 401 means the access token is
 * no longer accepted, a 410 that the API is gone for good, anything else is permanent for that request.
 */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(readonly retryAt: number) {
    super(`rate limited until ${new Date(retryAt).toISOString()}`);
  }
}

export class TransientProviderError extends Error {
  override name = 'TransientProviderError';
}

export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}

/** The user did not grant what the request needs (Garmin 403/412 on a backfill): later requests would fail too. */
export class PermissionDeniedError extends Error {
  override name = 'PermissionDeniedError';
}

export class ProviderRequestError extends Error {
  override name = 'ProviderRequestError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`provider answered ${status}: ${body.slice(0, 200)}`);
  }
}

/**
 * 410 Gone: the provider shut this API down (the Fitbit Web API since 2026-11-02). Every later request of the
 * connection would fail the same way, so the sync engine revokes it (shared/sync/run-handover.ts); elsewhere it is
 * a plain 4xx.
 */
export class ProviderGoneError extends ProviderRequestError {
  override name = 'ProviderGoneError';
}

/**
 * The answer of `request`, or null when the provider answers 404: no data for that day, or no such record (deleted
 * since, or not the user's). Any other error is thrown.
 */
export async function orNoData<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ProviderRequestError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Whether the provider refuses the user's access token on `request` (the client has already tried a refresh): the
 * user took the access back. Any other error is thrown. How a deauthorisation notification, which anyone could
 * forge, is confirmed before a connection is revoked.
 */
export async function tokenRefused(request: Promise<unknown>): Promise<boolean> {
  try {
    await request;
    return false;
  } catch (error) {
    if (error instanceof UnauthorizedError) return true;
    throw error;
  }
}

const TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_MS = 60_000;

/** When a 429 may be retried: `Retry-After` (seconds or HTTP date), `Fitbit-Rate-Limit-Reset` (seconds), `X-RateLimit-Reset`. */
export function retryAtFrom(headers: Headers, now = Date.now()): number {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return now + seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return date;
  }
  for (const name of ['fitbit-rate-limit-reset', 'x-ratelimit-reset', 'ratelimit-reset']) {
    const value = Number(headers.get(name));
    if (Number.isFinite(value) && value > 0) {
      // Seconds until reset, unless it is clearly an epoch timestamp.
      return value > 1_000_000_000 ? value * 1000 : now + value * 1000;
    }
  }
  return now + DEFAULT_RETRY_MS;
}

/** Around each request: the provider's app-wide budget (shared/providers/budget.ts). */
export interface FetchHooks {
  before(): Promise<void>;
  after(response: Response): Promise<void>;
}

/** One HTTP call with a timeout; the response classified into the errors above. */
export async function providerFetch(
  url: string,
  init: RequestInit = {},
  hooks?: FetchHooks,
): Promise<Response> {
  await hooks?.before();
  let response: Response;
  try {
    response = await traceRequest(
      init.method ?? 'GET',
      url,
      () => fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }),
      (answer) => answer.status,
    );
  } catch (error) {
    throw new TransientProviderError(`request to ${new URL(url).host} failed: ${(error as Error).message}`);
  }
  await hooks?.after(response);
  if (response.ok) return response;
  const body = await response.text().catch(() => '');
  if (response.status === 429) throw new RateLimitedError(retryAtFrom(response.headers));
  if (response.status === 401)
    throw new UnauthorizedError(`provider rejected the access token: ${body.slice(0, 200)}`);
  if (response.status === 410) throw new ProviderGoneError(410, body);
  if (response.status >= 500) throw new TransientProviderError(`provider answered ${response.status}`);
  throw new ProviderRequestError(response.status, body);
}

/**
 * A `ProviderGet` bound to an API base URL and an access token (and any headers the provider wants on every call).
 * Absolute URLs (a provider's `next` page link) are followed only on the API's own origin: a link elsewhere would
 * carry the user's bearer token to another host.
 */
export function bearerGet(
  apiBaseUrl: string,
  accessToken: string,
  hooks?: FetchHooks,
  headers: Record<string, string> = {},
): ProviderGet {
  const base = new URL(apiBaseUrl);
  return async (pathOrUrl, query = {}, options = {}) => {
    const url = new URL(
      /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${apiBaseUrl.replace(/\/+$/, '')}${pathOrUrl}`,
    );
    if (url.origin !== base.origin) {
      throw new ProviderRequestError(0, `refused to follow a link to ${url.origin}: not the API's origin`);
    }
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    const body =
      options.form !== undefined
        ? { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(options.form).toString() }
        : options.json !== undefined
          ? { type: 'application/json', text: JSON.stringify(options.json) }
          : undefined;
    const response = await providerFetch(
      url.toString(),
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        headers: {
          ...headers,
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          ...(body ? { 'content-type': body.type } : {}),
        },
        ...(body ? { body: body.text } : {}),
      },
      hooks,
    );
    const text = await response.text();
    // 202/204 and other bodiless successes (Garmin's backfill request answers an empty 202).
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      // A gateway's error page or a truncated body: worth retrying, and failing the run in the end.
      throw new TransientProviderError(
        `${url.host} answered ${response.status} with a body that is not JSON`,
      );
    }
  };
}
