import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '#shared/delivery/ids.js';
import { HttpError } from '#shared/http/errors.js';
import { isoAt } from '#shared/model/time.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { keptAfterRotation, newSealedSecret } from '#shared/store/webhook-endpoint-secrets.js';
import {
  ALL_ENDPOINTS,
  ENDPOINT_PREFIX,
  endpointKey,
  endpointOf,
  forgetActiveEndpoints,
  getEndpoint,
  queryEndpoints,
  type WebhookEndpoint,
} from '#shared/store/webhook-endpoints.js';

/**
 * What a developer does with their endpoints: register (at most `MAX_ENDPOINTS_PER_OWNER`, counted by an item per
 * developer changed in the same transaction as the endpoint), list, change, delete, rotate the secret.
 */
const MAX_ENDPOINTS_PER_OWNER = 50;

export interface EndpointFields {
  url: string;
  description: string;
  filter_types: string[] | null;
  user_id: string | null;
}

export type EndpointPatch = Partial<EndpointFields> & { disabled?: boolean };

/** The developer already has `MAX_ENDPOINTS_PER_OWNER` endpoints: nothing was created. */
export class EndpointLimitReached extends HttpError {
  override name = 'EndpointLimitReached';
  constructor() {
    super(400, `Too many webhook endpoints (at most ${MAX_ENDPOINTS_PER_OWNER} per developer).`);
  }
}

// Endpoint ids start with `ep_`: the count cannot collide with an endpoint.
const countKeyOf = (ownerId: string) => ({ PK: `${ENDPOINT_PREFIX}OWNER#${ownerId}`, SK: 'ENDPOINT_COUNT' });

/** True when the transaction was cancelled by its first item's own condition. */
const firstItemFailed = (error: unknown) =>
  (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons?.[0]?.Code ===
  'ConditionalCheckFailed';

/** Registers an endpoint with a fresh secret; EndpointLimitReached when the developer has the most allowed. */
export async function createEndpoint(
  ownerId: string,
  fields: EndpointFields,
  now = Date.now(),
): Promise<WebhookEndpoint> {
  const id = newId('ep');
  const created = isoAt(now);
  const endpoint: WebhookEndpoint = {
    id,
    owner_id: ownerId,
    ...fields,
    secret: await newSealedSecret(id),
    disabled: false,
    created_at: created,
    updated_at: created,
  };
  const { doc, table } = db();
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table,
              Key: countKeyOf(ownerId),
              UpdateExpression: 'ADD endpoints :one',
              ConditionExpression: 'attribute_not_exists(endpoints) OR endpoints < :max',
              ExpressionAttributeValues: { ':one': 1, ':max': MAX_ENDPOINTS_PER_OWNER },
            },
          },
          {
            Put: {
              TableName: table,
              Item: { ...endpointKey(id), GSI1PK: ALL_ENDPOINTS, GSI1SK: `${created}#${id}`, ...endpoint },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (firstItemFailed(error)) throw new EndpointLimitReached();
    throw error;
  }
  forgetActiveEndpoints();
  return endpoint;
}

/** The endpoint if `ownerId` registered it; another developer's endpoint is as absent as a missing one. */
export async function getOwnedEndpoint(ownerId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const endpoint = await getEndpoint(id);
  return endpoint?.owner_id === ownerId ? endpoint : undefined;
}

/** A developer's endpoints, oldest first. */
export const listEndpoints = (ownerId: string): Promise<WebhookEndpoint[]> => queryEndpoints(ownerId);

/** Changes the fields present in `patch`; re-enabling clears the reason and the failure streak. */
export async function updateEndpoint(
  ownerId: string,
  id: string,
  patch: EndpointPatch,
  now = Date.now(),
): Promise<WebhookEndpoint | undefined> {
  const values: Record<string, unknown> = { ':owner': ownerId, ':now': isoAt(now) };
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
    } else remove.push('disabled_reason', 'failing_since', 'probe_until');
  }
  const { doc, table } = db();
  try {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: endpointKey(id),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(PK) AND owner_id = :owner',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    forgetActiveEndpoints();
    return endpointOf(Attributes!);
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
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table,
              Key: endpointKey(id),
              ConditionExpression: 'owner_id = :owner',
              ExpressionAttributeValues: { ':owner': ownerId },
            },
          },
          {
            Update: {
              TableName: table,
              Key: countKeyOf(ownerId),
              UpdateExpression: 'ADD endpoints :minus',
              ExpressionAttributeValues: { ':minus': -1 },
            },
          },
        ],
      }),
    );
    forgetActiveEndpoints();
    return true;
  } catch (error) {
    if (firstItemFailed(error)) return false;
    throw error;
  }
}

/**
 * A new signing secret; the replaced one keeps signing (second signature) for 24 hours, as do those replaced
 * earlier until their own 24 hours are over. False when `ownerId` has no such endpoint.
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
          Key: endpointKey(id),
          UpdateExpression: 'SET secret = :new, previous_secrets = :kept, updated_at = :now',
          // A concurrent rotation wins; this one then rotates again from its result.
          ConditionExpression: 'secret = :old',
          ExpressionAttributeValues: {
            ':new': await newSealedSecret(id),
            ':old': endpoint.secret,
            ':kept': keptAfterRotation(endpoint.secret, endpoint.previous_secrets, now),
            ':now': isoAt(now),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
