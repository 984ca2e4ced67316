import { randomBytes } from 'node:crypto';

type KmsCommand = { constructor: { name: string }; input: Record<string, unknown> };

const contextText = (context: unknown) =>
  JSON.stringify(Object.entries((context ?? {}) as Record<string, string>).sort());

/**
 * KMS's two calls the token vault makes, answered in memory: GenerateDataKey hands out a random data key whose
 * wrapped form is a random id; Decrypt gives it back only under the same encryption context, else fails as KMS
 * does (`InvalidCiphertextException`). `contexts` records every context a key was generated under.
 */
export function inMemoryKms() {
  const keys = new Map<string, { plaintext: Buffer; context: string }>();
  const contexts: Array<Record<string, string> | undefined> = [];
  const send = async (command: KmsCommand) => {
    const { name } = command.constructor;
    if (name === 'GenerateDataKeyCommand') {
      const plaintext = randomBytes(32);
      const wrapped = randomBytes(48);
      const context = command.input.EncryptionContext as Record<string, string> | undefined;
      contexts.push(context);
      keys.set(wrapped.toString('base64'), { plaintext, context: contextText(context) });
      return {
        Plaintext: new Uint8Array(plaintext),
        CiphertextBlob: new Uint8Array(wrapped),
        KeyId: command.input.KeyId,
      };
    }
    if (name === 'DecryptCommand') {
      const key = keys.get(Buffer.from(command.input.CiphertextBlob as Uint8Array).toString('base64'));
      if (!key || key.context !== contextText(command.input.EncryptionContext)) {
        throw Object.assign(new Error('context mismatch'), { name: 'InvalidCiphertextException' });
      }
      return { Plaintext: new Uint8Array(key.plaintext), KeyId: command.input.KeyId };
    }
    throw new Error(`in-memory KMS: ${name} is not answered`);
  };
  return { send, contexts };
}
