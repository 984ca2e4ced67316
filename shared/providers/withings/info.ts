import { cloud } from '#shared/providers/info.js';
import {
  AUTHENTICATION_FAILED,
  INVALID_PARAMS,
  SERVER_SIDE,
  TOO_MANY_REQUESTS,
} from '#shared/providers/withings/status.js';

/**
 * The registry entry of withings (shared/providers/registry.ts). The token endpoint is Withings' own: every
 * request carries `action=requesttoken` and the answer is a `{status, body}` envelope. A code or refresh token it
 * no longer takes is answered with an "invalid params" status (503 in practice) or an authentication failure: a
 * refused grant; its timeouts, rate limit and "an error occurred" statuses are outages.
 */
export const withingsInfo = cloud(
  'Withings',
  {
    authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
    tokenUrl: 'https://wbsapi.withings.net/v2/oauth2',
    clientAuth: 'body',
    pkce: false,
    defaultScope: 'user.info,user.metrics,user.activity,user.sleepevents',
    tokenFields: { action: 'requesttoken' },
    tokenEnvelope: {
      refused: [...AUTHENTICATION_FAILED, ...INVALID_PARAMS],
      unavailable: [...SERVER_SIDE, [TOO_MANY_REQUESTS, TOO_MANY_REQUESTS]],
    },
  },
  'https://wbsapi.withings.net',
  { restPull: true, webhookPing: true },
  365,
);
