import * as z from 'zod/mini';
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
      .check(
        z.describe(
          'Its client credentials (cloud) are set, whatever the admin toggle; always true for SDK providers',
        ),
      ),
    icon_url: z.string(),
    live_sync_mode: z.nullable(z.enum(['pull', 'webhook'])),
    live_sync_configurable: z.boolean(),
    data_granularity: z.nullable(z.enum(DATA_GRANULARITIES)),
    deprecated: z
      .boolean()
      .check(z.describe('The provider is being retired (its API shut down): connect its successor')),
    deprecation_message: z.nullable(z.string()).check(z.describe('Why, and where its users go instead')),
    replaced_by: z
      .nullable(z.string())
      .check(z.describe('The provider slug that replaces it (fitbit: google_health)')),
  })
  .check(z.meta({ id: 'ProviderSetting' }));
const providerSettingList = z.array(providerSettingRead).check(z.meta({ id: 'ProviderSettingList' }));

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
    body: z._default(
      z.object({
        is_enabled: z.nullish(z.boolean()),
        // Present means not null (contract 4.4); absent leaves it unchanged.
        live_sync_mode: z.optional(z.enum(['pull', 'webhook'])),
        data_granularity: z.nullish(z.enum(DATA_GRANULARITIES)),
      }),
      {},
    ),
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
    query: z.object({ user_id: uuid(), redirect_uri: z.optional(z.string().check(z.maxLength(2048))) }),
    response: z
      .object({ authorization_url: z.string(), state: z.string() })
      .check(z.meta({ id: 'AuthorizationUrl' })),
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
      code: z.optional(cappedString(CAP.token)),
      state: z.optional(cappedString(CAP.id)),
      error: z.optional(cappedString(CAP.name)),
      error_description: z.optional(cappedString(CAP.text)),
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
      .check(z.meta({ id: 'ConnectSuccess' })),
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
    query: z.object({ message: z._default(cappedString(CAP.text), 'OAuth authentication failed') }),
    response: z
      .object({ success: z.literal(false), message: z.string() })
      .check(z.meta({ id: 'ConnectFailure' })),
    handle: async ({ query }) => ({ success: false, message: query.message }),
  }),
  ...webhookSubscriptionRoutes,
];
