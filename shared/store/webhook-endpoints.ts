import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decryptTokens, encryptTokens } from '#shared/crypto/token-vault.js';
import { newId } from '#shared/delivery/ids.js';
import { newSigningSecret } from '#shared/delivery/signing.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';

/**
 * Integrator endpoints of outgoing webhooks (contract 4.15), owned by the developer who registered them. The
 * signing secret is sealed by the token vault under the binding `webhook-endpoint`/<endpoint id> (the KMS
 * encryption context), so the table alone never reveals it; a rotation keeps the previous one for a day.
 */
export const ENDPOINT_PREFIX = 'WHEP#';
/** The pseudo-user the vault binds endpoint secrets to. */
export const ENDPOINT_SECRET_OWNER = 'webhook-endpoint';
const ALL_ENDPOINTS = 'WHEPS';
const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const DAY_MS = 86_400_000;
const CACHE_MS = 30_000;

export interface WebhookEndpoint {
  id: string;
  /** The developer who registered it: the only one who sees or changes it. */
  owner_id: string;
  url: string;
  description: string;
  /** Event types delivered; null: all. */
  filter_types: string[] | null;
  /** The one user whose events are delivered; null: every user's. */
  user_id: string | null;
  /** Sealed (token vault); never returned. */
  secret: string;
  /** Sealed; still signs until `previous_until` (ISO). */
  previous_secret?: string;
  previous_until?: string;
  disabled: boolean;
  disabled_reason?: string;
  /** The first failed attempt since the last success (ISO). */
  failing_since?: string;
  created_at: string;
  updated_at: string;
}

export interface EndpointFields {
  url: string;
  description: string;
  filter_types: string[] | null;
  user_id: string | null;
}

const keyOf = (id: string) => ({ PK: `${ENDPOINT_PREFIX}${id}`, SK: 'ENDPOINT' });
const bindingOf = (id: string) => ({ userId: ENDPOINT_SECRET_OWNER, provider: id });
const iso = (ms: number) => new Date(ms).toISOString();

const strip = ({ PK, SK, GSI1PK, GSI1SK, ...rest }: Record<string, unknown>) =>
  rest as unknown as WebhookEndpoint;

const seal = (id: string, secret: string) =>
  encryptTokens(
    { accessToken: secret, refreshToken: null, expiresAt: 0, scope: null, extras: {} },
    bindingOf(id),
  );
const unseal = async (id: string, sealed: string) => (await decryptTokens(sealed, bindingOf(id))).accessToken;

let active: { until: number; endpoints: Promise<WebhookEndpoint[]> } | undefined;
/** Every change made in this process is seen by the next fan-out of this process (the sandbox runs all in one). */
const forgetActive = () => {
  active = undefined;
};

export async function createEndpoint(
  ownerId: string,
  fields: EndpointFields,
  now = Date.now(),
): Promise<WebhookEndpoint> {
  const id = newId('ep');
  const created = iso(now);
  const endpoint: WebhookEndpoint = {
    id,
    owner_id: ownerId,
    ...fields,
    secret: await seal(id, newSigningSecret()),
    disabled: false,
    created_at: created,
    updated_at: created,
  };
  const { doc, table } = db();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: { ...keyOf(id), GSI1PK: ALL_ENDPOINTS, GSI1SK: `${created}#${id}`, ...endpoint },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  forgetActive();
  return endpoint;
}

export async function getEndpoint(id: string): Promise<WebhookEndpoint | undefined> {
  const { doc, table } = db();
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: keyOf(id), ConsistentRead: true }));
  return Item ? strip(Item) : undefined;
}

/** The endpoint if `ownerId` registered it; another developer's endpoint is as absent as a missing one. */
export async function getOwnedEndpoint(ownerId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const endpoint = await getEndpoint(id);
  return endpoint?.owner_id === ownerId ? endpoint : undefined;
}

const allEndpoints = async (): Promise<WebhookEndpoint[]> =>
  (
    await queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :all',
      ExpressionAttributeValues: { ':all': ALL_ENDPOINTS },
    })
  ).map(strip);

/** A developer's endpoints, oldest first. */
export async function listEndpoints(ownerId: string): Promise<WebhookEndpoint[]> {
  return (await allEndpoints()).filter((endpoint) => endpoint.owner_id === ownerId);
}

/** Every enabled endpoint of every developer (each event goes to all of them), cached for 30 s. */
export async function listActiveEndpoints(now = Date.now()): Promise<WebhookEndpoint[]> {
  if (!active || active.until <= now) {
    const endpoints = allEndpoints().then((all) => all.filter((endpoint) => !endpoint.disabled));
    active = { until: now + CACHE_MS, endpoints };
    endpoints.catch(forgetActive);
  }
  return active.endpoints;
}

export type EndpointPatch = Partial<EndpointFields> & { disabled?: boolean };

/** Changes the fields present in `patch`; re-enabling clears the reason and the failure streak. */
export async function updateEndpoint(
  ownerId: string,
  id: string,
  patch: EndpointPatch,
  now = Date.now(),
): Promise<WebhookEndpoint | undefined> {
  const values: Record<string, unknown> = { ':owner': ownerId, ':now': iso(now) };
  const set = ['updated_at = :now'];
  const remove: string[] = [];
  for (const field of ['url', 'description', 'filter_types', 'user_id'] as const) {
    if (patch[field] === undefined) continue;
    set.push(`${field} = :${field}`);
    values[`:${field}`] = patch[field];
  }
  if (patch.disabled !== undefined) {
    set.push('disabled = :disabled');
    values[':disabled'] = patch.disabled;
    if (patch.disabled) {
      set.push('disabled_reason = :reason');
      values[':reason'] = 'Disabled through the API.';
    } else remove.push('disabled_reason', 'failing_since');
  }
  const { doc, table } = db();
  try {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keyOf(id),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(PK) AND owner_id = :owner',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    forgetActive();
    return strip(Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Deletes the endpoint; false when `ownerId` has none with this id. Its attempts and delivery states expire
 * with their TTL, and deliveries still queued for it are dropped (the worker finds no endpoint).
 */
export async function deleteEndpoint(ownerId: string, id: string): Promise<boolean> {
  const { doc, table } = db();
  try {
    await doc.send(
      new DeleteCommand({
        TableName: table,
        Key: keyOf(id),
        ConditionExpression: 'owner_id = :owner',
        ExpressionAttributeValues: { ':owner': ownerId },
      }),
    );
    forgetActive();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The current signing secret, `whsec_...` (for the secret route). */
export const endpointSecret = (endpoint: WebhookEndpoint): Promise<string> =>
  unseal(endpoint.id, endpoint.secret);

/** The secrets that sign a delivery at `now`: the current one, and the previous one for a day after a rotation. */
export async function endpointSecrets(endpoint: WebhookEndpoint, now = Date.now()): Promise<string[]> {
  const current = await endpointSecret(endpoint);
  const { previous_secret: previous, previous_until: until } = endpoint;
  if (!previous || !until || Date.parse(until) <= now) return [current];
  return [current, await unseal(endpoint.id, previous)];
}

/**
 * A new signing secret; the current one keeps signing (second signature) for 24 hours. A rotation within those
 * hours replaces the one kept. False when `ownerId` has no such endpoint.
 */
export async function rotateEndpointSecret(ownerId: string, id: string, now = Date.now()): Promise<boolean> {
  const { doc, table } = db();
  for (;;) {
    const endpoint = await getOwnedEndpoint(ownerId, id);
    if (!endpoint) return false;
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: keyOf(id),
          UpdateExpression:
            'SET secret = :new, previous_secret = :old, previous_until = :until, updated_at = :now',
          // A concurrent rotation wins; this one then rotates again from its result.
          ConditionExpression: 'secret = :old',
          ExpressionAttributeValues: {
            ':new': await seal(id, newSigningSecret()),
            ':old': endpoint.secret,
            ':until': iso(now + ROTATION_OVERLAP_MS),
            ':now': iso(now),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** A delivery succeeded at `now`: a failure streak that began before it ends. */
export async function recordEndpointSuccess(id: string, now = Date.now()): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keyOf(id),
        UpdateExpression: 'REMOVE failing_since',
        ConditionExpression: 'failing_since <= :now',
        ExpressionAttributeValues: { ':now': iso(now) },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * An attempt failed at `now`: starts the failure streak if none is running, and disables the endpoint once the
 * streak is `disableAfterDays` old. `disabled` is true only for the call that disabled it.
 */
export async function recordEndpointFailure(
  id: string,
  now: number,
  disableAfterDays: number,
): Promise<{ disabled: boolean }> {
  const { doc, table } = db();
  try {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keyOf(id),
        UpdateExpression: 'SET failing_since = if_not_exists(failing_since, :now)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': iso(now) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const endpoint = strip(Attributes!);
    const since = Date.parse(endpoint.failing_since!);
    if (endpoint.disabled || now - since < disableAfterDays * DAY_MS) return { disabled: false };
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keyOf(id),
        UpdateExpression: 'SET disabled = :yes, disabled_reason = :reason, updated_at = :now',
        ConditionExpression: 'disabled = :no AND failing_since = :since',
        ExpressionAttributeValues: {
          ':yes': true,
          ':no': false,
          ':since': endpoint.failing_since,
          ':now': iso(now),
          ':reason': `Every delivery failed for ${disableAfterDays} days (since ${endpoint.failing_since}).`,
        },
      }),
    );
    forgetActive();
    return { disabled: true };
  } catch (error) {
    if (isConditionFailure(error)) return { disabled: false };
    throw error;
  }
}
