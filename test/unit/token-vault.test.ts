import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv, resetEnvCache } from '#shared/config/env.js';
import {
  createTokenVault,
  decryptTokens,
  encryptTokens,
  KMS_ENCRYPTION_CONTEXT,
  type KmsClientLike,
  kmsKeyProvider,
  localKeyProvider,
  resetTokenVault,
  TokenVaultError,
  tokenVaultEnvSchema,
} from '#shared/crypto/token-vault.js';
import type { TokenSet } from '#shared/providers/types.js';

const tokens: TokenSet = {
  accessToken: 'at_secret_access_token_value',
  refreshToken: 'rt_secret_refresh_token_value',
  expiresAt: 1_767_225_600_000,
  scope: 'activity heartrate',
  extras: { token_type: 'Bearer', user_id: 'FB-1' },
};

/** The connection every blob of these tests belongs to. */
const A = { userId: 'user-a', provider: 'fitbit' };

/** Every single-character change of the blob: the next base64url character (or a different separator). */
function* tampered(blob: string): Generator<string> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  for (let i = 0; i < blob.length; i++) {
    const at = alphabet.indexOf(blob[i]!);
    const replacement = alphabet[(at + 1) % alphabet.length]!;
    yield `${blob.slice(0, i)}${replacement}${blob.slice(i + 1)}`;
  }
}

/** A fake KMS: GenerateDataKey wraps a random key with its own master key; Decrypt checks the context. */
function fakeKms() {
  const master = localKeyProvider(randomBytes(32));
  const calls = { generate: 0, decrypt: 0 };
  const client: KmsClientLike = {
    async send(command: unknown) {
      if (command instanceof GenerateDataKeyCommand) {
        calls.generate++;
        const { purpose, ...bound } = command.input.EncryptionContext ?? {};
        expect(command.input).toMatchObject({ KeyId: 'alias/ow-tokens', KeySpec: 'AES_256' });
        expect(purpose).toBe(KMS_ENCRYPTION_CONTEXT.purpose);
        // Real KMS binds the ciphertext to its whole context; the fake binds it through its own local key.
        const { plaintext, wrapped } = await master.newDataKey(bound as Record<string, string>);
        return { Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(wrapped) };
      }
      if (command instanceof DecryptCommand) {
        calls.decrypt++;
        const { purpose, ...bound } = command.input.EncryptionContext ?? {};
        if (purpose !== 'provider-tokens') {
          throw Object.assign(new Error('context mismatch'), { name: 'InvalidCiphertextException' });
        }
        try {
          const key = await master.unwrap(
            Buffer.from(command.input.CiphertextBlob!),
            bound as Record<string, string>,
          );
          return { Plaintext: new Uint8Array(key) };
        } catch {
          throw Object.assign(new Error('bad ciphertext'), { name: 'InvalidCiphertextException' });
        }
      }
      throw new Error('unexpected command');
    },
  };
  return { client, calls };
}

describe('token vault (local key)', () => {
  const vault = createTokenVault(localKeyProvider(randomBytes(32)));

  it('round-trips a token set', async () => {
    const blob = await vault.encrypt(tokens, A);
    expect(await vault.decrypt(blob, A)).toEqual(tokens);
  });

  it('is one self-describing string, never containing the tokens', async () => {
    const blob = await vault.encrypt(tokens, A);
    expect(blob.split('.')).toHaveLength(6);
    expect(blob.startsWith('tv2.local.')).toBe(true);
    expect(blob).not.toContain(tokens.accessToken);
    expect(blob).not.toContain('secret');
  });

  it('uses a fresh data key and IV every time', async () => {
    const [a, b] = [await vault.encrypt(tokens, A), await vault.encrypt(tokens, A)];
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(a.split('.')[3]).not.toBe(b.split('.')[3]);
  });

  it('rejects every single-character change of the blob', async () => {
    const blob = await vault.encrypt(tokens, A);
    let checked = 0;
    for (const changed of tampered(blob)) {
      await expect(vault.decrypt(changed, A), `position ${checked}`).rejects.toThrow();
      checked++;
    }
    expect(checked).toBe(blob.length);
  });

  it('rejects every flipped bit of the binary fields', async () => {
    const blob = await vault.encrypt(tokens, A);
    const parts = blob.split('.');
    for (const field of [2, 3, 4, 5]) {
      const bytes = Buffer.from(parts[field]!, 'base64url');
      for (let i = 0; i < bytes.length; i++) {
        const copy = Buffer.from(bytes);
        copy[i]! ^= 0x01;
        const changed = parts.map((p, j) => (j === field ? copy.toString('base64url') : p)).join('.');
        await expect(vault.decrypt(changed, A)).rejects.toBeInstanceOf(TokenVaultError);
      }
    }
  });

  it('rejects truncated and extended blobs', async () => {
    const blob = await vault.encrypt(tokens, A);
    await expect(vault.decrypt(blob.slice(0, -4), A)).rejects.toThrow(TokenVaultError);
    await expect(vault.decrypt(`${blob}AAAA`, A)).rejects.toThrow(TokenVaultError);
    await expect(vault.decrypt(`${blob}.x`, A)).rejects.toThrow(TokenVaultError);
    await expect(vault.decrypt('', A)).rejects.toThrow(TokenVaultError);
  });

  it('a different key cannot decrypt', async () => {
    const blob = await vault.encrypt(tokens, A);
    const other = createTokenVault(localKeyProvider(randomBytes(32)));
    await expect(other.decrypt(blob, A)).rejects.toThrow(TokenVaultError);
  });

  it('errors never carry token material', async () => {
    const blob = await vault.encrypt(tokens, A);
    const other = createTokenVault(localKeyProvider(randomBytes(32)));
    const error = await other.decrypt(blob, A).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain(blob.split('.')[5]!);
  });

  it('refuses a blob sealed by another key provider kind', async () => {
    const kms = fakeKms();
    const kmsBlob = await createTokenVault(
      kmsKeyProvider({ keyId: 'alias/ow-tokens', client: kms.client }),
    ).encrypt(tokens, A);
    await expect(vault.decrypt(kmsBlob, A)).rejects.toThrow(/kms/);
  });
});

describe('token vault (KMS)', () => {
  it('round-trips through GenerateDataKey and Decrypt with the encryption context', async () => {
    const kms = fakeKms();
    const blob = await createTokenVault(
      kmsKeyProvider({ keyId: 'alias/ow-tokens', client: kms.client }),
    ).encrypt(tokens, A);
    expect(blob.startsWith('tv2.kms.')).toBe(true);
    // A fresh process (no cache) decrypts through KMS.
    const reader = createTokenVault(kmsKeyProvider({ keyId: 'alias/ow-tokens', client: kms.client }));
    expect(await reader.decrypt(blob, A)).toEqual(tokens);
    expect(kms.calls).toEqual({ generate: 1, decrypt: 1 });
  });

  it('caches decrypted data keys for a few minutes, by ciphertext', async () => {
    const kms = fakeKms();
    let now = 1_000_000;
    const writer = createTokenVault(kmsKeyProvider({ keyId: 'alias/ow-tokens', client: kms.client }));
    const blob = await writer.encrypt(tokens, A);
    const reader = createTokenVault(
      kmsKeyProvider({ keyId: 'alias/ow-tokens', client: kms.client, cacheMs: 300_000, now: () => now }),
    );
    await reader.decrypt(blob, A);
    await reader.decrypt(blob, A);
    now += 299_000;
    await reader.decrypt(blob, A);
    expect(kms.calls.decrypt).toBe(1);
    now += 2_000;
    await reader.decrypt(blob, A);
    expect(kms.calls.decrypt).toBe(2);
  });

  it('a data key from another KMS key (or a tampered wrapped key) fails', async () => {
    const blob = await createTokenVault(
      kmsKeyProvider({ keyId: 'alias/ow-tokens', client: fakeKms().client }),
    ).encrypt(tokens, A);
    const otherKms = createTokenVault(kmsKeyProvider({ keyId: 'alias/ow-tokens', client: fakeKms().client }));
    await expect(otherKms.decrypt(blob, A)).rejects.toThrow(TokenVaultError);
  });

  it('throttling and outages are not turned into vault errors (they stay retryable)', async () => {
    const kms = fakeKms();
    const blob = await createTokenVault(
      kmsKeyProvider({ keyId: 'alias/ow-tokens', client: kms.client }),
    ).encrypt(tokens, A);
    const throttled = createTokenVault(
      kmsKeyProvider({
        keyId: 'alias/ow-tokens',
        client: {
          send: async () => {
            throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
          },
        },
      }),
    );
    const error = await throttled.decrypt(blob, A).catch((e: Error) => e);
    expect((error as Error).name).toBe('ThrottlingException');
  });
});

describe('token vault environment', () => {
  const key = randomBytes(32).toString('base64');

  afterEach(() => {
    delete process.env.TOKEN_ENCRYPTION_KEY;
    delete process.env.TOKEN_KMS_KEY_ID;
    resetEnvCache();
    resetTokenVault();
  });

  it('needs exactly one of TOKEN_KMS_KEY_ID and TOKEN_ENCRYPTION_KEY', () => {
    expect(() => parseEnv(tokenVaultEnvSchema, {})).toThrow(/exactly one/);
    expect(() => parseEnv(tokenVaultEnvSchema, { TOKEN_KMS_KEY_ID: 'k', TOKEN_ENCRYPTION_KEY: key })).toThrow(
      /exactly one/,
    );
    expect(parseEnv(tokenVaultEnvSchema, { TOKEN_KMS_KEY_ID: 'alias/x' }).TOKEN_KMS_KEY_ID).toBe('alias/x');
    expect(parseEnv(tokenVaultEnvSchema, { TOKEN_ENCRYPTION_KEY: key }).TOKEN_ENCRYPTION_KEY).toBe(key);
  });

  it('the local key must be 32 bytes of base64', () => {
    expect(() =>
      parseEnv(tokenVaultEnvSchema, { TOKEN_ENCRYPTION_KEY: randomBytes(16).toString('base64') }),
    ).toThrow(/32 bytes/);
  });

  it('encryptTokens / decryptTokens use the configured local key', async () => {
    process.env.TOKEN_ENCRYPTION_KEY = key;
    resetEnvCache();
    resetTokenVault();
    const blob = await encryptTokens(tokens, A);
    expect(await decryptTokens(blob, A)).toEqual(tokens);
    // Another deployment key cannot read it.
    process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('base64');
    resetEnvCache();
    resetTokenVault();
    await expect(decryptTokens(blob, A)).rejects.toThrow(TokenVaultError);
  });
});
