import * as z from 'zod/mini';
import '#shared/config/zod.js';
import { setting } from '#shared/config/settings.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

/**
 * One zod schema per function family. The same schema types the CDK `environment` prop (lib/app-function.ts)
 * and is parsed at cold start, so a missing or misspelt variable fails at synth time, not at 3 a.m.
 * Variables carry names and ARNs; secret values only ever come from env in the local sandbox.
 */
export const baseEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  STAGE: z._default(z.string(), 'local'),
  POWERTOOLS_SERVICE_NAME: z._default(z.string(), 'open-wearables'),
  POWERTOOLS_LOG_LEVEL: z.optional(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'])),
});

/** A yes/no setting (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`). */
export const envBoolean = (fallback: boolean) =>
  z.pipe(
    z._default(
      z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'TRUE', 'FALSE', 'True', 'False']),
      fallback ? 'true' : 'false',
    ),
    z.transform((value) => ['true', '1', 'yes', 'on'].includes(value.toLowerCase())),
  );

/** The entries of a comma-separated setting, trimmed, empty ones dropped. */
export const commaList = (value: string): string[] =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

/** A whole number from 1 to `max`, `fallback` when unset. */
export const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z._default(z.coerce.number().check(z.int(), z.positive(), z.lte(max)), fallback);

/** Every API function: signs or verifies JWTs and knows its public URL. */
export const apiEnvSchema = z
  .extend(baseEnvSchema, {
    API_BASE_URL: z.url(),
    /** Secrets Manager ARN of the HS256 signing key (AWS). */
    JWT_SECRET_ARN: z.optional(z.string()),
    /** The signing key itself (sandbox and tests only). */
    JWT_SECRET: z.optional(z.string().check(z.minLength(32))),
    ACCESS_TOKEN_EXPIRE_MINUTES: setting(
      positiveInt(60, 24 * 60),
      'lifetime of developer and SDK access tokens (at most a day)',
    ),
    REFRESH_TOKEN_EXPIRE_DAYS: setting(positiveInt(90, 730), 'lifetime of refresh tokens (at most 730)'),
    USER_INVITATION_CODE_EXPIRE_DAYS: setting(
      positiveInt(7, 90),
      'lifetime of user invitation codes (at most 90)',
    ),
  })
  .check(
    z.refine((env) => Boolean(env.JWT_SECRET_ARN) !== Boolean(env.JWT_SECRET), {
      message: 'exactly one of JWT_SECRET_ARN and JWT_SECRET must be set',
    }),
  );

/** The meta area (docs, OpenAPI, the 404/405 fallback) reads no table and verifies no token. */
export const metaEnvSchema = z.extend(z.omit(baseEnvSchema, { TABLE_NAME: true }), { API_BASE_URL: z.url() });

/** The tokens area also bootstraps the admin developer, so only it may read the admin secret. */
export const tokensEnvSchema = z
  .extend(apiEnvSchema, {
    /** Secrets Manager ARN of `{"email","password"}` for the bootstrap developer (AWS). */
    ADMIN_SECRET_ARN: z.optional(z.string()),
    ADMIN_EMAIL: z.optional(z.email()),
    ADMIN_PASSWORD: z.optional(z.string().check(z.minLength(8))),
  })
  .check(
    z.refine(
      (env) => Boolean(env.ADMIN_SECRET_ARN) || (Boolean(env.ADMIN_EMAIL) && Boolean(env.ADMIN_PASSWORD)),
      { message: 'set ADMIN_SECRET_ARN, or both ADMIN_EMAIL and ADMIN_PASSWORD' },
    ),
  );

/** The erasure worker re-queues itself when a user does not fit one invocation. */
export const erasureWorkerEnvSchema = z.extend(baseEnvSchema, queueProducerEnv.erasure.shape);

export type BaseEnv = z.infer<typeof baseEnvSchema>;
export type ApiEnv = z.infer<typeof apiEnvSchema>;
export type TokensEnv = z.infer<typeof tokensEnvSchema>;

export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** Parses `source` against `schema`, naming every offending variable. */
export function parseEnv<S extends z.ZodMiniType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  const result = z.safeParse(schema, source);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)
      .join('; ');
    throw new EnvironmentError(`Invalid environment: ${problems}`);
  }
  return result.data;
}

const cache = new Map<z.ZodMiniType, unknown>();

/** The validated `process.env` for a schema, parsed once per process (i.e. per Lambda cold start). */
export function env<S extends z.ZodMiniType>(schema: S): z.infer<S> {
  if (!cache.has(schema)) cache.set(schema, parseEnv(schema, process.env));
  return cache.get(schema) as z.infer<S>;
}

/** Tests and the sandbox change process.env between runs; they call this afterwards. */
export function resetEnvCache(): void {
  cache.clear();
}
