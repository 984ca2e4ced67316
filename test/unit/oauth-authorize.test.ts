import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, callbackUrl, pkceChallenge, pkcePair } from '#shared/oauth/authorize.js';
import { PROVIDER_INFO, type ProviderConfig } from '#shared/providers/registry.js';

function config(
  provider: 'fitbit' | 'garmin' | 'strava' | 'google_health',
  overrides: Partial<ProviderConfig> = {},
) {
  const info = PROVIDER_INFO[provider];
  return {
    provider,
    info,
    clientId: 'client id/1',
    clientSecret: 'secret',
    scope: info.oauth!.defaultScope,
    authorizeUrl: info.oauth!.authorizeUrl,
    tokenUrl: info.oauth!.tokenUrl,
    apiBaseUrl: info.apiBaseUrl,
    configured: true,
    ...overrides,
  } satisfies ProviderConfig;
}

const redirectUri = 'https://api.example.com/api/v1/oauth/fitbit/callback?x=1&y=a b';

describe('authorize URL', () => {
  it('has the reference parameter order, every value percent-encoded', () => {
    const url = buildAuthorizeUrl(config('fitbit'), { redirectUri, state: 'st-_1', codeChallenge: 'abc-_' });
    const query = url.slice(url.indexOf('?') + 1);
    expect(query.split('&').map((p) => p.split('=')[0])).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'state',
      'code_challenge',
      'code_challenge_method',
      'scope',
    ]);
    expect(url.startsWith('https://www.fitbit.com/oauth2/authorize?response_type=code&')).toBe(true);
    // The reference left redirect_uri raw, which breaks on `&` and `?` inside it; here it is encoded.
    expect(query).toContain(
      'redirect_uri=https%3A%2F%2Fapi.example.com%2Fapi%2Fv1%2Foauth%2Ffitbit%2Fcallback%3Fx%3D1%26y%3Da%20b',
    );
    expect(query).toContain('client_id=client%20id%2F1');
    expect(query).toContain('scope=activity%20heartrate%20sleep%20profile');
    expect(query).toContain('code_challenge=abc-_&code_challenge_method=S256');
    const parsed = new URL(url).searchParams;
    expect(parsed.get('redirect_uri')).toBe(redirectUri);
    expect(parsed.get('state')).toBe('st-_1');
  });

  it('omits the scope when it is empty (Garmin) and the challenge when there is none', () => {
    const url = buildAuthorizeUrl(config('garmin'), { redirectUri, state: 's' });
    expect(new URL(url).searchParams.has('scope')).toBe(false);
    expect(url).not.toContain('code_challenge');
    const blank = buildAuthorizeUrl(config('fitbit', { scope: '  ' }), { redirectUri, state: 's' });
    expect(blank).not.toContain('scope=');
  });

  it('encodes comma-separated scopes (Strava) and adds Google offline-access parameters', () => {
    expect(buildAuthorizeUrl(config('strava'), { redirectUri, state: 's' })).toContain(
      'scope=activity%3Aread_all%2Cprofile%3Aread_all',
    );
    const google = new URL(buildAuthorizeUrl(config('google_health'), { redirectUri, state: 's' }))
      .searchParams;
    expect(google.get('access_type')).toBe('offline');
    expect(google.get('prompt')).toBe('consent');
    expect(google.get('include_granted_scopes')).toBe('true');
  });

  it('keeps a query string already present in a configured authorize URL', () => {
    const url = buildAuthorizeUrl(config('fitbit', { authorizeUrl: 'http://127.0.0.1:9/auth?tenant=a' }), {
      redirectUri,
      state: 's',
    });
    expect(url.startsWith('http://127.0.0.1:9/auth?tenant=a&response_type=code&')).toBe(true);
  });

  it('derives the callback from API_BASE_URL', () => {
    expect(callbackUrl('fitbit')).toBe(`${process.env.API_BASE_URL}/api/v1/oauth/fitbit/callback`);
  });
});

describe('PKCE', () => {
  it('S256 matches the RFC 7636 appendix B example', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('verifiers are 43 random bytes, URL-safe, with a matching unpadded challenge', () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{58}$/);
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(pkcePair().verifier).not.toBe(verifier);
  });
});
