import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTokenVault,
  type KmsClientLike,
  kmsKeyProvider,
  localKeyProvider,
  TokenVaultError,
} from '#shared/crypto/token-vault.js';
import type { TokenSet } from '#shared/providers/types.js';
import { inMemoryKms } from '#test/fakes/kms.js';

/**
 * Review finding 13: provider-token ciphertext was not bound to its connection, so a blob copied onto another
 * user's (or provider's) connection decrypted there. Now user and provider are AES-GCM additional data and the
 * KMS encryption context.
 */

const tokens: TokenSet = { accessToken: 'at', refreshToken: 'rt', expiresAt: 1, scope: null, extras: {} };
const ALICE_FITBIT = { userId: 'alice', provider: 'fitbit' };
const MOVED = [
  ['another user', { userId: 'mallory', provider: 'fitbit' }],
  ['another provider', { userId: 'alice', provider: 'oura' }],
] as const;

describe('a sealed token set only opens on its own connection', () => {
  const vault = createTokenVault(localKeyProvider(randomBytes(32)));

  it.each(MOVED)('local key: a blob moved to %s fails', async (_name, other) => {
    const blob = await vault.encrypt(tokens, ALICE_FITBIT);
    expect(await vault.decrypt(blob, ALICE_FITBIT)).toEqual(tokens);
    await expect(vault.decrypt(blob, other)).rejects.toBeInstanceOf(TokenVaultError);
  });

  it.each(
    MOVED,
  )('KMS: the connection is the encryption context; a blob moved to %s fails', async (_name, other) => {
    const { send, contexts } = inMemoryKms();
    const client = { send } as unknown as KmsClientLike;
    const kmsVault = createTokenVault(kmsKeyProvider({ keyId: 'k', client, cacheMs: 0 }));
    const blob = await kmsVault.encrypt(tokens, ALICE_FITBIT);
    expect(contexts[0]).toEqual({ purpose: 'provider-tokens', user_id: 'alice', provider: 'fitbit' });
    await expect(kmsVault.decrypt(blob, other)).rejects.toBeInstanceOf(TokenVaultError);
    expect(await kmsVault.decrypt(blob, ALICE_FITBIT)).toEqual(tokens);
  });

  it('blobs sealed before the binding (tv1) still open, so existing connections keep working', async () => {
    const master = randomBytes(32);
    const seal = (key: Buffer, data: Buffer, aad: string) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad));
      const out = Buffer.concat([cipher.update(data), cipher.final()]);
      return { iv, tag: cipher.getAuthTag(), out };
    };
    const dataKey = randomBytes(32);
    const wrapped = seal(master, dataKey, 'tv1:local:data-key');
    const body = seal(dataKey, Buffer.from(JSON.stringify(tokens)), 'tv1.local');
    const legacy = [
      'tv1',
      'local',
      Buffer.concat([wrapped.iv, wrapped.tag, wrapped.out]).toString('base64url'),
      body.iv.toString('base64url'),
      body.tag.toString('base64url'),
      body.out.toString('base64url'),
    ].join('.');
    expect(await createTokenVault(localKeyProvider(master)).decrypt(legacy, ALICE_FITBIT)).toEqual(tokens);
  });
});
