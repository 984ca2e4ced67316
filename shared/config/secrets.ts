import * as z from 'zod';
import { apiEnvSchema, env, tokensEnvSchema } from '#shared/config/env.js';

const CACHE_SECONDS = 300;

/** Secrets Manager through Powertools Parameters (cached); loaded lazily so the sandbox never pulls it in. */
async function fetchSecret(arn: string): Promise<string> {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const value = await getSecret(arn, { maxAge: CACHE_SECONDS });
  if (typeof value !== 'string') throw new Error(`secret ${arn} is not a string`);
  return value;
}

/** A JSON secret (provider credentials), cached like every secret read. */
export async function fetchSecretJson(arn: string): Promise<unknown> {
  return JSON.parse(await fetchSecret(arn));
}

/** The HS256 key for developer and SDK JWTs. */
export async function jwtSigningKey(): Promise<Uint8Array> {
  const { JWT_SECRET, JWT_SECRET_ARN } = env(apiEnvSchema);
  const secret = JWT_SECRET ?? (await fetchSecret(JWT_SECRET_ARN!));
  return new TextEncoder().encode(secret);
}

const adminSecretSchema = z.object({ email: z.email(), password: z.string().min(8) });

/** The bootstrap developer's credentials. */
export async function adminCredentials(): Promise<{ email: string; password: string }> {
  const { ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_SECRET_ARN } = env(tokensEnvSchema);
  if (ADMIN_SECRET_ARN) return adminSecretSchema.parse(JSON.parse(await fetchSecret(ADMIN_SECRET_ARN)));
  return { email: ADMIN_EMAIL!, password: ADMIN_PASSWORD! };
}
