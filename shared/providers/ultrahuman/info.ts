import { cloud } from '#shared/providers/info.js';

/** The registry entry of ultrahuman (shared/providers/registry.ts). */
export const ultrahumanInfo = cloud(
  'Ultrahuman',
  {
    authorizeUrl: 'https://auth.ultrahuman.com/authorise',
    tokenUrl: 'https://partner.ultrahuman.com/api/partners/oauth/token',
    clientAuth: 'body',
    pkce: false,
    defaultScope: 'ring_data cgm_data profile',
  },
  'https://partner.ultrahuman.com/api/partners/v1',
  { restPull: true },
);
