import { cloud } from '#shared/providers/info.js';

/** The registry entry of strava (shared/providers/registry.ts). */
export const stravaInfo = cloud(
  'Strava',
  {
    authorizeUrl: 'https://www.strava.com/oauth/authorize',
    tokenUrl: 'https://www.strava.com/oauth/token',
    clientAuth: 'body',
    pkce: false,
    defaultScope: 'activity:read_all,profile:read_all',
  },
  'https://www.strava.com/api/v3',
  { restPull: true, webhookPing: true },
);
