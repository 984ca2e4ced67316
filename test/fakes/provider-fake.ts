/**
 * What the provider fakes share: the OAuth server of their one client (oauth-fake.ts), an HTTP server that lets it
 * answer first and records the other requests, forced 429s (`rateLimitNext`) and request counts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OAuthFake, type OAuthFakeOptions, startHttpServer } from '#test/fakes/oauth-fake.js';

/** The OAuth options every provider fake takes. */
export interface ProviderFakeOptions {
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs; absent: any http(s) URI. */
  redirectUris?: string[];
  /** Access-token lifetime, seconds. */
  expiresIn?: number;
  autoApprove?: boolean;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Any other OAuth setting; wins over the provider's. */
  oauth?: Partial<OAuthFakeOptions>;
}

/**
 * The OAuth server of a provider fake: the provider's settings (PKCE off and no revoke route unless they say, the
 * default client id and secret), then the fake's options, then their `oauth`.
 */
export function providerOAuth(
  options: ProviderFakeOptions,
  provider: OAuthFakeOptions & { clientId: string; clientSecret: string },
): OAuthFake {
  const { clientId, clientSecret, ...settings } = provider;
  return new OAuthFake({
    pkce: 'off',
    revokePath: null,
    ...settings,
    clients: [
      {
        clientId: options.clientId ?? clientId,
        clientSecret: options.clientSecret ?? clientSecret,
        redirectUris: options.redirectUris,
      },
    ],
    expiresIn: options.expiresIn ?? settings.expiresIn,
    autoApprove: options.autoApprove,
    now: options.now,
    ...options.oauth,
  });
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 until answered. */
  status: number;
}

/** What a provider fake tells about itself (`fakeProviderEnv` reads most of it). */
export interface ProviderServer<R extends FakeRequest> {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** What `<PROVIDER>_API_BASE_URL` should be. */
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  oauth: OAuthFake;
  /** The recorded requests, oldest first. */
  requests: R[];
  stop(): Promise<void>;
}

export interface ProviderRoutes<R extends FakeRequest> {
  /** Where the API starts below the root, e.g. `/developer`. Default the root. */
  apiPath?: string;
  /** Also record the requests the OAuth server answers. Default false. */
  recordOAuth?: boolean;
  /** The fields of a record beyond `FakeRequest`'s; null leaves the request out of `requests`. */
  record?: (req: IncomingMessage, url: URL) => Omit<R, keyof FakeRequest> | null;
  /** Every request the OAuth server does not answer, with its record. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, record: R): void | Promise<void>;
}

export async function startProviderServer<R extends FakeRequest = FakeRequest>(
  oauth: OAuthFake,
  routes: ProviderRoutes<R>,
): Promise<ProviderServer<R>> {
  const requests: R[] = [];
  const recordOf = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const extra = routes.record?.(req, url);
    const record = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      ...extra,
    } as R;
    if (extra !== null) requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    return record;
  };
  const running = await startHttpServer(async (req, res, url) => {
    const record = routes.recordOAuth ? recordOf(req, res, url) : null;
    if (await oauth.handle(req, res, url)) return;
    await routes.handle(req, res, url, record ?? recordOf(req, res, url));
  });
  // Clients pool connections: a socket the server closes while a slow test holds the event loop fails the next request.
  running.server.keepAliveTimeout = 60_000;
  const { clientId, clientSecret } = oauth.clients[0]!;
  return {
    url: running.url,
    authorizeUrl: `${running.url}${oauth.authorizePath}`,
    tokenUrl: `${running.url}${oauth.tokenPath}`,
    apiBaseUrl: `${running.url}${routes.apiPath ?? ''}`,
    clientId,
    clientSecret,
    oauth,
    requests,
    stop: running.stop,
  };
}

/** How many items there are of each key, e.g. requests per route (for tests and benchmarks). */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** The 429s a test asks for with `rateLimitNext(n, retryAfterSeconds)`. */
export class ForcedRateLimit {
  private remaining = 0;
  private retryAfterSeconds = 0;

  constructor(private readonly defaultRetryAfterSeconds = 60) {}

  /** The next `n` requests asked about are refused (0: none). */
  next(n: number, retryAfterSeconds = this.defaultRetryAfterSeconds): void {
    this.remaining = n;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Uses up one refusal: its Retry-After seconds, or null when none is left. */
  take(): number | null {
    if (this.remaining === 0) return null;
    this.remaining--;
    return this.retryAfterSeconds;
  }
}
