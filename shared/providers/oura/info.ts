import { cloud } from '#shared/providers/info.js';

/** The registry entry of oura (shared/providers/registry.ts). */
export const ouraInfo = cloud(
  'Oura',
  {
    authorizeUrl: 'https://cloud.ouraring.com/oauth/authorize',
    tokenUrl: 'https://api.ouraring.com/oauth/token',
    clientAuth: 'body',
    pkce: false,
    defaultScope: 'personal daily activity heartrate workout session spo2 ring_configuration heart_health',
  },
  'https://api.ouraring.com',
  { restPull: true, webhookPing: true },
  365,
);
