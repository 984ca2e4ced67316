import { KMSClient } from '@aws-sdk/client-kms';
import { resetEnvCache } from '#shared/config/env.js';
import { resetTokenVault } from '#shared/crypto/token-vault.js';
import { inMemoryKms } from '#test/fakes/kms.js';

/**
 * The token vault as deployed: the sandbox seals provider tokens under a local key, which makes no KMS request;
 * on AWS the vault's key provider is KMS (GenerateDataKey per seal, Decrypt per unwrap that misses its 5-minute
 * cache). This points the running sandbox's vault at KMS (`TOKEN_KMS_KEY_ID`) and answers the KMS client's
 * requests in this process (test/fakes/kms.ts), so the meter counts the requests the real key provider, cache
 * included, would make. Call before any token is sealed; `stop` puts the sandbox's local key back.
 */
export function useBenchKms() {
  const original = KMSClient.prototype.send;
  const { send } = inMemoryKms();
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
