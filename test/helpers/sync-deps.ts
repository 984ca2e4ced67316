import type { FreshTokens } from '#shared/oauth/fresh-token.js';
import type { Connection } from '#shared/store/connections.js';

/** The sync worker's `tokens` for tests whose provider is in-process: the connection as it is, a token valid an hour. */
export const staticTokens = async (connection: Connection): Promise<FreshTokens> => ({
  connection,
  tokens: {
    accessToken: 'at',
    refreshToken: 'rt',
    expiresAt: Date.now() + 3_600_000,
    scope: null,
    extras: {},
  },
});
