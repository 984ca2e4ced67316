import { cloud } from '#shared/providers/info.js';

/** The registry entry of fitbit (shared/providers/registry.ts). */
export const fitbitInfo = cloud(
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
);
