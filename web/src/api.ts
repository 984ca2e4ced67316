import { createOpenWearablesClient, type OpenWearablesClient } from '@open-wearables/client';
import { currentToken, signOut } from './session';

/** `/config.json`, written next to the app by whoever serves it (the sandbox, or the stack at deploy). */
export interface DashboardConfig {
  apiBaseUrl: string;
  demo: boolean;
}

let config: DashboardConfig = { apiBaseUrl: location.origin, demo: false };

export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const loaded = (await response.json()) as Partial<DashboardConfig>;
  config = {
    apiBaseUrl: (loaded.apiBaseUrl || location.origin).replace(/\/+$/, ''),
    demo: loaded.demo === true,
  };
  return config;
}

export const dashboardConfig = () => config;

/** An API failure, with the API's `detail` text as its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

let cached: { token: string | null; client: OpenWearablesClient } | undefined;

/** The typed client, with the signed-in developer's token. */
export function api(): OpenWearablesClient {
  const token = currentToken();
  if (cached?.token !== token) {
    cached = {
      token,
      client: createOpenWearablesClient({ baseUrl: config.apiBaseUrl, token: token ?? undefined }),
    };
  }
  return cached.client;
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** The API's `{ detail }`; API Gateway's own answers (throttling, timeouts) say `{ message }`. */
const detailOf = (error: unknown): string | undefined => {
  const { detail, message } = (error ?? {}) as { detail?: unknown; message?: unknown };
  if (typeof detail === 'string') return detail;
  return typeof message === 'string' ? message : undefined;
};

/**
 * The data of a client call, or an ApiError with the API's `detail`. A 401 while signed in means the token expired
 * (or the password changed): the session ends and the app returns to the sign-in page.
 */
export async function call<T>(pending: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await pending;
  } catch (error) {
    throw new ApiError(0, `The API could not be reached: ${(error as Error).message}`);
  }
  const { response } = outcome;
  if (response.ok) return outcome.data as T;
  const detail = detailOf(outcome.error) ?? `${response.status} ${response.statusText}`.trim();
  if (response.status === 401 && currentToken())
    signOut(`Your session has ended (${detail}). Sign in again.`);
  throw new ApiError(response.status, detail);
}
