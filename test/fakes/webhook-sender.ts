/** How the provider fakes POST their webhooks and notifications, and sign them on request. */

/** How a fake signs a webhook: correctly, with another key, or not at all. */
export type Signing = 'valid' | 'wrong' | 'none';

/** The key to sign with: the secret, another one, or null for no signature. */
export const signingKey = (signing: Signing, secret: string): string | null =>
  signing === 'none' ? null : signing === 'valid' ? secret : `${secret}-wrong`;

export interface WebhookAnswer {
  /** 0 when nothing answered: no URL, a network failure or a timeout (then `error` says which). */
  status: number;
  body: string;
  latencyMs: number;
  error?: string;
}

/** POSTs `body` as JSON to `url`; never throws. */
export async function postWebhook(
  url: string | null,
  body: string,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<WebhookAnswer> {
  if (!url) return { status: 0, body: '', latencyMs: 0, error: 'no webhook URL configured' };
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    return { status: response.status, body: await response.text(), latencyMs: Date.now() - started };
  } catch (error) {
    return { status: 0, body: '', latencyMs: Date.now() - started, error: String(error) };
  }
}
