import { cloud } from '#shared/providers/info.js';

/** The registry entry of withings (shared/providers/registry.ts). */
export const withingsInfo = cloud(
  'Withings',
  {
    authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
    tokenUrl: 'https://wbsapi.withings.net/v2/oauth2',
    clientAuth: 'body',
    pkce: false,
    defaultScope: 'user.info,user.metrics,user.activity,user.sleepevents',
  },
  'https://wbsapi.withings.net',
  { restPull: true, webhookPing: true },
  365,
);
