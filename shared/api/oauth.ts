import * as z from 'zod';
import { queryBoolean, uuid } from '#shared/api/schemas.js';
import { webhookSubscriptionRoutes } from '#shared/api/webhooks.js';
import { badRequest } from '#shared/http/errors.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { oauthSettings } from '#shared/oauth/env.js';
import { completeAuthorization, startAuthorization } from '#shared/oauth/flow.js';
import {
  providerSettingViews,
  updateProviderSetting,
  updateProvidersEnabled,
} from '#shared/oauth/provider-settings.js';
import { isIntegrated, PROVIDER_INFO } from '#shared/providers/registry.js';
import { DATA_GRANULARITIES } from '#shared/store/provider-settings.js';

const tag = 'OAuth';

const providerParams = z.object({ provider: z.enum(PROVIDERS) });
/** PUT routes answer an unknown slug with the contract's own 400 text, so the path takes any string. */
const anyProviderParams = z.object({ provider: cappedString(CAP.id) });

const providerSettingRead = z
  .object({
    provider: z.string(),
    name: z.string(),
    has_cloud_api: z.boolean(),
    is_enabled: z.boolean(),
    is_configured: z
      .boolean()
      .describe(
        'Its client credentials (cloud) are set, whatever the admin toggle; always true for SDK providers',
      ),
    icon_url: z.string(),
    live_sync_mode: z.enum(['pull', 'webhook']).nullable(),
    live_sync_configurable: z.boolean(),
    data_granularity: z.enum(DATA_GRANULARITIES).nullable(),
    deprecated: z
      .boolean()
      .describe('The provider is being retired (its API shut down): connect its successor'),
    deprecation_message: z.string().nullable().describe('Why, and where its users go instead'),
    replaced_by: z.string().nullable().describe('The provider slug that replaces it (fitbit: google_health)'),
  })
  .meta({ id: 'ProviderSetting' });
const providerSettingList = z.array(providerSettingRead).meta({ id: 'ProviderSettingList' });

/** OAuth, provider settings, and the providers' webhook subscriptions (contract 3.3; shared/api/webhooks.ts). */
export const oauthRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/oauth/providers',
    auth: 'NONE',
    tag,
    summary:
      'Every integrated provider with its settings; a cloud provider is enabled when its credentials are configured and the admin toggle is on',
    query: z.object({ enabled_only: queryBoolean(false), cloud_only: queryBoolean(false) }),
    response: providerSettingList,
    handle: async ({ query }) =>
      (await providerSettingViews()).filter(
        (p) => (!query.enabled_only || p.is_enabled) && (!query.cloud_only || p.has_cloud_api),
      ),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/oauth/providers/{provider}',
    auth: 'DEV',
    tag,
    summary: "Update one provider's settings (enabled, live sync mode, data granularity)",
    params: anyProviderParams,
    body: z
      .object({
        is_enabled: z.boolean().nullish(),
        // Present means not null (contract 4.4); absent leaves it unchanged.
        live_sync_mode: z.enum(['pull', 'webhook']).optional(),
        data_granularity: z.enum(DATA_GRANULARITIES).nullish(),
      })
      .default({}),
    response: providerSettingRead,
    // An unknown slug is the contract's 400, not a 404.
    doc: { errors: [400] },
    handle: async ({ params, body }) =>
      updateProviderSetting(params.provider, {
        ...(typeof body.is_enabled === 'boolean' ? { is_enabled: body.is_enabled } : {}),
        ...(body.live_sync_mode ? { live_sync_mode: body.live_sync_mode } : {}),
        ...(body.data_granularity !== undefined ? { data_granularity: body.data_granularity } : {}),
      }),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/oauth/providers',
    auth: 'DEV',
    tag,
    summary: 'Enable or disable several providers at once; answers the full provider list',
    body: z.object({ providers: z.record(cappedString(CAP.id), z.boolean()) }),
    response: providerSettingList,
    handle: ({ body }) => updateProvidersEnabled(body.providers),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/oauth/{provider}/authorize',
    auth: 'API',
    publicWhen: () => oauthSettings().OAUTH_PUBLIC_AUTHORIZE,
    tag,
    summary:
      "The provider's consent URL for a user (the user must exist); after the callback the browser goes to redirect_uri (an absolute http(s) URL, of an allowed origin when OAUTH_REDIRECT_ALLOWLIST is set). API key or developer token, unless OAUTH_PUBLIC_AUTHORIZE=true",
    params: providerParams,
    query: z.object({ user_id: uuid(), redirect_uri: z.string().max(2048).optional() }),
    response: z.object({ authorization_url: z.string(), state: z.string() }).meta({ id: 'AuthorizationUrl' }),
    handle: ({ params, query }) => startAuthorization(params.provider, query.user_id, query.redirect_uri),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/oauth/{provider}/callback',
    auth: 'NONE',
    tag,
    summary:
      'Provider OAuth redirect target: stores the connection and 303s to redirect_uri or the success page',
    status: 303,
    params: providerParams,
    query: z.object({
      code: cappedString(CAP.token).optional(),
      state: cappedString(CAP.id).optional(),
      error: cappedString(CAP.name).optional(),
      error_description: cappedString(CAP.text).optional(),
    }),
    // A provider's refusal goes to the error page (a 303 too); an invalid state or exchange is a 400.
    doc: { errors: [400] },
    handle: async ({ params, query }) => Reply.redirect(await completeAuthorization(params.provider, query)),
  }),
  defineRoute({
    method: 'HEAD',
    path: '/api/v1/oauth/{provider}/callback',
    auth: 'NONE',
    tag,
    summary:
      'Reachability probe of the OAuth redirect target (Withings sends one when the callback URL is registered): 200 for an OAuth provider, nothing is run',
    params: providerParams,
    doc: { errors: [400] },
    handle: async ({ params }) => {
      if (!isIntegrated(params.provider) || !PROVIDER_INFO[params.provider].oauth) {
        throw badRequest(`Provider '${params.provider}' does not support OAuth`);
      }
      return new Reply(200);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/oauth/success',
    auth: 'NONE',
    tag,
    summary: 'Default landing page after a successful connect',
    query: z.object({ provider: cappedString(CAP.id), user_id: cappedString(CAP.id) }),
    response: z
      .object({ success: z.literal(true), message: z.string(), user_id: z.string(), provider: z.string() })
      .meta({ id: 'ConnectSuccess' }),
    handle: async ({ query }) => ({
      success: true,
      message: `Successfully connected to ${query.provider}`,
      user_id: query.user_id,
      provider: query.provider,
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/oauth/error',
    auth: 'NONE',
    tag,
    summary: 'Default landing page after a failed connect',
    query: z.object({ message: cappedString(CAP.text).default('OAuth authentication failed') }),
    response: z.object({ success: z.literal(false), message: z.string() }).meta({ id: 'ConnectFailure' }),
    handle: async ({ query }) => ({ success: false, message: query.message }),
  }),
  ...webhookSubscriptionRoutes,
];
