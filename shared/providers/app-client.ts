import { providerFetch } from '#shared/providers/http.js';
import type { AppRequest } from '#shared/providers/webhook-types.js';

/**
 * An app-level request (client credentials in the query, form or headers, as the provider's subscription API wants them)
 * against the provider's API base. Errors are classified as in http.ts; a bodiless success is `null`.
 */
export function appRequest(apiBaseUrl: string): AppRequest {
  const base = apiBaseUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  return async (method, pathOrUrl, options = {}) => {
    const url = new URL(/^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${base}${pathOrUrl}`);
    if (url.origin !== origin) throw new Error(`refused to send app credentials to ${url.origin}`);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
    const payload = options.form
      ? { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(options.form).toString() }
      : options.json !== undefined
        ? { type: 'application/json', text: JSON.stringify(options.json) }
        : undefined;
    const response = await providerFetch(url.toString(), {
      method,
      headers: {
        ...options.headers,
        accept: 'application/json',
        ...(payload ? { 'content-type': payload.type } : {}),
      },
      ...(payload ? { body: payload.text } : {}),
    });
    const text = await response.text();
    let body: unknown = null;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: response.status, body };
  };
}
