import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isoAt } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { type PreviousSecret, signingSecrets, unsealSecret } from '#shared/store/webhook-endpoint-secrets.js';

export { ENDPOINT_SECRET_OWNER } from '#shared/store/webhook-endpoint-secrets.js';

/**
 * Integrator endpoints of outgoing webhooks (contract 4.15) as delivery sees them: found, signed for, and their
 * health (failure streak, probe lease). Developers manage them through webhook-endpoint-management.ts.
 */
export const ENDPOINT_PREFIX = 'WHEP#';
export const ALL_ENDPOINTS = 'WHEPS';
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
  /** Replaced secrets still signing, newest first. */
  previous_secrets?: PreviousSecret[];
  disabled: boolean;
  disabled_reason?: string;
  /** The first failed attempt since the last success (ISO). */
  failing_since?: string;
  /** While failing: the one attempt in flight holds the endpoint until then (epoch ms). */
  probe_until?: number;
  created_at: string;
  updated_at: string;
}

export const endpointKey = (id: string) => ({ PK: `${ENDPOINT_PREFIX}${id}`, SK: 'ENDPOINT' });

export const endpointOf = ({ PK, SK, GSI1PK, GSI1SK, ...rest }: Record<string, unknown>) =>
  rest as unknown as WebhookEndpoint;

let active: { until: number; endpoints: Promise<WebhookEndpoint[]> } | undefined;
/** Every change made in this process is seen by the next fan-out of this process (the sandbox runs all in one). */
export const forgetActiveEndpoints = () => {
  active = undefined;
};

export async function getEndpoint(id: string): Promise<WebhookEndpoint | undefined> {
  const { doc, table } = db();
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: endpointKey(id), ConsistentRead: true }),
  );
  return Item ? endpointOf(Item) : undefined;
}

/** Every developer's endpoints, or one developer's, oldest first. */
export const queryEndpoints = async (ownerId?: string): Promise<WebhookEndpoint[]> =>
  (
    await queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :all',
      ...(ownerId !== undefined && { FilterExpression: 'owner_id = :owner' }),
      ExpressionAttributeValues: {
        ':all': ALL_ENDPOINTS,
        ...(ownerId !== undefined && { ':owner': ownerId }),
      },
    })
  ).map(endpointOf);

/** Every enabled endpoint of every developer (each event goes to all of them), cached for 30 s. */
export async function listActiveEndpoints(now = Date.now()): Promise<WebhookEndpoint[]> {
  if (!active || active.until <= now) {
    const endpoints = queryEndpoints().then((all) => all.filter((endpoint) => !endpoint.disabled));
    active = { until: now + CACHE_MS, endpoints };
    endpoints.catch(forgetActiveEndpoints);
  }
  return active.endpoints;
}

/** The current signing secret, `whsec_...` (for the secret route). */
export const endpointSecret = (endpoint: WebhookEndpoint): Promise<string> =>
  unsealSecret(endpoint.id, endpoint.secret);

/** The secrets that sign a delivery at `now`: the current one, then those rotated out less than a day ago. */
export const endpointSecrets = (endpoint: WebhookEndpoint, now = Date.now()): Promise<string[]> =>
  signingSecrets(endpoint.id, endpoint.secret, endpoint.previous_secrets, now);

/** A delivery succeeded at `now`: a failure streak that began before it ends. */
export async function recordEndpointSuccess(id: string, now = Date.now()): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: endpointKey(id),
        UpdateExpression: 'REMOVE failing_since',
        ConditionExpression: 'failing_since <= :now',
        ExpressionAttributeValues: { ':now': isoAt(now) },
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
        Key: endpointKey(id),
        UpdateExpression: 'SET failing_since = if_not_exists(failing_since, :now)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': isoAt(now) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const endpoint = endpointOf(Attributes!);
    const since = Date.parse(endpoint.failing_since!);
    if (endpoint.disabled || now - since < disableAfterDays * DAY_MS) return { disabled: false };
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: endpointKey(id),
        UpdateExpression: 'SET disabled = :yes, disabled_reason = :reason, updated_at = :now',
        ConditionExpression: 'disabled = :no AND failing_since = :since',
        ExpressionAttributeValues: {
          ':yes': true,
          ':no': false,
          ':since': endpoint.failing_since,
          ':now': isoAt(now),
          ':reason': `Every delivery failed for ${disableAfterDays} days (since ${endpoint.failing_since}).`,
        },
      }),
    );
    forgetActiveEndpoints();
    return { disabled: true };
  } catch (error) {
    if (isConditionFailure(error)) return { disabled: false };
    throw error;
  }
}

/**
 * While the endpoint is failing, lets one attempt at a time through (a lease until `now + holdMs`), so a dead
 * receiver holds one delivery slot instead of all of them. A healthy endpoint (or a deleted one: the caller finds
 * it gone) passes without a write.
 */
export async function acquireProbe(endpointId: string, now: number, holdMs: number): Promise<boolean> {
  const { doc, table } = db();
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: endpointKey(endpointId), ProjectionExpression: 'failing_since' }),
  );
  if (!Item?.failing_since) return true;
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: endpointKey(endpointId),
        UpdateExpression: 'SET probe_until = :until',
        ConditionExpression:
          'attribute_exists(PK) AND (attribute_not_exists(probe_until) OR probe_until <= :now)',
        ExpressionAttributeValues: { ':now': now, ':until': now + holdMs },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Ends the lease taken by `acquireProbe` (nothing to do for a deleted endpoint). */
export async function releaseProbe(endpointId: string): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: endpointKey(endpointId),
        UpdateExpression: 'REMOVE probe_until',
        ConditionExpression: 'attribute_exists(PK)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
