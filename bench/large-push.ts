import { setTimeout as sleep } from 'node:timers/promises';
import { processUpload, uploadKey } from '#shared/ingest/sdk-uploads.js';
import { db } from '#shared/store/client.js';
import { objectStore } from '#shared/store/objects.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { meterCapacity } from './capacity.js';
import { startBenchSandbox } from './sandbox.js';

/**
 * The two ways an SDK push is stored (README "Large SDK pushes"): the HTTP API's synchronous route (rounds of
 * 2,000 records, Lambda's 6 MB limit) and the mobile ingress's storage-first route (one 9 MB Health Connect round,
 * stored as an object, ingested by the upload worker). Write units and worker time per 1,000 samples.
 */

const T0 = Date.UTC(2026, 9, 1);
const LARGE_ROUND = 19_000;
const SMALL_ROUND = 2_000;

const pixelWatch = {
  appId: 'com.google.android.apps.fitness',
  deviceManufacturer: 'Google',
  deviceModel: 'Pixel Watch 2',
  deviceType: 'watch',
};

/** A Health Connect heart-rate round as the Android SDK 0.11 sends it (about 550 bytes per record). */
function round(start: number, count: number) {
  const records = Array.from({ length: count }, (_, i) => {
    const at = new Date(start + i * 5000).toISOString();
    return {
      id: `hr-${start}-${i}`,
      parentId: `hr-${start}`,
      type: 'HEART_RATE',
      startDate: at,
      endDate: at,
      zoneOffset: '+01:00',
      source: pixelWatch,
      value: 55 + (i % 60),
      unit: 'bpm',
      metadata: {
        clientRecordId: null,
        clientRecordVersion: 0,
        lastModifiedTime: at,
        dataOrigin: pixelWatch.appId,
      },
    };
  });
  return {
    provider: 'google',
    sdkVersion: '0.11.0',
    syncTimestamp: new Date().toISOString(),
    data: { records },
  };
}

const storedCount = async (userId: string) =>
  (await listUserSeries(userId)).find((entry) => entry.series === 'heart_rate')?.count ?? 0;

export async function benchLargePush() {
  const sandbox = await startBenchSandbox();
  try {
    const meter = meterCapacity(db().doc);
    const per1000 = (value: number, samples: number) => ((value / samples) * 1000).toFixed(1);

    // Small path: the same samples in 2,000-record rounds through the HTTP API.
    const small = await sandbox.createUser();
    let before = meter.snapshot();
    let started = performance.now();
    for (let i = 0; i < LARGE_ROUND; i += SMALL_ROUND) {
      const body = round(T0 + i * 5000, Math.min(SMALL_ROUND, LARGE_ROUND - i));
      const answer = await sandbox.post(`/api/v1/sdk/users/${small}/sync`, body);
      if (answer.status !== 202) throw new Error(`small push failed: ${answer.status}`);
    }
    const smallMs = performance.now() - started;
    const smallUnits = meter.since(before).write;

    // Large path, as the worker runs it: the object stored, then ingested (pure worker time).
    const direct = await sandbox.createUser();
    const body = Buffer.from(JSON.stringify(round(T0, LARGE_ROUND)));
    const key = uploadKey(direct, 'bench');
    await objectStore().put('uploads', key, body);
    before = meter.snapshot();
    started = performance.now();
    await processUpload('uploads', key);
    const workerMs = performance.now() - started;
    const largeUnits = meter.since(before).write;

    // Large path end to end: the 9 MB body through the mobile ingress, until the worker has stored it.
    const viaIngress = await sandbox.createUser();
    started = performance.now();
    const answer = await fetch(`${sandbox.mobileUrl}/api/v1/sdk/users/${viaIngress}/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sandbox.apiKey },
      body,
    });
    const acceptedMs = performance.now() - started;
    if (answer.status !== 202) throw new Error(`ingress push failed: ${answer.status}`);
    const giveUp = Date.now() + 300_000;
    while ((await storedCount(viaIngress)) < LARGE_ROUND) {
      if (Date.now() > giveUp) throw new Error('the upload worker did not store the round within 5 minutes');
      await sleep(20);
    }
    const storedMs = performance.now() - started;

    return [
      {
        path: `HTTP API, ${Math.ceil(LARGE_ROUND / SMALL_ROUND)} rounds of 2,000`,
        'body MB': (Buffer.byteLength(JSON.stringify(round(T0, SMALL_ROUND))) / 1024 / 1024).toFixed(2),
        'write units / 1,000 samples': per1000(smallUnits, LARGE_ROUND),
        'function ms / 1,000 samples': per1000(smallMs, LARGE_ROUND),
        'answered after ms': (smallMs / Math.ceil(LARGE_ROUND / SMALL_ROUND)).toFixed(0),
        'stored after ms': (smallMs / Math.ceil(LARGE_ROUND / SMALL_ROUND)).toFixed(0),
      },
      {
        path: 'mobile ingress, one round (storage-first)',
        'body MB': (body.length / 1024 / 1024).toFixed(2),
        'write units / 1,000 samples': per1000(largeUnits, LARGE_ROUND),
        'function ms / 1,000 samples': per1000(workerMs, LARGE_ROUND),
        'answered after ms': acceptedMs.toFixed(0),
        'stored after ms': storedMs.toFixed(0),
      },
    ];
  } finally {
    await sandbox.stop();
  }
}
