import { cloud } from '#shared/providers/info.js';

/** The registry entry of sensorbio (shared/providers/registry.ts). */
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
