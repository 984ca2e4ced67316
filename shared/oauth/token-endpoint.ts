import * as z from 'zod/mini';
import { callbackUrl } from '#shared/oauth/authorize.js';
import { ProviderNotConfiguredError, TokenEndpointError } from '#shared/oauth/errors.js';
import { countProviderHttpError } from '#shared/observability.js';
import type { ProviderConfig } from '#shared/providers/registry.js';
import type { StatusRanges, TokenEnvelope, TokenSet } from '#shared/providers/types.js';
import { traceRequest } from '#tracer';

/** Shorter than the refresh lease (fresh-token.ts), so a lease never lapses while its holder is still waiting. */
export const TOKEN_REQUEST_TIMEOUT_MS = 20_000;

const expiresIn = z.pipe(
  z.transform((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value)),
  z.number().check(z.int(), z.nonnegative()),
);

/** RFC 6749 5.1, as the reference requires it: `access_token`, `token_type`, `expires_in`; extras are kept. */
const tokenResponse = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string(),
  expires_in: expiresIn,
  refresh_token: z.nullish(z.string()),
  scope: z.nullish(z.string()),
});

const short = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}...` : text);

/** Values we sent that must never reappear in an error message, even if the provider echoes them back. */
const SECRET_FIELDS = ['code', 'refresh_token', 'code_verifier', 'client_secret'];

function redact(text: string, fields: Record<string, string>): string {
  let out = text;
  for (const name of SECRET_FIELDS) {
    const value = fields[name];
    if (value && value.length >= 4) out = out.split(value).join('[redacted]');
  }
  return out;
}

/** The provider's error in its own words: RFC 6749 `error`/`error_description`, or Fitbit's `errors[].errorType`. */
function errorOf(status: number, body: string, sent: Record<string, string>): TokenEndpointError {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const object = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const first = Array.isArray(object.errors)
    ? (object.errors[0] as Record<string, unknown> | undefined)
    : undefined;
  const error =
    typeof object.error === 'string'
      ? object.error
      : typeof first?.errorType === 'string'
        ? first.errorType
        : null;
  const description =
    typeof object.error_description === 'string'
      ? object.error_description
      : typeof first?.message === 'string'
        ? first.message
        : typeof object.message === 'string'
          ? object.message
          : null;
  const text = error
    ? `${error}${description ? `: ${description}` : ''}`
    : `HTTP ${status}${body.trim() ? `: ${body.trim()}` : ''}`;
  return new TokenEndpointError(status, error, short(redact(text, sent)));
}

const inRanges = (status: number, ranges: StatusRanges) =>
  ranges.some(([from, to]) => status >= from && status <= to);

/**
 * The token fields of an envelope answer (`{status: 0, body}`, Withings). Any other status is thrown as what it
 * means to the caller: a refusal as RFC 6749's 400 `invalid_grant`, an outage as a 503, anything else as is.
 */
function unwrap(
  json: unknown,
  envelope: TokenEnvelope,
  config: ProviderConfig,
  httpStatus: number,
  sent: Record<string, string>,
): unknown {
  const object = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const status = object.status;
  if (typeof status !== 'number') {
    throw new TokenEndpointError(httpStatus, null, 'token response has no valid status');
  }
  if (status === 0) return object.body;
  const message = typeof object.error === 'string' && object.error.trim() ? `: ${object.error.trim()}` : '';
  const text = `${config.info.name} status ${status}${message}`;
  if (inRanges(status, envelope.refused)) {
    throw new TokenEndpointError(400, 'invalid_grant', short(redact(`invalid_grant: ${text}`, sent)));
  }
  const outage = inRanges(status, envelope.unavailable);
  throw new TokenEndpointError(outage ? 503 : httpStatus, null, short(redact(text, sent)));
}

function credentials(config: ProviderConfig) {
  if (!config.clientId || !config.clientSecret || !config.tokenUrl) {
    throw new ProviderNotConfiguredError(config.provider);
  }
  return { clientId: config.clientId, clientSecret: config.clientSecret, tokenUrl: config.tokenUrl };
}

/** POSTs a form to the token endpoint with the client credentials as the provider wants them; parses a TokenSet. */
async function tokenRequest(config: ProviderConfig, form: Record<string, string>, now: number) {
  const { clientId, clientSecret, tokenUrl } = credentials(config);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  const fields = { ...config.info.oauth?.tokenFields, ...form };
  if (config.info.oauth?.clientAuth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  } else {
    fields.client_id = clientId;
    fields.client_secret = clientSecret;
  }
  let response: Response;
  try {
    response = await traceRequest(
      'POST',
      tokenUrl,
      () =>
        fetch(tokenUrl, {
          method: 'POST',
          headers,
          body: new URLSearchParams(fields).toString(),
          signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
        }),
      (answer) => answer.status,
    );
  } catch (error) {
    throw new TokenEndpointError(
      null,
      null,
      `token endpoint ${new URL(tokenUrl).host} unreachable: ${(error as Error).message}`,
    );
  }
  const body = await response.text().catch(() => '');
  if (!response.ok) {
    countProviderHttpError(config.provider, response.status);
    throw errorOf(response.status, body, fields);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new TokenEndpointError(response.status, null, 'token response is not JSON');
  }
  const envelope = config.info.oauth?.tokenEnvelope;
  if (envelope) json = unwrap(json, envelope, config, response.status, fields);
  const parsed = tokenResponse.safeParse(json);
  if (!parsed.success) {
    const object = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    // Some providers answer 200 with an error object (providers.md 3.2).
    if (typeof object.error === 'string') throw errorOf(response.status, body, fields);
    const field = parsed.error.issues[0]?.path.join('.') || 'body';
    throw new TokenEndpointError(response.status, null, `token response has no valid ${field}`);
  }
  const { access_token, token_type, expires_in, refresh_token, scope, ...extras } = parsed.data;
  return {
    accessToken: access_token,
    refreshToken: refresh_token ?? null,
    expiresAt: now + expires_in * 1000,
    scope: scope ?? null,
    extras: { token_type, ...extras },
  } satisfies TokenSet;
}

/** Authorization-code grant (providers.md 3.1); `redirectUri` must equal the one of the authorize URL. */
export function exchangeCode(
  config: ProviderConfig,
  code: string,
  codeVerifier?: string,
  redirectUri = callbackUrl(config.provider),
  now = Date.now(),
): Promise<TokenSet> {
  return tokenRequest(
    config,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
    },
    now,
  );
}

/**
 * Refresh-token grant. A provider that rotates returns a new refresh token; one that does not returns none, and
 * the one we sent stays valid and is kept.
 */
export async function refreshTokenSet(
  config: ProviderConfig,
  refreshToken: string,
  now = Date.now(),
): Promise<TokenSet> {
  const tokens = await tokenRequest(
    config,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    now,
  );
  return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
}
