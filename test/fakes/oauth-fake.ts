/**
 * A reusable fake OAuth 2.0 authorization server (RFC 6749 authorization-code grant, RFC 7636 PKCE S256,
 * refresh with optional rotation, RFC 7009-style revocation) for provider fakes built on node `http`.
 *
 * Two ways to use it:
 * - standalone: `startOAuthFake(options)` listens on 127.0.0.1:0 and serves only the OAuth routes
 *   (plus an optional `fallback` handler for anything else);
 * - embedded: a provider fake creates `new OAuthFake(options)`, calls `await oauth.handle(req, res, url)`
 *   first in its own request handler (true = answered), and guards its data routes with
 *   `oauth.authenticate(req)` / `oauth.isAccessTokenValid(token)`.
 *
 * Everything is in memory; the clock is injectable (`now`) so expiry can be tested without waiting.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------------------
// Small HTTP helpers shared by the provider fakes
// ---------------------------------------------------------------------------------------------------------

export type FakeHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface RunningHttpServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  server: Server;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port; a handler that throws answers 500 with the message. */
export async function startHttpServer(handler: FakeHandler): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    Promise.resolve()
      .then(() => handler(req, res, url))
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'fake_error', message: String(error) });
        else res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}

/** The value of `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}

export function basicAuthHeader(clientId: string, clientSecret: string): string {
  // RFC 6749 2.3.1: both parts are form-urlencoded before base64.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** base64url(sha256(verifier)) without padding (RFC 7636 S256). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(43).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

// ---------------------------------------------------------------------------------------------------------
// The fake authorization server
// ---------------------------------------------------------------------------------------------------------

export interface OAuthFakeClient {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs (exact match). Absent or empty: any http(s) redirect URI is accepted. */
  redirectUris?: string[];
}

export interface TokenContext {
  userId: string;
  clientId: string;
  scope: string;
  grantType: 'authorization_code' | 'refresh_token';
}

export interface OAuthFakeOptions {
  /** Default: one client `fake-client-id` / `fake-client-secret` accepting any redirect URI. */
  clients?: OAuthFakeClient[];
  /** How the token and revoke endpoints expect client credentials. Default `body`. */
  clientAuth?: 'basic' | 'body' | 'either';
  /** `required`: authorize without `code_challenge` is rejected. Default `optional` (checked when sent). */
  pkce?: 'required' | 'optional' | 'off';
  /** Default `/oauth/authorize`; the consent decision lives at `<authorizePath>/decision`. */
  authorizePath?: string;
  /** Default `/oauth/token`. */
  tokenPath?: string;
  /** Default `/oauth/revoke`; null disables the route. */
  revokePath?: string | null;
  /** Access-token lifetime in seconds (also `expires_in`). Default 3600. Mutable later via `expiresIn`. */
  expiresIn?: number;
  /**
   * What a refresh returns: `rotate` (default) a new refresh token, the old one single use;
   * `same` the same refresh token again; `omit` no `refresh_token` field (the old one stays valid).
   */
  refreshRotation?: 'rotate' | 'same' | 'omit';
  /** Whether the code exchange returns a refresh token at all (Polar does not). Default true. */
  issueRefreshToken?: boolean;
  /** Authorize 302s straight to the redirect URI with a code, no consent page. Default false. */
  autoApprove?: boolean;
  /** The provider account that "logs in" on the consent page. Default `fake-user-1`; see `setUser`. */
  userId?: string;
  /** Scope granted when the authorize request sends none. Default ''. */
  defaultScope?: string;
  /** Provider extras merged into every token response, e.g. Fitbit `{ user_id }`, Polar `{ x_user_id }`. */
  tokenExtras?: (context: TokenContext) => Record<string, unknown>;
  /** Custom access-token strings (e.g. a JWT for Suunto). Default: random opaque strings. */
  accessTokenFactory?: (context: TokenContext) => string;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Lifetime of authorization codes in seconds. Default 600. */
  codeTtlSeconds?: number;
}

export interface AccessGrant {
  token: string;
  userId: string;
  clientId: string;
  scope: string;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
}

interface RefreshGrant {
  token: string;
  userId: string;
  clientId: string;
  scope: string;
  used: boolean;
  revoked: boolean;
}

interface CodeGrant {
  code: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

interface PendingConsent {
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
  codeChallenge: string | null;
}

export interface OAuthFakeCounters {
  /** Every request to the authorize route. */
  authorize: number;
  consentShown: number;
  approved: number;
  denied: number;
  /** Every request to the token route. */
  token: number;
  codeExchanges: number;
  refreshes: number;
  /** Failed token requests by error code. */
  invalidClient: number;
  invalidGrant: number;
  invalidRequest: number;
  /** Responses forced by `failNextRefresh` / `failNextExchange`. */
  forcedFailures: number;
  revocations: number;
}

/** One recorded token-endpoint request: the form fields and the Authorization header as received. */
export interface TokenRequestRecord {
  form: Record<string, string>;
  authorization: string | null;
  status: number;
  /** When the request arrived (epoch ms, this process's clock). */
  receivedAt: number;
}

const zeroCounters = (): OAuthFakeCounters => ({
  authorize: 0,
  consentShown: 0,
  approved: 0,
  denied: 0,
  token: 0,
  codeExchanges: 0,
  refreshes: 0,
  invalidClient: 0,
  invalidGrant: 0,
  invalidRequest: 0,
  forcedFailures: 0,
  revocations: 0,
});

export class OAuthFake {
  readonly clients: OAuthFakeClient[];
  readonly clientAuth: 'basic' | 'body' | 'either';
  readonly pkce: 'required' | 'optional' | 'off';
  readonly authorizePath: string;
  readonly decisionPath: string;
  readonly tokenPath: string;
  readonly revokePath: string | null;
  /** Lifetime in seconds of access tokens issued from now on. */
  expiresIn: number;
  refreshRotation: 'rotate' | 'same' | 'omit';
  autoApprove: boolean;
  counters: OAuthFakeCounters = zeroCounters();
  /** Token-endpoint requests, oldest first. */
  readonly tokenRequests: TokenRequestRecord[] = [];

  private readonly options: OAuthFakeOptions;
  private readonly now: () => number;
  private userId: string;
  private readonly codes = new Map<string, CodeGrant>();
  private readonly pending = new Map<string, PendingConsent>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private forcedRefresh: Array<{ status: number; body: unknown }> = [];
  private forcedExchange: Array<{ status: number; body: unknown }> = [];

  constructor(options: OAuthFakeOptions = {}) {
    this.options = options;
    this.clients = options.clients ?? [{ clientId: 'fake-client-id', clientSecret: 'fake-client-secret' }];
    this.clientAuth = options.clientAuth ?? 'body';
    this.pkce = options.pkce ?? 'optional';
    this.authorizePath = options.authorizePath ?? '/oauth/authorize';
    this.decisionPath = `${this.authorizePath.replace(/\/+$/, '')}/decision`;
    this.tokenPath = options.tokenPath ?? '/oauth/token';
    this.revokePath = options.revokePath === undefined ? '/oauth/revoke' : options.revokePath;
    this.expiresIn = options.expiresIn ?? 3600;
    this.refreshRotation = options.refreshRotation ?? 'rotate';
    this.autoApprove = options.autoApprove ?? false;
    this.userId = options.userId ?? 'fake-user-1';
    this.now = options.now ?? Date.now;
  }

  // ----- knobs -------------------------------------------------------------------------------------------

  /** The provider account that approves subsequent consents. */
  setUser(userId: string): void {
    this.userId = userId;
  }

  /** The user revoked the app: every refresh token -> invalid_grant, every access token -> invalid. */
  revokeAll(): void {
    for (const grant of this.refreshTokens.values()) grant.revoked = true;
    for (const grant of this.accessTokens.values()) grant.revoked = true;
  }

  /** Like `revokeAll` for one provider account. */
  revokeUser(userId: string): void {
    for (const grant of this.refreshTokens.values()) if (grant.userId === userId) grant.revoked = true;
    for (const grant of this.accessTokens.values()) if (grant.userId === userId) grant.revoked = true;
  }

  /** Every access token issued so far expires now (refresh tokens stay valid). */
  expireAccessTokens(): void {
    const now = this.now();
    for (const grant of this.accessTokens.values()) grant.expiresAt = Math.min(grant.expiresAt, now);
  }

  /**
   * The next refresh_token grant answers `status` (e.g. 500, 503, 400) without consuming the refresh token.
   * Body default: `{"error":"invalid_grant"}` for 4xx, `{"error":"server_error"}` otherwise. Calls queue up.
   */
  failNextRefresh(status: number, body?: unknown): void {
    this.forcedRefresh.push({ status, body: body ?? defaultErrorBody(status) });
  }

  /** Same as `failNextRefresh`, for the next authorization_code grant. */
  failNextExchange(status: number, body?: unknown): void {
    this.forcedExchange.push({ status, body: body ?? defaultErrorBody(status) });
  }

  resetCounters(): void {
    this.counters = zeroCounters();
    this.tokenRequests.length = 0;
  }

  // ----- for data endpoints ------------------------------------------------------------------------------

  /** Known, not revoked, not expired. */
  isAccessTokenValid(accessToken: string): boolean {
    return this.accessGrant(accessToken) !== null;
  }

  /** Why an access token is (not) accepted. */
  accessTokenStatus(accessToken: string): 'valid' | 'expired' | 'revoked' | 'unknown' {
    const grant = this.accessTokens.get(accessToken);
    if (!grant) return 'unknown';
    if (grant.revoked) return 'revoked';
    return grant.expiresAt <= this.now() ? 'expired' : 'valid';
  }

  /** The live grant behind an access token, or null (unknown, revoked or expired). */
  accessGrant(accessToken: string): AccessGrant | null {
    const grant = this.accessTokens.get(accessToken);
    if (!grant || grant.revoked || grant.expiresAt <= this.now()) return null;
    return grant;
  }

  /** The live grant of the request's Bearer token, or null: the data endpoint should answer 401. */
  authenticate(req: IncomingMessage): AccessGrant | null {
    const value = bearerToken(req);
    return value ? this.accessGrant(value) : null;
  }

  /** Mints tokens directly, skipping the browser dance (test setup). Returns the token-response JSON. */
  issueTokens(userId: string, scope = this.options.defaultScope ?? '', clientId?: string) {
    const client = clientId ?? this.clients[0]?.clientId ?? 'fake-client-id';
    return this.tokenResponse({ userId, clientId: client, scope, grantType: 'authorization_code' }, true);
  }

  /** An authorize URL for this fake (base = where it listens). */
  buildAuthorizeUrl(
    baseUrl: string,
    params: {
      clientId?: string;
      redirectUri: string;
      state: string;
      scope?: string;
      codeChallenge?: string;
    },
  ): string {
    const url = new URL(this.authorizePath, baseUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', params.clientId ?? this.clients[0]?.clientId ?? '');
    url.searchParams.set('redirect_uri', params.redirectUri);
    url.searchParams.set('state', params.state);
    if (params.codeChallenge) {
      url.searchParams.set('code_challenge', params.codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
    }
    if (params.scope) url.searchParams.set('scope', params.scope);
    return url.toString();
  }

  // ----- HTTP --------------------------------------------------------------------------------------------

  /** Answers the OAuth routes; false when the request is for something else. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path === this.authorizePath && req.method === 'GET') {
      this.authorize(res, url);
      return true;
    }
    if (path === this.decisionPath && (req.method === 'GET' || req.method === 'POST')) {
      const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
      this.decide(res, params);
      return true;
    }
    if (path === this.tokenPath && req.method === 'POST') {
      await this.tokenEndpoint(req, res);
      return true;
    }
    if (this.revokePath && path === this.revokePath && req.method === 'POST') {
      await this.revokeEndpoint(req, res);
      return true;
    }
    return false;
  }

  private client(clientId: string | null): OAuthFakeClient | undefined {
    return this.clients.find((c) => c.clientId === clientId);
  }

  private authorize(res: ServerResponse, url: URL) {
    this.counters.authorize++;
    const q = url.searchParams;
    const client = this.client(q.get('client_id'));
    const redirectUri = q.get('redirect_uri') ?? '';
    // RFC 6749 4.1.2.1: bad client or redirect URI -> show an error, never redirect.
    if (!client)
      return sendHtml(res, 400, page('Error', '<p id="error">invalid_client: unknown client_id</p>'));
    if (!isAcceptableRedirect(client, redirectUri))
      return sendHtml(res, 400, page('Error', '<p id="error">invalid_request: redirect_uri mismatch</p>'));

    const state = q.get('state') ?? '';
    const fail = (error: string, description: string) => {
      const target = new URL(redirectUri);
      target.searchParams.set('error', error);
      target.searchParams.set('error_description', description);
      if (state) target.searchParams.set('state', state);
      redirect(res, target.toString());
    };
    if (q.get('response_type') !== 'code')
      return fail('unsupported_response_type', 'response_type must be code');
    if (!state) return fail('invalid_request', 'state is required');

    const challenge = q.get('code_challenge');
    const method = q.get('code_challenge_method') ?? 'plain';
    if (this.pkce === 'required' && !challenge) return fail('invalid_request', 'code_challenge is required');
    if (challenge && this.pkce !== 'off') {
      if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
      if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail('invalid_request', 'malformed code_challenge');
    }

    const consent: PendingConsent = {
      clientId: client.clientId,
      redirectUri,
      state,
      scope: q.get('scope') ?? this.options.defaultScope ?? '',
      codeChallenge: this.pkce === 'off' ? null : challenge,
    };
    if (this.autoApprove) return this.approve(res, consent);

    const requestId = token('req_');
    this.pending.set(requestId, consent);
    this.counters.consentShown++;
    const allow = `${this.decisionPath}?request=${requestId}&decision=allow`;
    const deny = `${this.decisionPath}?request=${requestId}&decision=deny`;
    sendHtml(
      res,
      200,
      page(
        'Authorize',
        `<h1>${escapeHtml(client.clientId)} would like to access your account</h1>
<p>Signed in as <b id="user">${escapeHtml(this.userId)}</b></p>
<p>Scope: <code id="scope">${escapeHtml(consent.scope)}</code></p>
<p><a id="allow" href="${escapeHtml(allow)}">Allow</a> <a id="deny" href="${escapeHtml(deny)}">Deny</a></p>
<form method="post" action="${escapeHtml(this.decisionPath)}">
<input type="hidden" name="request" value="${requestId}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
      ),
    );
  }

  private decide(res: ServerResponse, params: URLSearchParams) {
    const requestId = params.get('request') ?? '';
    const consent = this.pending.get(requestId);
    if (!consent)
      return sendHtml(res, 400, page('Error', '<p id="error">unknown or used consent request</p>'));
    this.pending.delete(requestId);
    if (params.get('decision') === 'allow') return this.approve(res, consent);
    this.counters.denied++;
    const target = new URL(consent.redirectUri);
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'The user denied the authorization request');
    target.searchParams.set('state', consent.state);
    redirect(res, target.toString());
  }

  private approve(res: ServerResponse, consent: PendingConsent): void {
    this.counters.approved++;
    const code = token('code_');
    this.codes.set(code, {
      code,
      userId: this.userId,
      clientId: consent.clientId,
      redirectUri: consent.redirectUri,
      scope: consent.scope,
      codeChallenge: consent.codeChallenge,
      expiresAt: this.now() + (this.options.codeTtlSeconds ?? 600) * 1000,
      used: false,
    });
    const target = new URL(consent.redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', consent.state);
    redirect(res, target.toString());
  }

  /** Client authentication per `clientAuth`; null when it fails. */
  private authenticateClient(req: IncomingMessage, form: URLSearchParams): OAuthFakeClient | null {
    const header = req.headers.authorization ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic && this.clientAuth !== 'body') {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return null;
      const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
      let id: string;
      let secret: string;
      try {
        id = decode(decoded.slice(0, colon));
        secret = decode(decoded.slice(colon + 1));
      } catch {
        return null;
      }
      const client = this.client(id);
      return client && client.clientSecret === secret ? client : null;
    }
    if (this.clientAuth === 'basic') return null;
    const client = this.client(form.get('client_id'));
    return client && client.clientSecret === form.get('client_secret') ? client : null;
  }

  private async tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.token++;
    const receivedAt = Date.now();
    const raw = await readBody(req);
    const form = new URLSearchParams(raw);
    const record: TokenRequestRecord = {
      form: Object.fromEntries(form),
      authorization: req.headers.authorization ?? null,
      status: 200,
      receivedAt,
    };
    this.tokenRequests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' };
      if (status === 401) headers['www-authenticate'] = 'Basic realm="fake-oauth"';
      sendJson(res, status, body, headers);
    };
    const error = (status: number, code: string, description: string) => {
      if (code === 'invalid_client') this.counters.invalidClient++;
      else if (code === 'invalid_grant') this.counters.invalidGrant++;
      else if (code === 'invalid_request') this.counters.invalidRequest++;
      answer(status, { error: code, error_description: description });
    };

    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      return error(400, 'invalid_request', 'body must be application/x-www-form-urlencoded');
    const client = this.authenticateClient(req, form);
    if (!client) return error(401, 'invalid_client', 'client authentication failed');

    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const forced = this.forcedExchange.shift();
      if (forced) {
        this.counters.forcedFailures++;
        return answer(forced.status, forced.body);
      }
      const code = this.codes.get(form.get('code') ?? '');
      if (!code || code.clientId !== client.clientId)
        return error(400, 'invalid_grant', 'unknown authorization code');
      if (code.used) return error(400, 'invalid_grant', 'authorization code already used');
      if (code.expiresAt <= this.now()) return error(400, 'invalid_grant', 'authorization code expired');
      code.used = true;
      if (form.get('redirect_uri') !== code.redirectUri)
        return error(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
      if (code.codeChallenge) {
        const verifier = form.get('code_verifier');
        if (!verifier) return error(400, 'invalid_request', 'code_verifier is required');
        if (pkceChallenge(verifier) !== code.codeChallenge)
          return error(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
      }
      this.counters.codeExchanges++;
      return answer(
        200,
        this.tokenResponse(
          { userId: code.userId, clientId: client.clientId, scope: code.scope, grantType },
          this.options.issueRefreshToken ?? true,
        ),
      );
    }

    if (grantType === 'refresh_token') {
      const forced = this.forcedRefresh.shift();
      if (forced) {
        this.counters.forcedFailures++;
        return answer(forced.status, forced.body);
      }
      const grant = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant || grant.clientId !== client.clientId)
        return error(400, 'invalid_grant', 'unknown refresh token');
      if (grant.revoked) return error(400, 'invalid_grant', 'refresh token revoked');
      if (grant.used) return error(400, 'invalid_grant', 'refresh token already used');
      this.counters.refreshes++;
      const context: TokenContext = {
        userId: grant.userId,
        clientId: grant.clientId,
        scope: grant.scope,
        grantType,
      };
      if (this.refreshRotation === 'rotate') {
        grant.used = true;
        return answer(200, this.tokenResponse(context, true));
      }
      const body = this.tokenResponse(context, false);
      return answer(200, this.refreshRotation === 'same' ? { ...body, refresh_token: grant.token } : body);
    }

    return error(400, 'unsupported_grant_type', `unsupported grant_type ${grantType ?? '(none)'}`);
  }

  private async revokeEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (!this.authenticateClient(req, form))
      return sendJson(res, 401, {
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    const value = form.get('token') ?? '';
    const access = this.accessTokens.get(value);
    const refresh = this.refreshTokens.get(value);
    // Revoking either side of a grant ends the whole authorization of that user for this client.
    const owner = access ?? refresh;
    if (owner) {
      this.counters.revocations++;
      for (const grant of [...this.accessTokens.values(), ...this.refreshTokens.values()])
        if (grant.userId === owner.userId && grant.clientId === owner.clientId) grant.revoked = true;
    }
    // RFC 7009 2.2: unknown tokens are not an error.
    sendJson(res, 200, {});
  }

  private tokenResponse(context: TokenContext, withRefresh: boolean): Record<string, unknown> {
    const accessToken = this.options.accessTokenFactory?.(context) ?? token('at_');
    this.accessTokens.set(accessToken, {
      token: accessToken,
      userId: context.userId,
      clientId: context.clientId,
      scope: context.scope,
      expiresAt: this.now() + this.expiresIn * 1000,
      revoked: false,
    });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      scope: context.scope,
    };
    if (withRefresh) {
      const refreshToken = token('rt_');
      this.refreshTokens.set(refreshToken, {
        token: refreshToken,
        userId: context.userId,
        clientId: context.clientId,
        scope: context.scope,
        used: false,
        revoked: false,
      });
      body.refresh_token = refreshToken;
    }
    return { ...body, ...this.options.tokenExtras?.(context) };
  }
}

function defaultErrorBody(status: number) {
  return status >= 400 && status < 500
    ? { error: 'invalid_grant', error_description: 'forced failure' }
    : { error: 'server_error', error_description: 'forced failure' };
}

function isAcceptableRedirect(client: OAuthFakeClient, redirectUri: string): boolean {
  if (client.redirectUris && client.redirectUris.length > 0) return client.redirectUris.includes(redirectUri);
  try {
    const url = new URL(redirectUri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hash;
  } catch {
    return false;
  }
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;

// ---------------------------------------------------------------------------------------------------------
// Standalone server and a consent-page driver for tests
// ---------------------------------------------------------------------------------------------------------

export interface RunningOAuthFake {
  oauth: OAuthFake;
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string | null;
  stop(): Promise<void>;
}

/** The fake on its own server; `fallback` answers other routes (default 404 JSON). */
export async function startOAuthFake(
  options: OAuthFakeOptions & { fallback?: FakeHandler } = {},
): Promise<RunningOAuthFake> {
  const oauth = new OAuthFake(options);
  const running = await startHttpServer(async (req, res, url) => {
    if (await oauth.handle(req, res, url)) return;
    if (options.fallback) return options.fallback(req, res, url);
    sendJson(res, 404, { error: 'not_found' });
  });
  return {
    oauth,
    url: running.url,
    authorizeUrl: `${running.url}${oauth.authorizePath}`,
    tokenUrl: `${running.url}${oauth.tokenPath}`,
    revokeUrl: oauth.revokePath ? `${running.url}${oauth.revokePath}` : null,
    stop: running.stop,
  };
}

export interface ConsentOutcome {
  /** Where the browser ends up (our callback URL with query). */
  location: string;
  code: string | null;
  state: string | null;
  error: string | null;
  errorDescription: string | null;
}

/**
 * Plays the browser: GETs the authorize URL, and if a consent page comes back follows its Allow or Deny
 * link. Resolves with the redirect to the client's callback; rejects when the fake shows an error page.
 */
export async function followConsent(
  authorizeUrl: string,
  decision: 'allow' | 'deny' = 'allow',
): Promise<ConsentOutcome> {
  let response = await fetch(authorizeUrl, { redirect: 'manual' });
  if (response.status === 200) {
    const html = await response.text();
    const href = new RegExp(`id="${decision}" href="([^"]+)"`).exec(html)?.[1];
    if (!href) throw new Error(`no ${decision} link on the consent page`);
    const link = new URL(href.replace(/&amp;/g, '&').replace(/&#38;/g, '&'), authorizeUrl);
    response = await fetch(link, { redirect: 'manual' });
  }
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(`authorize answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const params = new URL(location).searchParams;
  return {
    location,
    code: params.get('code'),
    state: params.get('state'),
    error: params.get('error'),
    errorDescription: params.get('error_description'),
  };
}
