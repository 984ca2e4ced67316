import { entityNotFound } from '#shared/http/errors.js';
import { maskApiKey, newApiKey, sha256 } from '#shared/identity/credentials.js';
import { apiDateTime } from '#shared/model/time.js';
import {
  type ApiKeyRecord,
  deleteApiKey,
  findApiKeyIdByHash,
  getApiKey,
  insertApiKey,
  listApiKeys,
  newApiKeyRecord,
  renameApiKey,
} from '#shared/store/api-keys.js';

export const apiKeyView = (record: ApiKeyRecord) => ({
  id: record.id,
  name: record.name,
  key_prefix: record.key_prefix,
  created_by: record.created_by,
  created_at: apiDateTime(record.created_at),
});

/** The one moment the key exists in clear: the create and rotate responses. */
const withKey = (record: ApiKeyRecord, key: string) => ({ ...apiKeyView(record), key });

function freshKey(name: string, createdBy: string | null) {
  const key = newApiKey();
  return {
    key,
    record: newApiKeyRecord({
      name,
      key_hash: sha256(key),
      key_prefix: maskApiKey(key),
      created_by: createdBy,
    }),
  };
}

export async function createApiKey(name: string, createdBy: string) {
  const { key, record } = freshKey(name, createdBy);
  await insertApiKey(record);
  return withKey(record, key);
}

export async function listApiKeyViews() {
  const records = await listApiKeys();
  return records.map(apiKeyView);
}

/** `{key_id}` may be the key's id or (as in the reference, where the id was the key) the full key itself. */
async function findKey(keyIdOrKey: string): Promise<ApiKeyRecord> {
  const id = keyIdOrKey.startsWith('sk-') ? await findApiKeyIdByHash(sha256(keyIdOrKey)) : keyIdOrKey;
  const record = id ? await getApiKey(id) : undefined;
  if (!record) throw entityNotFound('Apikey', keyIdOrKey);
  return record;
}

export async function renameKey(keyIdOrKey: string, name: string | undefined) {
  const record = await findKey(keyIdOrKey);
  if (name === undefined) return apiKeyView(record);
  const renamed = await renameApiKey(record.id, name);
  if (!renamed) throw entityNotFound('Apikey', keyIdOrKey);
  return apiKeyView(renamed);
}

export async function deleteKey(keyIdOrKey: string) {
  const record = await findKey(keyIdOrKey);
  if (!(await deleteApiKey(record))) throw entityNotFound('Apikey', keyIdOrKey);
  return apiKeyView(record);
}

/** Replaces a key atomically: the old one stops working the moment the new one exists (named "Default"). */
export async function rotateKey(keyIdOrKey: string, rotatedBy: string) {
  const old = await findKey(keyIdOrKey);
  const { key, record } = freshKey('Default', rotatedBy);
  if (!(await deleteApiKey(old, record))) throw entityNotFound('Apikey', keyIdOrKey);
  return withKey(record, key);
}
