import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { env } from '#shared/config/env.js';
import type { TokenSet } from '#shared/providers/types.js';
import { traceClient } from '#tracer';

/**
 * Provider OAuth tokens are encrypted at rest (architecture.md 2) with envelope encryption: every encryption
 * draws a fresh 256-bit data key, seals the TokenSet JSON with AES-256-GCM under it, and stores the data key
 * wrapped by a key provider: AWS KMS (`TOKEN_KMS_KEY_ID`) on AWS, or a local 32-byte key
 * (`TOKEN_ENCRYPTION_KEY`, base64) in the sandbox and tests.
 *
 * The result is one self-describing string of six dot-separated fields:
 * `tv2.<provider kind>.<wrapped data key>.<iv>.<tag>.<ciphertext>` (binary fields base64url, unpadded).
 * The version, the kind and the connection the tokens belong to (user and provider) are authenticated as
 * additional data, and the connection is also the KMS encryption context of the data key: no field can be
 * altered, and no blob can be moved to another connection, without decryption failing. `tv1` blobs (sealed before
 * connections were bound) are still read; every token refresh re-seals as `tv2`. Nothing here ever logs or puts
 * token material into an error message.
 */

const VERSION = 'tv2';
const LEGACY_VERSION = 'tv1';

/** The connection a token set belongs to. */
export interface TokenBinding {
  userId: string;
  provider: string;
}

/** What a data key is bound to: nothing for legacy blobs, the connection for current ones. */
type KeyContext = Record<string, string>;

const contextOf = (binding: TokenBinding): KeyContext => ({
  user_id: binding.userId,
  provider: binding.provider,
});
const contextText = (context: KeyContext) =>
  Object.keys(context)
    .sort()
    .map((key) => `${key}=${context[key]}`)
    .join('&');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** KMS encryption context: a wrapped key of this vault cannot be decrypted for any other purpose. */
export const KMS_ENCRYPTION_CONTEXT = { purpose: 'provider-tokens' } as const;
const DATA_KEY_CACHE_MS = 5 * 60_000;
const DATA_KEY_CACHE_MAX = 1000;

const base64Key = z.string().check(
  z.refine((value) => Buffer.from(value, 'base64').length === KEY_BYTES, {
    message: `must be ${KEY_BYTES} bytes, base64-encoded`,
  }),
);

const vaultVariables = {
  /** KMS key id, ARN or alias that wraps the data keys (AWS). */
  TOKEN_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  /** 32 random bytes, base64 (sandbox and tests only; e.g. `openssl rand -base64 32`). */
  TOKEN_ENCRYPTION_KEY: z.optional(base64Key),
};

/** Exactly one key provider must be configured. */
export const exactlyOneVaultKey = (variables: { TOKEN_KMS_KEY_ID?: string; TOKEN_ENCRYPTION_KEY?: string }) =>
  Boolean(variables.TOKEN_KMS_KEY_ID) !== Boolean(variables.TOKEN_ENCRYPTION_KEY);

export const VAULT_KEY_MESSAGE = 'exactly one of TOKEN_KMS_KEY_ID and TOKEN_ENCRYPTION_KEY must be set';

/** The variables as a plain shape, to extend a function family's schema with (re-apply `exactlyOneVaultKey`). */
export const tokenVaultEnvShape = z.object(vaultVariables);

/** Env of any function that encrypts or decrypts provider tokens. */
export const tokenVaultEnvSchema = tokenVaultEnvShape.check(z.refine(exactlyOneVaultKey, VAULT_KEY_MESSAGE));

export class TokenVaultError extends Error {
  override name = 'TokenVaultError';
}

/** Wraps and unwraps data keys, bound to a context that unwrapping must present again. */
export interface KeyProvider {
  readonly kind: string;
  /** A fresh data key: its plaintext (used once, then dropped) and its wrapped form (stored). */
  newDataKey(context: KeyContext): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  unwrap(wrapped: Buffer, context: KeyContext): Promise<Buffer>;
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function open(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer): Buffer {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new TokenVaultError('malformed token blob');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new TokenVaultError('token blob failed authentication (tampered, or another key)');
  }
}

/** A local master key wraps each data key with AES-256-GCM: `iv || tag || wrapped key`. */
export function localKeyProvider(masterKey: Buffer): KeyProvider {
  if (masterKey.length !== KEY_BYTES) throw new TokenVaultError(`the local key must be ${KEY_BYTES} bytes`);
  const aadOf = (context: KeyContext) =>
    Buffer.from(
      Object.keys(context).length === 0
        ? `${LEGACY_VERSION}:local:data-key`
        : `${VERSION}:local:data-key:${contextText(context)}`,
    );
  return {
    kind: 'local',
    async newDataKey(context) {
      const plaintext = randomBytes(KEY_BYTES);
      const { iv, tag, ciphertext } = seal(masterKey, plaintext, aadOf(context));
      return { plaintext, wrapped: Buffer.concat([iv, tag, ciphertext]) };
    },
    async unwrap(wrapped, context) {
      const key = open(
        masterKey,
        wrapped.subarray(0, IV_BYTES),
        wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
        wrapped.subarray(IV_BYTES + TAG_BYTES),
        aadOf(context),
      );
      if (key.length !== KEY_BYTES) throw new TokenVaultError('malformed data key');
      return key;
    },
  };
}

/** The part of the KMS client the vault uses (tests inject a fake with the same shape). */
export interface KmsClientLike {
  send(command: unknown): Promise<unknown>;
}

export interface KmsKeyProviderOptions {
  keyId: string;
  /** Default: a `KMSClient` from `@aws-sdk/client-kms`, created on first use. */
  client?: KmsClientLike;
  /** How long a decrypted data key is kept, by its wrapped form (default 5 minutes). */
  cacheMs?: number;
  now?: () => number;
}

/**
 * KMS GenerateDataKey / Decrypt under the vault's encryption context. Decrypted data keys are cached for a few
 * minutes by their ciphertext, so a sync run that decrypts the same connection repeatedly calls KMS once.
 */
export function kmsKeyProvider(options: KmsKeyProviderOptions): KeyProvider {
  const cacheMs = options.cacheMs ?? DATA_KEY_CACHE_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { key: Buffer; until: number }>();
  let sdk: typeof import('@aws-sdk/client-kms') | undefined;
  let client = options.client;

  const kms = async () => {
    sdk ??= await import('@aws-sdk/client-kms');
    client ??= traceClient(new sdk.KMSClient({}));
    return { sdk, client };
  };

  const remember = (id: string, key: Buffer) => {
    if (cache.size >= DATA_KEY_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(id, { key, until: now() + cacheMs });
  };

  return {
    kind: 'kms',
    async newDataKey(context) {
      const { sdk, client } = await kms();
      const out = (await client.send(
        new sdk.GenerateDataKeyCommand({
          KeyId: options.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT, ...context },
        }),
      )) as { Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array };
      if (out.Plaintext?.length !== KEY_BYTES || !out.CiphertextBlob?.length) {
        throw new TokenVaultError('KMS returned no usable data key');
      }
      const plaintext = Buffer.from(out.Plaintext);
      const wrapped = Buffer.from(out.CiphertextBlob);
      remember(`${wrapped.toString('base64')}|${contextText(context)}`, plaintext);
      return { plaintext, wrapped };
    },
    async unwrap(wrapped, context) {
      const id = `${wrapped.toString('base64')}|${contextText(context)}`;
      const cached = cache.get(id);
      if (cached && cached.until > now()) return cached.key;
      cache.delete(id);
      const { sdk, client } = await kms();
      let out: { Plaintext?: Uint8Array };
      try {
        out = (await client.send(
          new sdk.DecryptCommand({
            KeyId: options.keyId,
            CiphertextBlob: wrapped,
            EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT, ...context },
          }),
        )) as { Plaintext?: Uint8Array };
      } catch (error) {
        const name = (error as { name?: string }).name ?? 'Error';
        // Throttling and outages stay retryable for the caller; a refused key is a vault error.
        if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') {
          throw new TokenVaultError(`KMS refused the data key (${name})`);
        }
        throw error;
      }
      if (out.Plaintext?.length !== KEY_BYTES) throw new TokenVaultError('KMS returned no usable data key');
      const key = Buffer.from(out.Plaintext);
      remember(id, key);
      return key;
    },
  };
}

/** Unpadded base64url that must round-trip exactly: a changed character can never decode to the same bytes. */
function decodeField(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new TokenVaultError('malformed token blob');
  return bytes;
}

const tokenSetSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.nullable(z.string()),
  expiresAt: z.number(),
  scope: z.nullable(z.string()),
  extras: z.record(z.string(), z.unknown()),
});

export interface TokenVault {
  encrypt(tokens: TokenSet, binding: TokenBinding): Promise<string>;
  decrypt(blob: string, binding: TokenBinding): Promise<TokenSet>;
}

export function createTokenVault(provider: KeyProvider): TokenVault {
  const aadOf = (version: string, kind: string, context: KeyContext) =>
    Buffer.from(
      version === LEGACY_VERSION ? `${version}.${kind}` : `${version}.${kind}.${contextText(context)}`,
    );
  return {
    async encrypt(tokens, binding) {
      const context = contextOf(binding);
      const { plaintext: key, wrapped } = await provider.newDataKey(context);
      const json = Buffer.from(JSON.stringify(tokens));
      const { iv, tag, ciphertext } = seal(key, json, aadOf(VERSION, provider.kind, context));
      return [VERSION, provider.kind, wrapped, iv, tag, ciphertext]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    async decrypt(blob, binding) {
      const parts = blob.split('.');
      if (parts.length !== 6) throw new TokenVaultError('malformed token blob');
      const [version, kind, wrapped, iv, tag, ciphertext] = parts as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (version !== VERSION && version !== LEGACY_VERSION) {
        throw new TokenVaultError('unsupported token blob version');
      }
      if (kind !== provider.kind) {
        throw new TokenVaultError(
          `token blob was sealed by the '${kind.slice(0, 16)}' key provider, this deployment uses '${provider.kind}'`,
        );
      }
      const context = version === LEGACY_VERSION ? {} : contextOf(binding);
      const key = await provider.unwrap(decodeField(wrapped), context);
      const json = open(
        key,
        decodeField(iv),
        decodeField(tag),
        decodeField(ciphertext),
        aadOf(version, kind, context),
      );
      const parsed = tokenSetSchema.safeParse(JSON.parse(json.toString('utf8')));
      if (!parsed.success) throw new TokenVaultError('token blob does not hold a token set');
      return parsed.data;
    },
  };
}

let defaultVault: TokenVault | undefined;

/** The vault configured by the environment (KMS on AWS, the local key in the sandbox), built once. */
function vault(): TokenVault {
  if (!defaultVault) {
    const { TOKEN_KMS_KEY_ID, TOKEN_ENCRYPTION_KEY } = env(tokenVaultEnvSchema);
    defaultVault = createTokenVault(
      TOKEN_KMS_KEY_ID
        ? kmsKeyProvider({ keyId: TOKEN_KMS_KEY_ID })
        : localKeyProvider(Buffer.from(TOKEN_ENCRYPTION_KEY!, 'base64')),
    );
  }
  return defaultVault;
}

/** Forgets the configured vault, so the next call sees a changed environment (tests, the sandbox). */
export function resetTokenVault(): void {
  defaultVault = undefined;
}

export const encryptTokens = (tokens: TokenSet, binding: TokenBinding): Promise<string> =>
  vault().encrypt(tokens, binding);
export const decryptTokens = (blob: string, binding: TokenBinding): Promise<TokenSet> =>
  vault().decrypt(blob, binding);
