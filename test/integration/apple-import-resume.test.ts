import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { getCheckpoint } from '#shared/imports/checkpoints.js';
import { type ImportOutcome, runImport } from '#shared/imports/import-run.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { recentSyncEvents } from '#shared/sync/status-read.js';
import { appleExportText } from '#test/helpers/apple-export.js';

/**
 * The import worker's engine against DynamoDB Local and a folder bucket: an import cut at every checkpoint (each
 * invocation stops after one batch and the next resumes with a ranged read) ends with the same totals and the
 * same stored samples as one that runs straight through; redelivered notifications change nothing.
 */

const EXPORT = appleExportText({ days: 3, heartRatesPerDay: 10, start: Date.UTC(2024, 0, 1) });
let root: string;
const previousRoot = process.env.OBJECTS_DIR;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ow-import-'));
  process.env.OBJECTS_DIR = root;
});
afterAll(async () => {
  if (previousRoot === undefined) delete process.env.OBJECTS_DIR;
  else process.env.OBJECTS_DIR = previousRoot;
  await rm(root, { recursive: true, force: true });
});

async function upload(content = EXPORT) {
  const user = await createUser({});
  const key = `${user.id}/raw/export.xml`;
  const file = join(root, 'imports', key);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
  // A file put there by hand has the ETag of a single-part upload: the MD5 of its bytes.
  const etag = createHash('md5').update(content).digest('hex');
  return { userId: user.id, job: { bucket: 'imports', key, etag } };
}

/** Runs invocations until the import is done; `deadline` 0 stops every invocation after its first batch. */
async function importAll(
  job: { bucket: string; key: string; etag: string },
  deadline: number,
  batch: number,
) {
  let invocations = 0;
  let outcome: ImportOutcome;
  do {
    outcome = await runImport({ ...job, continuation: invocations++ > 0 }, deadline, batch);
  } while (outcome === 'continue');
  return invocations;
}

const heartRates = async (userId: string) =>
  (await readSeriesSamples(userId, 'heart_rate', 0, Date.UTC(2100, 0))).sources.flatMap((s) => s.samples);

describe('Apple Health export import engine', () => {
  it('resumed from every checkpoint, ends with the same totals and samples as a straight run', async () => {
    const straight = await upload();
    expect(await importAll(straight.job, Number.POSITIVE_INFINITY, 5000)).toBe(1);
    const expected = await getCheckpoint(straight.userId, straight.job.key);
    expect(expected).toMatchObject({ status: 'completed', counters: { malformed: 0, workouts_saved: 3 } });
    expect(await heartRates(straight.userId)).toHaveLength(30);

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 40 }), async (batch) => {
        const cut = await upload();
        const invocations = await importAll(cut.job, 0, batch);
        expect(invocations).toBeGreaterThan(1);
        const checkpoint = await getCheckpoint(cut.userId, cut.job.key);
        expect(checkpoint?.counters).toEqual(expected?.counters);
        expect(checkpoint?.offset).toBe(Buffer.byteLength(EXPORT));
        expect(await heartRates(cut.userId)).toEqual(await heartRates(straight.userId));
      }),
      { numRuns: 4 },
    );
  });

  it('reports progress as an xml_import sync run; a redelivered notification is skipped', async () => {
    const { userId, job } = await upload();
    await importAll(job, 0, 20);
    expect(await runImport(job, Number.POSITIVE_INFINITY)).toBe('skipped');
    const events = await recentSyncEvents(userId, 200);
    expect(new Set(events.map((e) => e.source))).toEqual(new Set(['xml_import']));
    const stages = events.map((e) => e.stage);
    expect(stages).toContain('started');
    expect(stages).toContain('processing');
    expect(events.find((e) => e.stage === 'completed')).toMatchObject({ status: 'success', progress: 1 });
  });

  it('a broken file fails its run instead of being retried; keys of no user are left alone', async () => {
    const broken = await upload(`${EXPORT.slice(0, 3000)} <Record type="x${'a'.repeat(17 * 1024 * 1024)}`);
    expect(await runImport(broken.job, Number.POSITIVE_INFINITY)).toBe('completed');
    expect(await getCheckpoint(broken.userId, broken.job.key)).toMatchObject({ status: 'failed' });
    const stray = { bucket: 'imports', key: 'nobody/raw/export.xml', etag: 'e' };
    expect(await runImport(stray, Number.POSITIVE_INFINITY)).toBe('skipped');
  });
});
