import { cloud } from '#shared/providers/info.js';

/** The registry entry of whoop (shared/providers/registry.ts). */
export const whoopInfo = cloud(
  'Whoop',
  {
    authorizeUrl: 'https://api.prod.whoop.com/oauth/oauth2/auth',
    tokenUrl: 'https://api.prod.whoop.com/oauth/oauth2/token',
    clientAuth: 'body',
    pkce: false,
    defaultScope:
      'offline read:cycles read:sleep read:recovery read:workout read:body_measurement read:profile',
  },
  'https://api.prod.whoop.com/developer',
  { restPull: true, webhookPing: true },
  365,
);
