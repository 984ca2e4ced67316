import { cloud } from '#shared/providers/info.js';

/** The registry entry of garmin (shared/providers/registry.ts). */
export const garminInfo = cloud(
  'Garmin',
  {
    authorizeUrl: 'https://connect.garmin.com/oauth2Confirm',
    tokenUrl: 'https://diauth.garmin.com/di-oauth2-service/oauth/token',
    clientAuth: 'body',
    pkce: true,
    defaultScope: '',
  },
  'https://apis.garmin.com',
  { webhookStream: true, webhookCallback: true },
  // The reference stops at one 30-day window (providers.md 7, #8); we request 30-day windows back this far and
  // Garmin answers "min start time" for what it no longer keeps.
  365,
);
