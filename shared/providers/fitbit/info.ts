import { cloud, type ProviderInfo } from '#shared/providers/info.js';

/**
 * The registry entry of fitbit (shared/providers/registry.ts). Google shut the Fitbit Web API down on 2026-11-02:
 * new connections are refused unless FITBIT_SUNSET=false (shared/oauth/flow.ts), and a connection the API answers
 * 410 Gone is revoked (shared/sync/run-handover.ts). Fitbit devices reach us through the Google Health API.
 */
export const fitbitInfo: ProviderInfo = {
  ...cloud(
    'Fitbit',
    {
      authorizeUrl: 'https://www.fitbit.com/oauth2/authorize',
      tokenUrl: 'https://api.fitbit.com/oauth2/token',
      clientAuth: 'basic',
      pkce: true,
      defaultScope: 'activity heartrate sleep profile',
    },
    'https://api.fitbit.com',
    { restPull: true },
  ),
  deprecation: {
    message:
      'Google shut the Fitbit Web API down on 2026-11-02; connect Fitbit devices through the Google Health API (provider google_health)',
    replacedBy: 'google_health',
  },
};
