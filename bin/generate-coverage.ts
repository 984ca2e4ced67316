import { writeFileSync } from 'node:fs';
import { scanCoverage } from './coverage-scan.js';

/**
 * `npm run provider-coverage`: writes shared/providers/coverage.json, what each provider's code maps (bin/coverage-scan.ts),
 * which GET /meta/coverage serves as its matrix. A unit test fails when the file is stale.
 */
const target = new URL('../shared/providers/coverage.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(scanCoverage(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
