import { writeFileSync } from 'node:fs';
import { allRoutes } from '#shared/api/index.js';
import { openApiDocument } from '#shared/http/openapi.js';

/**
 * `npm run openapi`: writes shared/api/openapi.json from the route tables' zod schemas. The meta function
 * serves that file (and learns every path from it for its 404/405 answers) instead of importing every area's
 * code; a unit test fails when the file is stale.
 */
const target = new URL('../shared/api/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(openApiDocument(allRoutes), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
