import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import { logger, observeInvocation } from '#shared/observability.js';

/**
 * The one SQS consumer shape: each record's body is parsed with the job's zod schema and handled on its own;
 * a failing record is reported in `batchItemFailures` (retried, then dead-lettered) without failing the others.
 * A body that does not parse is logged and dropped: redelivering it could never succeed.
 */
export function createSqsWorker<S extends z.ZodMiniType>(
  schema: S,
  work: (job: z.output<S>, context: Context, record: SQSRecord) => Promise<void>,
) {
  const recordHandler = async (record: SQSRecord, context: Context) => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const job = schema.safeParse(body);
    if (!job.success) {
      logger.error('dropping a malformed job', { messageId: record.messageId, issues: job.error.issues });
      return;
    }
    await work(job.data, context, record);
  };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(observeInvocation())
    .handler(async (event, context) => {
      // Records are handled side by side; a batch whose only record failed is still a partial response, not a
      // Lambda error: retries and the DLQ handle it, and error alarms stay meaningful.
      const outcomes = await Promise.allSettled(
        event.Records.map((record) => recordHandler(record, context)),
      );
      const batchItemFailures = [];
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') continue;
        const { messageId } = event.Records[i]!;
        // Name and message only: a provider error's message may quote its response; the stack adds nothing here.
        const { name, message } =
          outcome.reason instanceof Error
            ? outcome.reason
            : { name: 'Error', message: String(outcome.reason) };
        logger.error('job failed, left for a retry', { messageId, error: { name, message } });
        batchItemFailures.push({ itemIdentifier: messageId });
      }
      return { batchItemFailures };
    });
}
