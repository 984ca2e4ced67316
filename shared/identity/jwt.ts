import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { apiEnvSchema, env } from '#shared/config/env.js';
import { jwtSigningKey } from '#shared/config/secrets.js';

/** `cv`: the developer's credential version when the token was issued (a password change retires the token). */
export type DeveloperClaims = { sub: string; scope?: undefined; cv: number };
export type SdkClaims = { sub: string; scope: 'sdk'; app_id: string };
export type Claims = (DeveloperClaims | SdkClaims) & { exp: number };

export const accessTokenSeconds = () => env(apiEnvSchema).ACCESS_TOKEN_EXPIRE_MINUTES * 60;

/** Developer JWT `{sub, cv, exp}` or SDK JWT `{sub, scope: "sdk", app_id, exp}` (+ iat, jti), HS256. */
export async function signAccessToken(claims: DeveloperClaims | SdkClaims): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(`${accessTokenSeconds()}s`)
    .sign(await jwtSigningKey());
}

/** Verified claims, or `null` for anything invalid or expired (callers decide which 401 text applies). */
export async function verifyAccessToken(token: string): Promise<Claims | null> {
  try {
    const { payload } = await jwtVerify(token, await jwtSigningKey(), { algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
    if (payload.scope === 'sdk') {
      if (typeof payload.app_id !== 'string') return null;
      return { sub: payload.sub, scope: 'sdk', app_id: payload.app_id, exp: payload.exp };
    }
    // Tokens from before credential versions existed carry none: version 0.
    const cv = typeof payload.cv === 'number' ? payload.cv : 0;
    return { sub: payload.sub, cv, exp: payload.exp };
  } catch {
    return null;
  }
}
