import * as z from 'zod/mini';
import { apiEnvSchema, env, tokensEnvSchema } from '#shared/config/env.js';
import { traceClient } from '#tracer';

/** How long a secret value is reused: a rotated secret reaches every warm function within this. */
export const SECRET_CACHE_MS = 300_000;

const cache = new Map<string, { value: Promise<string>; expires: number }>();
let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;

/**
 * A secret's value from Secrets Manager, cached per ARN; concurrent first reads share one request, and a failed
 * read is not kept. The client loads on first use, so the sandbox (secrets from env) never pulls it in.
 */
async function fetchSecret(arn: string): Promise<string> {
  const cached = cache.get(arn);
  if (cached && cached.expires > Date.now()) return cached.value;
  const value = readSecret(arn);
  const entry = { value, expires: Date.now() + SECRET_CACHE_MS };
  cache.set(arn, entry);
  value.catch(() => {
    if (cache.get(arn) === entry) cache.delete(arn);
  });
  return value;
}

async function readSecret(arn: string): Promise<string> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  client ??= traceClient(new SecretsManagerClient({}));
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (typeof SecretString !== 'string') throw new Error(`secret ${arn} is not a string`);
  return SecretString;
}

/** A JSON secret (provider credentials), cached like every secret read. */
export async function fetchSecretJson(arn: string): Promise<unknown> {
  const text = await fetchSecret(arn);
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: the secret would reach the logs.
    throw new Error(`secret ${arn} is not JSON`);
  }
}

/** The HS256 key for developer and SDK JWTs. */
export async function jwtSigningKey(): Promise<Uint8Array> {
  const { JWT_SECRET, JWT_SECRET_ARN } = env(apiEnvSchema);
  const secret = JWT_SECRET ?? (await fetchSecret(JWT_SECRET_ARN!));
  return new TextEncoder().encode(secret);
}

const adminSecretSchema = z.object({ email: z.email(), password: z.string().check(z.minLength(8)) });

/** The bootstrap developer's credentials. */
export async function adminCredentials(): Promise<{ email: string; password: string }> {
  const { ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_SECRET_ARN } = env(tokensEnvSchema);
  if (ADMIN_SECRET_ARN) {
    const parsed = adminSecretSchema.safeParse(await fetchSecretJson(ADMIN_SECRET_ARN));
    // zod's issues can quote the values: only the fields' names leave.
    if (!parsed.success) {
      throw new Error(
        `secret ${ADMIN_SECRET_ARN} lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    }
    return parsed.data;
  }
  return { email: ADMIN_EMAIL!, password: ADMIN_PASSWORD! };
}
