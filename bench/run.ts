import { benchAppleImport } from './apple-import.js';
import { benchBundles } from './bundles.js';
import { benchDelivery } from './delivery.js';
import { benchIngest } from './ingest.js';
import { benchLargePush } from './large-push.js';
import { benchLatency } from './latency.js';
import { benchProviders } from './providers.js';
import { benchSync } from './sync.js';
import { benchWebhooks } from './webhooks.js';

/** `npm run bench [bundles|latency|ingest ...]`: prints figures; nothing here is asserted or gates CI. */
// The sandbox runs on the local Node (20 here); Lambda runs 22. The SDK's upgrade notice is noise in figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const selected = new Set(process.argv.slice(2));
const wanted = (name: string) => selected.size === 0 || selected.has(name);

console.log(`Open Wearables Serverless benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
if (wanted('bundles')) {
  console.log('Lambda bundles (as `cdk synth` builds them, lib/bundling.ts) and cold module initialisation:');
  console.table(benchBundles());
}
if (wanted('latency')) {
  console.log('\nSandbox latency, sequential requests:');
  console.table(await benchLatency());
}
if (wanted('ingest')) {
  console.log('\nSDK ingestion of a synthetic Apple Watch week through POST /sdk/users/{id}/sync:');
  const ingest = await benchIngest();
  console.table(ingest.summary);
  console.table(ingest.storage);
  console.log(`write units: ${ingest.ratio}x fewer than one item per sample`);
  console.log('\nOne-day heart-rate reads (200 sequential):');
  console.table(ingest.reads);
}
if (wanted('large')) {
  console.log(
    '\nSDK pushes, synchronous vs storage-first (19,000 Health Connect heart-rate samples each, about 9 MB as one round):',
  );
  console.table(await benchLargePush());
}
if (wanted('import')) {
  console.log(
    '\nApple Health export import (generated export in the local bucket, worker with checkpoints):',
  );
  console.table(await benchAppleImport());
}
if (wanted('sync')) {
  const sync = await benchSync();
  console.log('\nSync dispatcher: one live job per active connection, through local SQS:');
  console.table(sync.dispatcher);
  console.log('\n90-day backfills of one user against the fake providers (OAuth connect -> completed run):');
  console.table(sync.backfills);
}
if (wanted('webhooks')) {
  const webhooks = await benchWebhooks();
  console.log('\nProvider webhook ingress (Garmin pushes to the sandbox; the worker consumes meanwhile):');
  console.table(webhooks.acks);
  console.log('\nNotification -> readable through GET /events/workouts (one new activity at a time):');
  console.table(webhooks.delay);
  console.log('\nA realistic Garmin week pushed per summary type and day (write units metered):');
  console.table(webhooks.units);
}
if (wanted('providers')) {
  const providers = await benchProviders();
  console.log(
    '\n90-day backfills of one user per provider against its fake (OAuth connect -> completed run):',
  );
  console.table(providers.backfills);
  console.log('\nNotification -> readable through GET /events/workouts (one new workout at a time):');
  console.table(providers.delays);
  console.log("\nWithings' shared budget: 200 users backfilling at once against the fake, for 3 minutes:");
  console.table(providers.budget ?? [{ result: 'not measured (see the failures below)' }]);
  if (providers.failures.length > 0) {
    console.log('\nSteps that failed (not measured):');
    console.table(providers.failures);
  }
}
if (wanted('delivery')) {
  console.log(
    '\nOutgoing webhooks: SDK pushes of 10 users, one endpoint subscribed to every event (sandbox):',
  );
  console.table(await benchDelivery());
}
if (wanted('cost')) await (await import('./cost.js')).printCost();
