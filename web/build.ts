import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleDashboard } from './bundle.js';

/** `npm run web:build`: the dashboard's files in web/dist (what the stack uploads to its bucket). */
const dist = fileURLToPath(new URL('./dist/', import.meta.url));

const files = await bundleDashboard();
await rm(dist, { recursive: true, force: true });
for (const [name, file] of files) {
  const path = join(dist, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file.body);
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  console.log(`${name}  ${kb(file.body.length)} KB, ${kb(gzipSync(file.body).length)} KB gzip`);
}
