import { cloud } from '#shared/providers/info.js';

/**
 * The registry entry of sensorbio (shared/providers/registry.ts). Authorize at `auth.sensorbio.com/authorize`,
 * next to the token endpoint: the URL the reference uses and the one SensorBio's own client documentation names
 * (providers.md 3.6 also cites `api.sensorbio.com/oauth/authorize` from the reference's docs, found nowhere
 * else). No scope is sent: SensorBio defines none. The callback is the standard
 * `/api/v1/oauth/sensorbio/callback` (the reference's `/oauth/callback/sensorbio` matched no route).
 */
export const sensorbioInfo = cloud(
  'Sensor Bio',
  {
    authorizeUrl: 'https://auth.sensorbio.com/authorize',
    tokenUrl: 'https://auth.sensorbio.com/token',
    clientAuth: 'body',
    pkce: false,
    defaultScope: '',
  },
  'https://api.sensorbio.com',
  { restPull: true },
  365,
);
