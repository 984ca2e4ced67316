import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

export interface OpenWearablesClientOptions {
  /** The API origin, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com` or the sandbox URL. */
  baseUrl: string;
  /** A developer access token from `POST /api/v1/auth/login` (sent as `Authorization: Bearer`). */
  token?: string;
  /** An API key (sent as `X-Open-Wearables-API-Key`); used when no token is given. */
  apiKey?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
}

export type OpenWearablesClient = Client<paths>;

/** A fetch client typed by the OpenAPI document: paths, parameters, bodies and responses are checked. */
export function createOpenWearablesClient(options: OpenWearablesClientOptions): OpenWearablesClient {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  else if (options.apiKey) headers['X-Open-Wearables-API-Key'] = options.apiKey;
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** The text of an error body: the API's `detail`, or API Gateway's `message` (throttled, body too large). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const { detail, message } = error as { detail?: unknown; message?: unknown };
    if (typeof detail === 'string') return detail;
    if (typeof message === 'string') return message;
  }
  return String(error);
}
