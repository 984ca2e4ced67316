import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '#shared/delivery/ids.js';
import { db } from '#shared/store/client.js';
import { ENDPOINT_PREFIX } from '#shared/store/webhook-endpoints.js';
import { getMessages, retainedUntil, type WebhookMessage } from '#shared/store/webhook-messages.js';
import { type SvixPage, type SvixQuery, svixPage } from '#shared/store/webhook-paging.js';

/** Every delivery attempt, under its endpoint (`SK=ATTEMPT#<ISO timestamp>#<id>`), kept for the retention. */
const ATTEMPT_SK = 'ATTEMPT#';
/** What an attempt keeps of the receiver's answer (and all a delivery reads of it). */
export const ATTEMPT_RESPONSE_BYTES = 1_024;

/** Svix's attempt statuses (the `status` filter and field). */
export const ATTEMPT_STATUS = { success: 0, pending: 1, failed: 2, sending: 3 } as const;
export type AttemptStatus = keyof typeof ATTEMPT_STATUS;

export interface AttemptInput {
  endpoint_id: string;
  message_id: string;
  /** The message's user (where the message is found again). */
  user_id: string | null;
  event_type: string;
  url: string;
  /** Null when no answer arrived (timeout, connection refused). */
  response_status_code: number | null;
  response: string;
  response_duration_ms: number;
  status: AttemptStatus;
  trigger: 'scheduled' | 'manual';
  /** 1 for the first attempt of this message to this endpoint. */
  attempt: number;
  /** When the attempt was made (ISO). */
  timestamp: string;
}

export interface Attempt extends AttemptInput {
  id: string;
}

/** Cuts `text` to at most `bytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, bytes: number): string {
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length <= bytes) return text;
  return encoded
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** Records one attempt (its response cut to `ATTEMPT_RESPONSE_BYTES`) under the endpoint. */
export async function recordAttempt(
  input: AttemptInput,
  retentionDays: number,
  now = Date.now(),
): Promise<Attempt> {
  const attempt: Attempt = {
    ...input,
    id: newId('atmpt'),
    response: truncateUtf8(input.response, ATTEMPT_RESPONSE_BYTES),
  };
  const { doc, table } = db();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        PK: `${ENDPOINT_PREFIX}${input.endpoint_id}`,
        SK: `${ATTEMPT_SK}${input.timestamp}#${attempt.id}`,
        ...attempt,
        ttl: retainedUntil(now, retentionDays),
      },
    }),
  );
  return attempt;
}

export interface AttemptFilter {
  status?: AttemptStatus;
  eventTypes?: string[];
}

function attemptFilter(filter: AttemptFilter) {
  const conditions: string[] = [];
  const values: Record<string, unknown> = {};
  if (filter.status) {
    conditions.push('#status = :status');
    values[':status'] = filter.status;
  }
  if (filter.eventTypes?.length) {
    const names = filter.eventTypes.map((type, i) => {
      values[`:type${i}`] = type;
      return `:type${i}`;
    });
    conditions.push(`event_type IN (${names.join(', ')})`);
  }
  if (conditions.length === 0) return undefined;
  return {
    expression: conditions.join(' AND '),
    ...(filter.status && { names: { '#status': 'status' } }),
    values,
  };
}

/** An endpoint's attempts, newest first, each with its message (and body) when that still exists. */
export async function listAttempts(
  endpointId: string,
  query: SvixQuery,
  filter: AttemptFilter = {},
): Promise<SvixPage<Attempt & { message?: WebhookMessage }>> {
  const where = attemptFilter(filter);
  const page = await svixPage(
    { partition: `${ENDPOINT_PREFIX}${endpointId}`, prefix: ATTEMPT_SK, ...(where && { filter: where }) },
    query,
  );
  const attempts = page.data.map(({ PK, SK, ttl, ...rest }) => rest as unknown as Attempt);
  const messages = await getMessages(attempts.map((a) => ({ userId: a.user_id, id: a.message_id })));
  return {
    ...page,
    data: attempts.map((attempt) => ({ ...attempt, message: messages.get(attempt.message_id) })),
  };
}
