import type { paths } from '@open-wearables/client';
import { api, call } from '../api';
import { href } from '../router';

/** A provider slug, as the API's path parameters type it. */
export type Provider = paths['/api/v1/oauth/{provider}/authorize']['get']['parameters']['path']['provider'];

/**
 * Sends the browser to the provider's consent page for this user (GET /oauth/{provider}/authorize); after the
 * callback, the API redirects the browser back to the user's page here.
 */
export async function startConnect(provider: string, userId: string): Promise<void> {
  const redirectUri = `${location.origin}${location.pathname}${href('users', userId)}`;
  const answer = await call(
    api().GET('/api/v1/oauth/{provider}/authorize', {
      params: {
        path: { provider: provider as Provider },
        query: { user_id: userId, redirect_uri: redirectUri },
      },
    }),
  );
  location.assign(answer.authorization_url);
}
