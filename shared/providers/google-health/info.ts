import { cloud } from '#shared/providers/info.js';

/** The registry entry of google_health (shared/providers/registry.ts). */
export const googleHealthInfo = cloud(
  'Google Health',
  {
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    clientAuth: 'body',
    pkce: false,
    defaultScope:
      'openid email https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly https://www.googleapis.com/auth/googlehealth.nutrition.readonly https://www.googleapis.com/auth/googlehealth.sleep.readonly https://www.googleapis.com/auth/googlehealth.settings.readonly',
  },
  'https://health.googleapis.com',
  { restPull: true, webhookPing: true },
  365,
);
