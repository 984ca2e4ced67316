import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleDashboard } from '../web/bundle.js';

/**
 * `node --import tsx lib/dashboard-bundle.ts <dir>`: writes the dashboard's files to `<dir>`. lib/dashboard.ts runs
 * it in a child process at synth, since constructs are built synchronously and the bundler is asynchronous.
 */
const [outDir] = process.argv.slice(2);
if (!outDir) throw new Error('usage: dashboard-bundle.ts <output directory>');
for (const [name, file] of await bundleDashboard()) {
  const path = join(outDir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file.body);
}
