import { orNoData, ProviderRequestError } from '#shared/providers/http.js';
import { PATHS } from '#shared/providers/polar/pull.js';
import type { ConnectionContext, ProviderIdentity, TokenSet } from '#shared/providers/types.js';
import { idText } from '#shared/providers/values.js';

/**
 * Polar's account and registration (providers.md 3.6, 4.2). The Polar user id comes with the token response
 * (`x_user_id`); nothing else identifies the account without a registration. AccessLink serves a user's data only
 * once the user is registered with our client, so a connect registers (`POST /v3/users`, our user id as
 * `member-id`; 409 = registered before, fine) and a disconnect deregisters (`DELETE /v3/users/{x_user_id}`).
 */

export async function polarIdentity(_get: unknown, tokens: TokenSet): Promise<ProviderIdentity> {
  return { providerUserId: idText(tokens.extras.x_user_id), providerUsername: null };
}

export async function registerUser(context: ConnectionContext): Promise<void> {
  try {
    await context.get(PATHS.users, {}, { method: 'POST', json: { 'member-id': context.userId } });
  } catch (error) {
    if (!(error instanceof ProviderRequestError && error.status === 409)) throw error;
  }
}

export async function deregisterUser(context: ConnectionContext): Promise<void> {
  const id = context.providerUserId ?? idText(context.tokens.extras.x_user_id);
  if (id === null || !/^\d+$/.test(id)) return;
  // 404: already gone at Polar, nothing left to undo.
  await orNoData(context.get(PATHS.user(id), {}, { method: 'DELETE' }));
}
