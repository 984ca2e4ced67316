import * as z from 'zod';
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
  description: cappedString(CAP.text).nullish(),
  /** null or empty: every event type. */
  filter_types: z.array(eventType).max(200).nullish(),
  /** null: every user's events. */
  user_id: uuid().nullish(),
};
export const createBody = z.object(fields);
export const patchBody = z.object({
  ...fields,
  url: fields.url.optional(),
  disabled: z.boolean().optional(),
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
  limit: z.coerce.number().int().min(1).max(250).default(50),
  iterator: cappedString(CAP.token).optional(),
  before: dateTimeParam().optional(),
  after: dateTimeParam().optional(),
});
export const attemptsQuery = svixQuery.extend({
  status: z.enum(['0', '1', '2', '3']).optional(),
  event_types: repeatable(eventType),
});
export const statusOf = (code: string | undefined) =>
  (Object.keys(ATTEMPT_STATUS) as AttemptStatus[]).find((status) => String(ATTEMPT_STATUS[status]) === code);

export const testBody = z.object({ event_type: eventType.optional() }).nullish();
