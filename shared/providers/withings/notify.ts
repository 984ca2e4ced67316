import { logger } from '#shared/observability.js';
import { ProviderRequestError, RateLimitedError, TransientProviderError } from '#shared/providers/http.js';
import type { ConnectionContext, WebhookSettings } from '#shared/providers/types.js';
import { withingsCall } from '#shared/providers/withings/status.js';

/**
 * Withings' Notify service: subscriptions are per user (made with the user's own token) and per category
 * (`appli`). Withings probes the callback with a HEAD before it accepts one (the ingress answers it). Our callback
 * carries the shared secret as `?token=`: Withings signs nothing, and this is what the webhook checks.
 */

export const NOTIFY_PATH = '/notify';
export const TOKEN_SETTING = 'WITHINGS_WEBHOOK_TOKEN';

/** The categories subscribed to, and what each one is about. */
export const APPLI = {
  weight: 1,
  temperature: 2,
  heart: 4,
  activity: 16,
  sleep: 44,
  user: 46,
} as const;

export const SUBSCRIBED_APPLIS: readonly number[] = Object.values(APPLI);

/** Withings' "no such subscription": an unsubscribe with nothing to remove. */
const NOTHING_SUBSCRIBED = [286, 294];

/** `<webhookUrl>?token=<secret>`; null when no secret is configured (then nothing is subscribed). */
export function callbackUrl(webhookUrl: string, settings: WebhookSettings): string | null {
  const token = settings(TOKEN_SETTING);
  if (!token) return null;
  const url = new URL(webhookUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * At connect: one subscription per category. A callback Withings refuses (its HEAD probe failed) fails the
 * connect: the operator has to fix the URL. Without `WITHINGS_WEBHOOK_TOKEN` (notifications could not be
 * verified), or when Withings is busy or rate limited, the connection is made anyway and lives on the scheduled
 * pull; a warning says so.
 */
export async function subscribe(context: ConnectionContext): Promise<void> {
  const callbackurl = callbackUrl(context.webhookUrl, context.settings);
  if (!callbackurl) {
    logger.warn(
      `${TOKEN_SETTING} is not set: Withings notifications not subscribed, the pull keeps data current`,
    );
    return;
  }
  for (const appli of SUBSCRIBED_APPLIS) {
    try {
      await withingsCall(context.get, NOTIFY_PATH, 'subscribe', {
        callbackurl,
        appli,
        comment: 'Open Wearables',
      });
    } catch (error) {
      if (!(error instanceof RateLimitedError || error instanceof TransientProviderError)) throw error;
      logger.warn('Withings notifications not subscribed now: the pull keeps data current', {
        appli,
        error: error.name,
      });
      return;
    }
  }
}

/** At an API disconnect: every category unsubscribed; one that was not subscribed is no failure. */
export async function unsubscribe(context: ConnectionContext): Promise<void> {
  const callbackurl = callbackUrl(context.webhookUrl, context.settings);
  if (!callbackurl) return;
  for (const appli of SUBSCRIBED_APPLIS) {
    try {
      await withingsCall(context.get, NOTIFY_PATH, 'revoke', { callbackurl, appli });
    } catch (error) {
      if (!(error instanceof ProviderRequestError && NOTHING_SUBSCRIBED.includes(error.status))) throw error;
    }
  }
}
