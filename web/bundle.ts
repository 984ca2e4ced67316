import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

/** One file of the dashboard, by its path under the site root (`index.html`, `assets/app.js`, ...). */
export interface DashboardFile {
  contentType: string;
  body: Uint8Array;
}

export type DashboardFiles = Map<string, DashboardFile>;

const WEB_DIR = new URL('./', import.meta.url);

/**
 * The dashboard as its deployed files, built in memory: `index.html` (the asset URLs carry a content hash, so a
 * CDN may cache `assets/*` for long), `assets/app.js` and `assets/app.css`. The sandbox serves this map;
 * `npm run web:build` writes it to web/dist for the S3 bucket.
 */
export async function bundleDashboard(): Promise<DashboardFiles> {
  const result = await build({
    absWorkingDir: new URL('..', WEB_DIR).pathname,
    entryPoints: { app: new URL('src/main.tsx', WEB_DIR).pathname },
    outdir: 'assets',
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: DashboardFiles = new Map();
  const hash = createHash('sha256');
  for (const output of result.outputFiles) {
    const name = `assets/${output.path.split('/').at(-1)}`;
    const contentType = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    files.set(name, { contentType, body: output.contents });
    hash.update(output.contents);
  }
  const template = await readFile(new URL('index.html', WEB_DIR), 'utf8');
  const html = template.replaceAll('%HASH%', hash.digest('hex').slice(0, 12));
  files.set('index.html', { contentType: 'text/html; charset=utf-8', body: new TextEncoder().encode(html) });
  return files;
}
