import { benchBundles } from './bundles.js';
import { benchLatency } from './latency.js';

/** `npm run bench`: prints figures; nothing here is asserted or gates CI. */
console.log(`Open Wearables Serverless benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
console.log('Lambda bundles (esbuild, minified ESM, AWS SDK bundled) and cold module initialisation:');
console.table(await benchBundles());
console.log('\nSandbox latency, sequential requests:');
console.table(await benchLatency());
