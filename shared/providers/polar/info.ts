import { cloud } from '#shared/providers/info.js';

/** The registry entry of polar (shared/providers/registry.ts). */
export const polarInfo = cloud(
  'Polar',
  {
    authorizeUrl: 'https://flow.polar.com/oauth2/authorization',
    tokenUrl: 'https://polarremote.com/v2/oauth2/token',
    clientAuth: 'basic',
    pkce: false,
    defaultScope: 'accesslink.read_all',
  },
  'https://www.polaraccesslink.com',
  { restPull: true, webhookPing: true },
  365,
);
