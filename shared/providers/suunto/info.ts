import { cloud } from '#shared/providers/info.js';

/** The registry entry of suunto (shared/providers/registry.ts). */
export const suuntoInfo = cloud(
  'Suunto',
  {
    authorizeUrl: 'https://cloudapi-oauth.suunto.com/oauth/authorize',
    tokenUrl: 'https://cloudapi-oauth.suunto.com/oauth/token',
    clientAuth: 'basic',
    pkce: false,
    defaultScope: '',
  },
  'https://cloudapi.suunto.com',
  { restPull: true, webhookStream: true },
  365,
);
