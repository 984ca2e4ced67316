import * as z from 'zod/mini';
import { env } from '#shared/config/env.js';
import { fetchSecretJson } from '#shared/config/secrets.js';
import type { ProviderName } from '#shared/model/provider.js';
import { fitbitInfo } from '#shared/providers/fitbit/info.js';
import { garminInfo } from '#shared/providers/garmin/info.js';
import { googleHealthInfo } from '#shared/providers/google-health/info.js';
import { type ProviderInfo, sdkOnly } from '#shared/providers/info.js';
import { ouraInfo } from '#shared/providers/oura/info.js';
import { polarInfo } from '#shared/providers/polar/info.js';
import { sensorbioInfo } from '#shared/providers/sensorbio/info.js';
import { stravaInfo } from '#shared/providers/strava/info.js';
import { suuntoInfo } from '#shared/providers/suunto/info.js';
import { ultrahumanInfo } from '#shared/providers/ultrahuman/info.js';
import { whoopInfo } from '#shared/providers/whoop/info.js';
import { withingsInfo } from '#shared/providers/withings/info.js';

export type LiveSyncMode = 'pull' | 'webhook';

/**
 * Every ProviderName with an integration, in the reference's enum order (contract 4.4, 7.6; providers.md 3.6).
 * `google` is not listed: it is the legacy alias of `health_connect` (model/provider.ts).
 */
export const PROVIDER_INFO = {
  apple: sdkOnly('Apple Health'),
  samsung: sdkOnly('Samsung Health'),
  garmin: garminInfo,
  health_connect: sdkOnly('Health Connect'),
  google_health: googleHealthInfo,
  polar: polarInfo,
  suunto: suuntoInfo,
  whoop: whoopInfo,
  strava: stravaInfo,
  oura: ouraInfo,
  fitbit: fitbitInfo,
  ultrahuman: ultrahumanInfo,
  sensorbio: sensorbioInfo,
  withings: withingsInfo,
} satisfies Partial<Record<ProviderName, ProviderInfo>>;

export type IntegratedProvider = keyof typeof PROVIDER_INFO;
export const INTEGRATED_PROVIDERS = Object.keys(PROVIDER_INFO) as [
  IntegratedProvider,
  ...IntegratedProvider[],
];

export const isIntegrated = (value: string): value is IntegratedProvider =>
  Object.hasOwn(PROVIDER_INFO, value);

/** Default live mode (contract 7.6): pull for REST providers, webhook for push-only ones, null for SDK-only. */
export function defaultLiveSyncMode(info: ProviderInfo): LiveSyncMode | null {
  if (info.restPull) return 'pull';
  return info.webhookStream || info.webhookCallback ? 'webhook' : null;
}

export const liveSyncConfigurable = (info: ProviderInfo) =>
  info.restPull && (info.webhookStream || info.webhookPing);

export const iconUrl = (provider: string) => `/static/provider-icons/${provider}.svg`;

const envPrefix = (provider: IntegratedProvider) => provider.toUpperCase();

/**
 * Provider settings beyond the client credentials: webhook verification secrets (architecture.md 7) and API keys
 * some providers want on every request (Suunto's subscription key).
 */
export const PROVIDER_VARIABLES = [
  'STRAVA_WEBHOOK_VERIFY_TOKEN',
  'STRAVA_SUBSCRIPTION_ID',
  'OURA_WEBHOOK_VERIFICATION_TOKEN',
  'POLAR_WEBHOOK_SECRET',
  'SUUNTO_SUBSCRIPTION_KEY',
  'SUUNTO_WEBHOOK_SECRET',
  'GOOGLE_HEALTH_WEBHOOK_SECRET',
  'GOOGLE_HEALTH_PROJECT_ID',
  'WITHINGS_WEBHOOK_TOKEN',
] as const;

/**
 * One schema per kind of variable, shared by every variable of that kind: a schema holds no state, and building
 * one per variable (about a hundred) was a fifth or more of the schema construction at a cold start.
 */
const optionalText = z.optional(z.string());
const optionalUrl = z.optional(z.url());
const optionalSecret = z.optional(z.string().check(z.minLength(1), z.maxLength(512)));

/** `<P>_CLIENT_ID`, `<P>_CLIENT_SECRET`, `<P>_DEFAULT_SCOPE`, `<P>_AUTHORIZE_URL`, `<P>_TOKEN_URL`, `<P>_API_BASE_URL`. */
const variableSchemas: Array<[string, z.ZodMiniType]> = [
  ...INTEGRATED_PROVIDERS.flatMap((p) =>
    ['CLIENT_ID', 'CLIENT_SECRET', 'DEFAULT_SCOPE'].map((s): [string, z.ZodMiniType] => [
      `${envPrefix(p)}_${s}`,
      optionalText,
    ]),
  ),
  ...INTEGRATED_PROVIDERS.flatMap((p) =>
    ['AUTHORIZE_URL', 'TOKEN_URL', 'API_BASE_URL'].map((s): [string, z.ZodMiniType] => [
      `${envPrefix(p)}_${s}`,
      optionalUrl,
    ]),
  ),
  // Webhook verification secrets of the push providers (contract 8.2; Garmin checks GARMIN_CLIENT_ID).
  ...PROVIDER_VARIABLES.map((name): [string, z.ZodMiniType] => [name, optionalSecret]),
  // On AWS the client ids and secrets live in one Secrets Manager JSON secret, keyed like the variables.
  ['PROVIDER_CREDENTIALS_SECRET_ARN', optionalText],
];

/** `<P>_CLIENT_ID`, `<P>_CLIENT_SECRET`, `<P>_DEFAULT_SCOPE`, `<P>_AUTHORIZE_URL`, `<P>_TOKEN_URL`, `<P>_API_BASE_URL`. */
export const providersEnvSchema = z.object(Object.fromEntries(variableSchemas));

export interface ProviderConfig {
  provider: IntegratedProvider;
  info: ProviderInfo;
  clientId: string | null;
  clientSecret: string | null;
  scope: string;
  authorizeUrl: string | null;
  tokenUrl: string | null;
  apiBaseUrl: string | null;
  /** Configured: a cloud provider is usable when its id and secret are set; SDK providers always are. */
  configured: boolean;
}

/** Provider settings by variable name: the credentials secret (AWS) first, then env (the sandbox). */
export async function providerVariables(): Promise<(name: string) => string | undefined> {
  const variables = env(providersEnvSchema) as Record<string, string | undefined>;
  const secretArn = variables.PROVIDER_CREDENTIALS_SECRET_ARN;
  const secret = secretArn ? ((await fetchSecretJson(secretArn)) as Record<string, string | undefined>) : {};
  return (name) => secret[name] || variables[name] || undefined;
}

/** A provider's settings: env (the sandbox) or the credentials secret (AWS), over the real defaults. */
export async function providerConfig(provider: IntegratedProvider): Promise<ProviderConfig> {
  const variable = await providerVariables();
  const read = (suffix: string) => variable(`${envPrefix(provider)}_${suffix}`);
  const info: ProviderInfo = PROVIDER_INFO[provider];
  const clientId = read('CLIENT_ID') ?? null;
  const clientSecret = read('CLIENT_SECRET') ?? null;
  return {
    provider,
    info,
    clientId,
    clientSecret,
    scope: read('DEFAULT_SCOPE') ?? info.oauth?.defaultScope ?? '',
    authorizeUrl: read('AUTHORIZE_URL') ?? info.oauth?.authorizeUrl ?? null,
    tokenUrl: read('TOKEN_URL') ?? info.oauth?.tokenUrl ?? null,
    apiBaseUrl: read('API_BASE_URL') ?? info.apiBaseUrl,
    configured: info.oauth === null || (Boolean(clientId) && Boolean(clientSecret)),
  };
}
