import * as z from 'zod/mini';
import { dateTimeParam, repeatable } from '#shared/api/params.js';
import { uuid } from '#shared/api/schemas.js';
import { env } from '#shared/config/env.js';
import { isEventType } from '#shared/delivery/catalogue.js';
import { outgoingAreaEnvSchema } from '#shared/delivery/env.js';
import { checkEndpointUrl } from '#shared/delivery/url-guard.js';
import { badRequest, entityNotFound, HttpError, unauthorized } from '#shared/http/errors.js';
import type { Caller } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { getUser } from '#shared/store/users.js';
import { ATTEMPT_STATUS, type AttemptStatus } from '#shared/store/webhook-attempts.js';
import { type EndpointPatch, getOwnedEndpoint } from '#shared/store/webhook-endpoint-management.js';
import type { WebhookEndpoint } from '#shared/store/webhook-endpoints.js';

/** What the outgoing-webhook routes accept: the caller, bodies and queries, checked. */
const NOT_ENABLED =
  'Outgoing webhooks are not enabled (set OUTGOING_WEBHOOKS_ENABLED=true in the backend environment).';
export const outgoingSettings = () => env(outgoingAreaEnvSchema);

/** The calling developer's id, once outgoing webhooks are known to be on (auth first: a 401 wins over the 503). */
export function ownerOf(caller: Caller): string {
  if (caller.kind !== 'developer') throw unauthorized('Could not validate credentials', true);
  if (!outgoingSettings().OUTGOING_WEBHOOKS_ENABLED) throw new HttpError(503, NOT_ENABLED);
  return caller.developer.id;
}

export async function ownedEndpoint(caller: Caller, id: string): Promise<WebhookEndpoint> {
  const endpoint = await getOwnedEndpoint(ownerOf(caller), id);
  if (!endpoint) throw entityNotFound('Endpoint', id);
  return endpoint;
}

export const endpointParams = z.object({ endpoint_id: cappedString(CAP.id) });
const eventType = cappedString(CAP.name);
const fields = {
  url: cappedString(CAP.url),
  description: z.nullish(cappedString(CAP.text)),
  /** null or empty: every event type. */
  filter_types: z.nullish(z.array(eventType).check(z.maxLength(200))),
  /** null: every user's events. */
  user_id: z.nullish(uuid()),
};
export const createBody = z.object(fields);
export const patchBody = z.object({
  ...fields,
  url: z.optional(fields.url),
  disabled: z.optional(z.boolean()),
});

/** The body's fields checked against the URL guard, the catalogue and the users; absent ones stay absent. */
export async function checkedFields(body: z.infer<typeof patchBody>): Promise<EndpointPatch> {
  const patch: EndpointPatch = {};
  if (body.url !== undefined) {
    const problem = checkEndpointUrl(body.url, { allowPrivate: outgoingSettings().WEBHOOK_ALLOW_PRIVATE });
    if (problem) throw badRequest(`Invalid endpoint URL: ${problem}.`);
    patch.url = body.url;
  }
  if (body.description !== undefined) patch.description = body.description ?? '';
  if (body.filter_types !== undefined) {
    const unknown = body.filter_types?.find((type) => !isEventType(type));
    if (unknown !== undefined) throw badRequest(`Unknown event type: '${unknown}'.`);
    patch.filter_types = body.filter_types?.length ? [...new Set(body.filter_types)] : null;
  }
  if (body.user_id !== undefined) {
    if (body.user_id !== null && !(await getUser(body.user_id))) throw entityNotFound('User', body.user_id);
    patch.user_id = body.user_id;
  }
  if (body.disabled !== undefined) patch.disabled = body.disabled;
  return patch;
}

export const svixQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(250)), 50),
  iterator: z.optional(cappedString(CAP.token)),
  before: z.optional(dateTimeParam()),
  after: z.optional(dateTimeParam()),
});
export const attemptsQuery = z.extend(svixQuery, {
  status: z.optional(z.enum(['0', '1', '2', '3'])),
  event_types: repeatable(eventType),
});
export const statusOf = (code: string | undefined) =>
  (Object.keys(ATTEMPT_STATUS) as AttemptStatus[]).find((status) => String(ATTEMPT_STATUS[status]) === code);

export const testBody = z.nullish(z.object({ event_type: z.optional(eventType) }));
