import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  maskApiKey,
  newApiKey,
  newAppId,
  newAppSecret,
  newRefreshToken,
  sameDigest,
  sha256,
  verifyPassword,
} from '#shared/identity/credentials.js';
import { INVITATION_CODE_PATTERN, newInvitationCode } from '#shared/identity/invitation-codes.js';

describe('generated credentials', () => {
  it('use the reference formats', () => {
    expect(newApiKey()).toMatch(/^sk-[0-9a-f]{32}$/);
    expect(newAppId()).toMatch(/^app_[0-9a-f]{32}$/);
    expect(newAppSecret()).toMatch(/^secret_[0-9a-f]{64}$/);
    expect(newRefreshToken()).toMatch(/^rt-[0-9a-f]{32}$/);
    for (let i = 0; i < 200; i++) expect(newInvitationCode()).toMatch(INVITATION_CODE_PATTERN);
  });

  it('never repeat', () => {
    const keys = new Set(Array.from({ length: 1000 }, newApiKey));
    expect(keys.size).toBe(1000);
  });

  it('mask an API key to a prefix that hides most of it', () => {
    const key = newApiKey();
    const masked = maskApiKey(key);
    expect(masked.startsWith(key.slice(0, 11))).toBe(true);
    expect(masked).not.toContain(key.slice(11));
  });
});

describe('password hashing', () => {
  it('verifies the right password and rejects others', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });
});

describe('digests', () => {
  it('compare in constant time and only equal digests match', () => {
    expect(sameDigest(sha256('a'), sha256('a'))).toBe(true);
    expect(sameDigest(sha256('a'), sha256('b'))).toBe(false);
    expect(sameDigest(sha256('a'), 'abcd')).toBe(false);
  });
});
