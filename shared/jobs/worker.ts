import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from '#shared/observability.js';

/**
 * The one SQS consumer shape: each record's body is parsed with the job's zod schema and handled on its own;
 * a failing record is reported in `batchItemFailures` (retried, then dead-lettered) without failing the others.
 * A body that does not parse is logged and dropped: redelivering it could never succeed.
 */
export function createSqsWorker<S extends z.ZodType>(
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
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event, context) =>
      // A batch whose only record failed is still a partial response, not a Lambda error: retries and the
      // DLQ handle it, and error alarms stay meaningful.
      // A processor per invocation: it keeps the batch's results in fields, and the sandbox (several pollers on one
      // handler) runs invocations concurrently, as Lambda does with separate instances.
      processPartialResponse(
        event,
        (record: SQSRecord) => recordHandler(record, context),
        new BatchProcessor(EventType.SQS),
        {
          context,
          throwOnFullBatchFailure: false,
        },
      ),
    );
}
