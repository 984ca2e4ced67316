/** The `<P>_*` settings that point a provider at a fake server (tests, benchmarks and `npm start -- --demo`). */
export function fakeProviderEnv(
  prefix: string,
  fake: {
    clientId: string;
    clientSecret: string;
    authorizeUrl: string;
    tokenUrl: string;
    apiBaseUrl: string;
  },
): Record<string, string> {
  return {
    [`${prefix}_CLIENT_ID`]: fake.clientId,
    [`${prefix}_CLIENT_SECRET`]: fake.clientSecret,
    [`${prefix}_AUTHORIZE_URL`]: fake.authorizeUrl,
    [`${prefix}_TOKEN_URL`]: fake.tokenUrl,
    [`${prefix}_API_BASE_URL`]: fake.apiBaseUrl,
  };
}
