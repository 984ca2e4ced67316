import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { getCheckpoint } from '#shared/imports/checkpoints.js';
import { importBucket } from '#shared/imports/import-bucket.js';
import { type ImportJob, type ImportOutcome, runImport } from '#shared/imports/import-run.js';
import { importMessage } from '#shared/imports/notification.js';
import { MAX_IMPORT_BYTES, runIdOf } from '#shared/imports/upload-rules.js';
import { eraseUserData } from '#shared/store/erase-user.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { tombstoneUser, userPartitionKeys } from '#shared/store/users.js';
import { recentSyncEvents } from '#shared/sync/status-read.js';
import { appleExportText } from '#test/helpers/apple-export.js';

/**
 * What must not happen when notifications race: an upload replaced mid-import, a continuation arriving after it,
 * a notification delivered twice at once, a user deleted mid-import, an object over the size cap. The object is
 * put through the folder bucket (as the sandbox's uploads are), so its ETag is the real one.
 */

const A = appleExportText({ days: 3, heartRatesPerDay: 10, start: Date.UTC(2024, 0, 1) });
const B = appleExportText({ days: 2, heartRatesPerDay: 7, start: Date.UTC(2024, 5, 1) });
let root: string;
const previousRoot = process.env.OBJECTS_DIR;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ow-import-guards-'));
  process.env.OBJECTS_DIR = root;
});
afterAll(async () => {
  if (previousRoot === undefined) delete process.env.OBJECTS_DIR;
  else process.env.OBJECTS_DIR = previousRoot;
  await rm(root, { recursive: true, force: true });
});

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

async function put(key: string, content: string): Promise<ImportJob> {
  await (await importBucket('imports')).put(key, Buffer.from(content), 'application/xml');
  return { bucket: 'imports', key, etag: md5(content), size: Buffer.byteLength(content) };
}

async function importAll(job: ImportJob, batch = 5000): Promise<ImportOutcome> {
  let outcome = await runImport(job, 0, batch);
  while (outcome === 'continue') outcome = await runImport({ ...job, continuation: true }, 0, batch);
  return outcome;
}

const heartRates = async (userId: string) =>
  (await readSeriesSamples(userId, 'heart_rate', 0, Date.UTC(2100, 0))).sources.flatMap((s) => s.samples);

describe('Apple Health import under racing notifications', () => {
  it('a replaced upload: the old run stops, its continuations and stale notifications change nothing', async () => {
    const user = await createUser({});
    const key = `${user.id}/raw/export.xml`;
    const first = await put(key, A);
    expect(await runImport(first, 0, 5)).toBe('continue');
    const cut = await getCheckpoint(user.id, key);
    expect(cut).toMatchObject({ etag: first.etag, status: 'running' });
    expect(cut!.offset).toBeGreaterThan(0);

    const second = await put(key, B);
    // The old run's continuation and a late copy of its notification: the object is another one now.
    expect(await runImport({ ...first, continuation: true }, 0, 5)).toBe('skipped');
    expect(await runImport(first, 0, 5)).toBe('skipped');
    expect(await getCheckpoint(user.id, key)).toEqual(cut);
    // A continuation never starts a run, even for the object there now.
    expect(await runImport({ ...second, continuation: true }, 0, 5)).toBe('skipped');
    expect(await getCheckpoint(user.id, key)).toEqual(cut);

    expect(await importAll(second, 5)).toBe('completed');
    const done = await getCheckpoint(user.id, key);
    expect(done).toMatchObject({
      etag: second.etag,
      status: 'completed',
      offset: Buffer.byteLength(B),
      counters: { malformed: 0, workouts_saved: 2 },
    });
    expect(await runImport({ ...first, continuation: true }, 0, 5)).toBe('skipped');
    expect(await getCheckpoint(user.id, key)).toEqual(done);
    // The old run ends as such in the user's sync runs, instead of staying in progress.
    const events = await recentSyncEvents(user.id, 200);
    const ended = events.filter((e) => e.run_id === runIdOf(first) && e.ended_at);
    expect(ended).toMatchObject([
      { status: 'failed', message: expect.stringContaining('upload was replaced') },
    ]);
    // B's 14 heart rates, and only the ones of A's first batch besides (A's run was cut there).
    const stored = await heartRates(user.id);
    expect(stored.filter((s) => s.timestamp >= Date.UTC(2024, 5, 1))).toHaveLength(14);
  });

  it('two copies of one notification at once: one imports, the other is skipped; totals as a single run', async () => {
    const single = await createUser({});
    await importAll(await put(`${single.id}/raw/export.xml`, A));
    const expected = (await getCheckpoint(single.id, `${single.id}/raw/export.xml`))!.counters;

    const user = await createUser({});
    const job = await put(`${user.id}/raw/export.xml`, A);
    const outcomes = await Promise.all([
      runImport(job, Number.POSITIVE_INFINITY, 5),
      runImport(job, Number.POSITIVE_INFINITY, 5),
    ]);
    expect(outcomes.sort()).toEqual(['completed', 'skipped']);
    expect((await getCheckpoint(user.id, job.key))?.counters).toEqual(expected);
    expect(await heartRates(user.id)).toEqual(await heartRates(single.id));
  });

  it('a user deleted mid-import: the run stops (skipped, not retried) and nothing of theirs comes back', async () => {
    const user = await createUser({});
    const job = await put(`${user.id}/raw/export.xml`, A);
    const bucket = await importBucket('imports');
    const read = bucket.read.bind(bucket);
    // The user is deleted (tombstone, then erasure) once half of the object was read.
    bucket.read = async (key, from, etag) => {
      const opened = await read(key, from, etag);
      if (typeof opened === 'string') return opened;
      const bytes = Buffer.concat(await opened.body.toArray());
      const half = Math.floor(bytes.length / 2);
      async function* halves() {
        yield bytes.subarray(0, half);
        await tombstoneUser(user.id);
        await eraseUserData(user.id, Date.now() + 10_000);
        yield bytes.subarray(half);
      }
      return { size: opened.size, body: Readable.from(halves()) };
    };
    try {
      expect(await runImport(job, Number.POSITIVE_INFINITY, 5)).toBe('skipped');
    } finally {
      bucket.read = read;
    }
    expect(await runImport({ ...job, continuation: true }, Number.POSITIVE_INFINITY, 5)).toBe('skipped');
    expect(await runImport(job, Number.POSITIVE_INFINITY, 5)).toBe('skipped');
    const left = await userPartitionKeys(user.id);
    expect(left.filter((k) => k.SK !== 'PROFILE')).toEqual([]);
    expect(await heartRates(user.id)).toEqual([]);
  });

  it('an object over the import size cap, as notified, is left alone', async () => {
    const user = await createUser({});
    const job = await put(`${user.id}/raw/export.xml`, A);
    const [notified] = importMessage.parse({
      Records: [
        {
          eventName: 'ObjectCreated:CompleteMultipartUpload',
          s3: {
            bucket: { name: 'imports' },
            object: { key: job.key, eTag: `"${job.etag}"`, size: MAX_IMPORT_BYTES + 1 },
          },
        },
      ],
    });
    expect(notified).toMatchObject({ key: job.key, etag: job.etag, size: MAX_IMPORT_BYTES + 1 });
    expect(await runImport(notified!, Number.POSITIVE_INFINITY)).toBe('skipped');
    expect(await getCheckpoint(user.id, job.key)).toBeUndefined();
  });
});
