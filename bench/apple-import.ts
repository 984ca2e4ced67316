import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { appleExport } from '#test/helpers/apple-export.js';
import { startBenchSandbox } from './sandbox.js';

/**
 * An Apple Health export of BENCH_IMPORT_MB (default 300) MB, generated straight to the sandbox's bucket folder
 * (streamed, never held), imported by the worker's own code in "invocations" of BENCH_IMPORT_SLICE_S seconds
 * (default 60), each resuming from the previous one's checkpoint with a ranged read, as Lambda would.
 */
export async function benchAppleImport() {
  const targetBytes = Number(process.env.BENCH_IMPORT_MB ?? 300) * 1024 * 1024;
  const sliceMs = Number(process.env.BENCH_IMPORT_SLICE_S ?? 60) * 1000;
  const sandbox = await startBenchSandbox();
  try {
    const userId = await sandbox.createUser();
    const key = `${userId}/raw/bench-export.xml`;
    const file = join(process.env.OBJECTS_DIR!, 'imports', key);
    await mkdir(dirname(file), { recursive: true });
    const out = createWriteStream(file);
    // The ETag S3 would give it (single part): the import reads only that version of the object.
    const md5 = createHash('md5');
    let written = 0;
    const days = Math.ceil(targetBytes / 150_000);
    for (const chunk of appleExport({ days, heartRatesPerDay: 400, start: Date.UTC(2015, 0, 1) })) {
      written += Buffer.byteLength(chunk);
      md5.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((done) => out.once('drain', () => done()));
      if (written >= targetBytes && chunk !== '</HealthData>\n') {
        md5.update('</HealthData>\n');
        out.write('</HealthData>\n');
        break;
      }
    }
    await new Promise<void>((done) => out.end(() => done()));
    const size = (await stat(file)).size;

    const { runImport } = await import('#shared/imports/import-run.js');
    const { getCheckpoint } = await import('#shared/imports/checkpoints.js');
    const { readExport } = await import('#shared/imports/export-stream.js');
    const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
    let peakRss = 0;
    let peakHeap = 0;
    const sample = setInterval(() => {
      const { rss, heapUsed } = process.memoryUsage();
      peakRss = Math.max(peakRss, rss);
      peakHeap = Math.max(peakHeap, heapUsed);
    }, 100);

    // The streaming reader alone (split, SAX parse, map to SDK items): what the worker costs besides the writes.
    let started = Date.now();
    let items = 0;
    let elements = 0;
    for await (const element of readExport(createReadStream(file))) {
      elements++;
      items += element.items.records.length + element.items.sleep.length + element.items.workouts.length;
    }
    let seconds = (Date.now() - started) / 1000;
    const reader = {
      stage: 'reader (no writes)',
      'export MB': mb(size),
      elements,
      samples: items,
      invocations: 1,
      seconds: seconds.toFixed(1),
      'samples/s': Math.round(items / seconds),
      'MB/s': (size / 1024 / 1024 / seconds).toFixed(1),
      'peak RSS MB': mb(peakRss),
      'peak heap MB': mb(peakHeap),
    };
    peakRss = peakHeap = 0;
    started = Date.now();
    let invocations = 0;
    const job = { bucket: 'imports', key, etag: md5.digest('hex') };
    try {
      do invocations++;
      while (
        (await runImport({ ...job, continuation: invocations > 1 }, Date.now() + sliceMs)) === 'continue'
      );
    } finally {
      clearInterval(sample);
    }
    seconds = (Date.now() - started) / 1000;
    const checkpoint = await getCheckpoint(userId, key);
    const counters = checkpoint!.counters;
    const samples = counters.records_saved + counters.sleep_saved + counters.workouts_saved;
    const imported = {
      stage: 'import (DynamoDB Local)',
      'export MB': mb(size),
      elements: counters.elements,
      samples,
      invocations,
      seconds: seconds.toFixed(1),
      'samples/s': Math.round(samples / seconds),
      'MB/s': (size / 1024 / 1024 / seconds).toFixed(2),
      'peak RSS MB': mb(peakRss),
      'peak heap MB': mb(peakHeap),
    };
    return [reader, imported];
  } finally {
    await sandbox.stop();
  }
}
