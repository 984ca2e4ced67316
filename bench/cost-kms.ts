import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { resetEnvCache } from '#shared/config/env.js';
import { resetTokenVault } from '#shared/crypto/token-vault.js';

type Command = { constructor: { name: string }; input: Record<string, unknown> };

const contextText = (context: unknown) =>
  JSON.stringify(Object.entries((context ?? {}) as Record<string, string>).sort());

/**
 * The token vault as deployed: the sandbox seals provider tokens under a local key, which makes no KMS request;
 * on AWS the vault's key provider is KMS (GenerateDataKey per seal, Decrypt per unwrap that misses its 5-minute
 * cache). This points the running sandbox's vault at KMS (`TOKEN_KMS_KEY_ID`) and answers the KMS client's
 * requests in this process (data keys kept in memory, their wrapped form a random id, the encryption context
 * checked), so the meter counts the requests the real key provider, cache included, would make. Call before any
 * token is sealed; `stop` puts the sandbox's local key back.
 */
export function useBenchKms() {
  const keys = new Map<string, { plaintext: Buffer; context: string }>();
  const original = KMSClient.prototype.send;
  const send = async (command: Command) => {
    const name = command.constructor.name;
    if (name === 'GenerateDataKeyCommand') {
      const plaintext = randomBytes(32);
      const wrapped = randomBytes(48);
      keys.set(wrapped.toString('base64'), {
        plaintext,
        context: contextText(command.input.EncryptionContext),
      });
      return { Plaintext: plaintext, CiphertextBlob: wrapped, KeyId: command.input.KeyId };
    }
    if (name === 'DecryptCommand') {
      const key = keys.get(Buffer.from(command.input.CiphertextBlob as Uint8Array).toString('base64'));
      if (!key || key.context !== contextText(command.input.EncryptionContext)) {
        throw Object.assign(new Error('bench KMS: unknown data key'), { name: 'InvalidCiphertextException' });
      }
      return { Plaintext: key.plaintext, KeyId: command.input.KeyId };
    }
    throw new Error(`bench KMS: ${name} is not answered`);
  };
  KMSClient.prototype.send = send as unknown as KMSClient['send'];
  const localKey = process.env.TOKEN_ENCRYPTION_KEY;
  const kmsKey = process.env.TOKEN_KMS_KEY_ID;
  process.env.TOKEN_KMS_KEY_ID = 'alias/bench-cost';
  delete process.env.TOKEN_ENCRYPTION_KEY;
  resetEnvCache();
  resetTokenVault();
  return {
    stop: () => {
      KMSClient.prototype.send = original;
      if (kmsKey === undefined) delete process.env.TOKEN_KMS_KEY_ID;
      else process.env.TOKEN_KMS_KEY_ID = kmsKey;
      if (localKey !== undefined) process.env.TOKEN_ENCRYPTION_KEY = localKey;
      resetEnvCache();
      resetTokenVault();
    },
  };
}
