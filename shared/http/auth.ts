import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { forbidden, unauthorized } from '#shared/http/errors.js';
import type { AuthClass, Caller } from '#shared/http/route.js';
import { sha256 } from '#shared/identity/credentials.js';
import { type Claims, verifyAccessToken } from '#shared/identity/jwt.js';
import { findApiKeyIdByHash } from '#shared/store/api-keys.js';
import { getDeveloper } from '#shared/store/developers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export const API_KEY_HEADERS = ['x-open-wearables-api-key', 'x-api-key'] as const;

type Token = { value: string; bare: boolean };

/** `Authorization: Bearer <jwt>`, or (alias for the iOS SDK) a bare JWT without the scheme word. */
function bearerToken(headers: Record<string, string | undefined>): Token | undefined {
  const header = headers.authorization?.trim();
  if (!header) return undefined;
  const match = /^bearer\s+(\S+)$/i.exec(header);
  if (match) return { value: match[1]!, bare: false };
  return JWT_SHAPE.test(header) ? { value: header, bare: true } : undefined;
}

function apiKeyHeader(headers: Record<string, string | undefined>): string | undefined {
  for (const name of API_KEY_HEADERS) if (headers[name] !== undefined) return headers[name];
  return undefined;
}

async function claimsOf(token: Token | undefined): Promise<Claims | null> {
  if (!token) return null;
  const claims = await verifyAccessToken(token.value);
  // A bare token is only an alias for SDK tokens; a bare developer token counts as absent.
  if (claims && token.bare && claims.scope !== 'sdk') return null;
  return claims;
}

/** The developer of a developer token, if it still exists and the token predates no password change. */
async function developerFrom(claims: Claims | null): Promise<Caller | undefined> {
  if (!claims || claims.scope === 'sdk' || !UUID.test(claims.sub)) return undefined;
  const developer = await getDeveloper(claims.sub.toLowerCase());
  if (!developer || (developer.credential_version ?? 0) !== claims.cv) return undefined;
  return { kind: 'developer', developer };
}

async function apiKeyCaller(key: string): Promise<Caller> {
  const keyId = key ? await findApiKeyIdByHash(sha256(key)) : undefined;
  if (!keyId) throw unauthorized('Invalid or missing API key');
  return { kind: 'api_key', keyId };
}

/**
 * Resolves the caller for a route's auth class with exactly the reference's precedence and 401/403 texts
 * (contract 2.3), plus the two documented aliases (`X-API-Key`, bare SDK token).
 */
export async function authenticate(auth: AuthClass, event: APIGatewayProxyEventV2): Promise<Caller> {
  const headers = event.headers ?? {};
  if (auth === 'NONE') return { kind: 'anonymous' };
  const token = bearerToken(headers);
  const claims = await claimsOf(token);

  switch (auth) {
    case 'TOKEN':
      return (await developerFrom(claims)) ?? { kind: 'anonymous' };
    case 'API': {
      const developer = await developerFrom(claims);
      if (developer) return developer;
      const key = apiKeyHeader(headers);
      if (key !== undefined) return apiKeyCaller(key);
      throw unauthorized('Authentication required: provide JWT token or API key');
    }
    case 'DEV': {
      if (claims?.scope === 'sdk' && !token?.bare)
        throw unauthorized('SDK tokens cannot access this endpoint', true);
      const developer = await developerFrom(claims);
      if (developer) return developer;
      throw unauthorized('Could not validate credentials', true);
    }
    case 'SDK': {
      let caller: Caller;
      if (claims?.scope === 'sdk') caller = { kind: 'sdk', userId: claims.sub, appId: claims.app_id };
      else {
        const key = apiKeyHeader(headers);
        if (key === undefined) throw unauthorized('Authentication required: provide SDK token or API key');
        caller = await apiKeyCaller(key);
      }
      const pathUser = event.pathParameters?.user_id;
      if (caller.kind === 'sdk' && pathUser !== undefined && pathUser !== caller.userId) {
        throw forbidden('Token does not match user_id');
      }
      return caller;
    }
  }
}
