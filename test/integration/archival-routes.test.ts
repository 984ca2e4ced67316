import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { archivalJob, runArchival, scheduledArchival } from '#shared/archival/run.js';
import { forgetStorageEstimate, storageEstimate } from '#shared/archival/storage-estimate.js';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';
import { rawItemsIn } from '#shared/store/archive-absorb.js';
import { db } from '#shared/store/client.js';
import { listArchiveItems } from '#shared/store/series-archive.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { drainQueue, useLocalQueues } from '#test/helpers/local-queues.js';
import { adminSession } from '#test/helpers/team.js';
import { newUserId } from '#test/helpers/users.js';
import { handler } from '../../functions/admin.js';
import { handler as archivalWorker } from '../../functions/archival-worker.js';

const queues = useLocalQueues();
let authorization: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  authorization = `Bearer ${(await adminSession()).adminToken}`;
});

async function call(method: string, json?: unknown) {
  const path = method === 'POST' ? '/api/v1/settings/archival/run' : '/api/v1/settings/archival';
  const out = (await handler(
    httpEvent(method, path, { headers: { authorization }, json }),
    lambdaContext(),
  )) as {
    statusCode: number;
    body: string;
  };
  return { status: out.statusCode, body: JSON.parse(out.body) };
}

const STORAGE_KEYS = [
  'live_data_bytes',
  'live_index_bytes',
  'archive_data_bytes',
  'archive_index_bytes',
  'other_tables_bytes',
  'total_bytes',
  'live_row_count',
  'archive_row_count',
  'avg_bytes_per_live_row',
  'avg_bytes_per_archive_row',
  'live_data_span_days',
  'live_total_pretty',
  'live_data_pretty',
  'live_index_pretty',
  'archive_total_pretty',
  'archive_data_pretty',
  'archive_index_pretty',
  'other_tables_pretty',
  'total_pretty',
  'growth_class',
];

describe('data lifecycle routes', () => {
  it('GET answers the settings (off by default) and every storage estimate key', async () => {
    const { status, body } = await call('GET');
    expect(status).toBe(200);
    expect(body.settings).toEqual({ archive_after_days: null, delete_after_days: null });
    expect(Object.keys(body.storage).sort()).toEqual([...STORAGE_KEYS].sort());
    expect(body.storage.growth_class).toBe('linear');
  });

  it('PUT stores the settings, answers like GET, and sets the growth class', async () => {
    const put = await call('PUT', { archive_after_days: 30 });
    expect(put).toMatchObject({
      status: 200,
      body: {
        settings: { archive_after_days: 30, delete_after_days: null },
        storage: { growth_class: 'linear_efficient' },
      },
    });
    await call('PUT', { archive_after_days: 30, delete_after_days: 365 });
    const get = await call('GET');
    expect(get.body.settings).toEqual({ archive_after_days: 30, delete_after_days: 365 });
    expect(get.body.storage.growth_class).toBe('bounded');
    expect((await call('PUT', {})).body.settings).toEqual({
      archive_after_days: null,
      delete_after_days: null,
    });
  });

  it.each([
    [{ archive_after_days: 0 }],
    [{ archive_after_days: 3651 }],
    [{ delete_after_days: 0 }],
    [{ delete_after_days: 7301 }],
    [{ archive_after_days: 1.5 }],
    [{ archive_after_days: '30' }],
  ])('PUT %j is a 400 and changes nothing', async (body) => {
    await call('PUT', { archive_after_days: 10, delete_after_days: 20 });
    const out = await call('PUT', body);
    expect(out.status).toBe(400);
    expect(typeof out.body.detail).toBe('string');
    expect((await call('GET')).body.settings).toEqual({ archive_after_days: 10, delete_after_days: 20 });
  });

  it('PUT refuses to delete before archiving, with a clear detail', async () => {
    const out = await call('PUT', { archive_after_days: 30, delete_after_days: 10 });
    expect(out.status).toBe(400);
    expect(out.body.detail).toMatch(
      /delete_after_days \(10\) must not be less than archive_after_days \(30\)/,
    );
    expect((await call('PUT', { archive_after_days: 30, delete_after_days: 30 })).status).toBe(200);
    expect((await call('PUT', { delete_after_days: 5 })).status).toBe(200);
  });

  it('POST /run answers 202 dispatched and queues the run', async () => {
    const out = await call('POST');
    expect(out).toMatchObject({ status: 202, body: { status: 'dispatched' } });
    const jobs = await drainQueue(queues.get().urls.archival, (b) => archivalJob.parse(b));
    expect(jobs).toEqual([{ task_id: out.body.task_id }]);
  });

  it('the routes want a developer', async () => {
    const out = (await handler(httpEvent('GET', '/api/v1/settings/archival'), lambdaContext())) as {
      statusCode: number;
    };
    expect(out.statusCode).toBe(401);
  });

  it('the hourly schedule queues one run a day, from 03:00 UTC, while a setting is on', async () => {
    const day = Date.UTC(2030, 0, 5);
    await call('PUT', {});
    expect((await scheduledArchival(day + 4 * HOUR)).started).toBe(false);
    await call('PUT', { archive_after_days: 30, delete_after_days: 60 });
    expect((await scheduledArchival(day + 2 * HOUR)).started).toBe(false);
    expect((await scheduledArchival(day + 3 * HOUR + 600_000)).started).toBe(true);
    expect((await scheduledArchival(day + 4 * HOUR)).started).toBe(false);
    expect((await scheduledArchival(day + 27 * HOUR)).started).toBe(true);
    await call('PUT', {});
    // Queued with the cutoffs of its day, so that a failing run is retried by the queue rather than lost.
    const jobs = await drainQueue(queues.get().urls.archival, (b) => archivalJob.parse(b));
    expect(jobs).toEqual(
      ['2030-01-05', '2030-01-06'].map((date) => ({
        task_id: `nightly-${date}`,
        cutoffs: {
          archive_before: Date.parse(date) - 30 * 24 * HOUR,
          purge_before: Date.parse(date) - 60 * 24 * HOUR,
        },
      })),
    );
  });

  it('the storage estimate reads a bounded sample of users and is kept for a minute', async () => {
    for (let i = 0; i < 3; i++) await newUserId();
    const { doc } = db();
    let partitionReads = 0;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const pk = (args.input as { ExpressionAttributeValues?: Record<string, unknown> })
          .ExpressionAttributeValues?.[':pk'];
        if (context.commandName === 'QueryCommand' && typeof pk === 'string' && pk.startsWith('USER#'))
          partitionReads++;
        return next(args);
      },
      { step: 'initialize', name: 'count-partition-reads' },
    );
    const settings = { archive_after_days: null, delete_after_days: null };
    try {
      forgetStorageEstimate();
      const now = Date.now();
      const first = await storageEstimate(settings, { now, sampleSize: 2 });
      // Two partition queries a user: its series registry and its archive months.
      expect(partitionReads).toBe(4);
      expect(await storageEstimate(settings, { now: now + 59_000, sampleSize: 2 })).toEqual(first);
      expect(partitionReads).toBe(4);
      await storageEstimate(settings, { now: now + 60_000, sampleSize: 2 });
      expect(partitionReads).toBe(8);
    } finally {
      doc.middlewareStack.remove('count-partition-reads');
      forgetStorageEstimate();
    }
  });

  it('a run that does not fit one invocation continues through its queue, with the cutoffs of its start', async () => {
    const users = [await newUserId(), await newUserId()];
    for (const userId of users) {
      await writeSeriesSamples(userId, 'src', 'heart_rate', [
        { timestamp: Date.UTC(2024, 5, 1, 10), value: 60, zoneOffset: null, isDailyTotal: null },
      ]);
    }
    await call('PUT', { archive_after_days: 30 });
    // Its deadline already passed: the first invocation hands everything to its continuation.
    expect(await runArchival({ task_id: 'long' }, Date.now() - 1)).toMatchObject({
      continued: true,
      users: 0,
    });
    await call('PUT', {});
    const { urls } = queues.get();
    const [job] = await drainQueue(urls.archival, (b) => archivalJob.parse(b));
    expect(job).toMatchObject({ task_id: 'long', cutoffs: { purge_before: null } });
    const event: SQSEvent = {
      Records: [
        {
          messageId: 'm1',
          receiptHandle: 'r1',
          body: JSON.stringify(job),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(Date.now()),
            SenderId: 'test',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:local:000000000000:archival',
          awsRegion: 'local',
        },
      ],
    };
    const out = await archivalWorker(event, createLambdaContext('archival-worker', 900_000));
    expect(out).toEqual({ batchItemFailures: [] });
    for (const userId of users) {
      expect(await rawItemsIn(userId, 'heart_rate', 0, Date.now())).toEqual([]);
      expect(await listArchiveItems(userId)).toHaveLength(1);
    }
    forgetStorageEstimate();
    const { storage } = (await call('GET')).body;
    expect(storage).toMatchObject({ archive_row_count: 2, growth_class: 'linear' });
    expect(storage.archive_data_bytes).toBeGreaterThan(0);
  });
});
