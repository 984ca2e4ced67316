import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { ProviderGet, ProviderIdentity } from '#shared/providers/types.js';
import { idText } from '#shared/providers/values.js';

/**
 * The Garmin account behind a token (providers.md 3.6): `GET /partner-gateway/rest/user/id` -> `{"userId"}`, and
 * the permissions the user granted, `GET /partner-gateway/rest/user/permissions` -> `{"permissions": [...]}`,
 * which are the connection's scope (sorted, space-joined). Garmin has no user name to show.
 */

export const USER_ID_PATH = '/partner-gateway/rest/user/id';
export const PERMISSIONS_PATH = '/partner-gateway/rest/user/permissions';

/** The identity plus the connection scope read from the permissions (null when they could not be read). */
interface GarminIdentity extends ProviderIdentity {
  scope: string | null;
}

/** A `permissions` list as a scope: the distinct non-blank strings, sorted, space-joined; null if not a list. */
function permissionsScope(permissions: unknown): string | null {
  if (!Array.isArray(permissions)) return null;
  const names = permissions.filter((p): p is string => typeof p === 'string').map((p) => p.trim());
  return [...new Set(names.filter(Boolean))].sort().join(' ');
}

/**
 * The granted permissions as a scope, read from Garmin with the user's token (never from a push body, which anyone
 * knowing the webhook URL and our client id could forge); null when the answer has no `permissions` list.
 */
export async function garminPermissionsScope(get: ProviderGet): Promise<string | null> {
  const body = await get(PERMISSIONS_PATH);
  return isObject(body) ? permissionsScope(body.permissions) : null;
}

/**
 * The Garmin user id (required: pushes are routed by it) and, best effort, the permissions as `scope`: a failing
 * permissions lookup leaves the scope null rather than losing the id.
 */
export async function garminIdentity(get: ProviderGet): Promise<GarminIdentity> {
  const body = await get(USER_ID_PATH);
  const userId = isObject(body) ? idText(body.userId) : null;
  if (userId === null)
    throw new ProviderRequestError(200, `unexpected user id body: ${JSON.stringify(body).slice(0, 300)}`);
  let scope: string | null = null;
  try {
    scope = await garminPermissionsScope(get);
  } catch {
    // The id is what the connection cannot do without; the scope is refreshed by `userPermissionsChange` pushes.
  }
  return { providerUserId: userId, providerUsername: null, scope };
}
