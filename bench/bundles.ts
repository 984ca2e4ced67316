import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Metafile } from 'esbuild';
import { META_BUNDLE_FILES } from '#lib/api.js';
import { bundleFunction, loadedAtStart } from '#lib/bundling.js';

const ROOT = join(import.meta.dirname, '..');
// Inside the project: a bundle whose AWS SDK is external loads it from node_modules, as Lambda loads the runtime's.
const OUT = join(import.meta.dirname, 'out');
const RUNS = 10;
/** The Node that measures cold starts: `BENCH_NODE=/path/to/node` (Lambda runs Node 22), else this one. */
const NODE = process.env.BENCH_NODE ?? process.execPath;
/** Files the stack ships next to a function's bundle (lib/app-function.ts `bundleFiles`), read at cold start. */
const BUNDLE_FILES: Record<string, Record<string, string>> = { meta: META_BUNDLE_FILES };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Env a cold start sees; importing a bundle reaches none of these (meta reads its OpenAPI document from its folder). */
const coldEnv = {
  ...process.env,
  TABLE_NAME: 'bench',
  API_BASE_URL: 'https://example.com',
  JWT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt',
  ADMIN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:admin',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** Module initialisation of one bundle in a fresh Node process, in ms. */
function coldInit(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  return Number(
    execFileSync(NODE, ['--input-type=module', '-e', script], {
      env: { ...coldEnv, LAMBDA_TASK_ROOT: dirname(file) },
    }).toString(),
  );
}

/** A bundle input's group: its npm package, or its folder of the project (`shared/providers`). */
function group(input: string): string {
  const inPackage = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input);
  if (inPackage) return inPackage[1]!;
  return input
    .split('/')
    .slice(0, input.startsWith('shared/') ? 2 : 1)
    .join('/');
}

/** KB of `files` (output paths of the metafile). */
const kbOf = (metafile: Metafile, files: string[]) =>
  (files.reduce((sum, file) => sum + metafile.outputs[file]!.bytes, 0) / 1024).toFixed(1);

/** The three largest groups of `files`, by minified bytes esbuild attributes to them. */
function largest(metafile: Metafile, files: string[]): string {
  const sizes = new Map<string, number>();
  for (const file of files) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[file]!.inputs)) {
      sizes.set(group(input), (sizes.get(group(input)) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)}`)
    .join(', ');
}

/**
 * Every `functions/*.ts` built as `cdk synth` builds it (lib/bundling.ts; `BUNDLE_AWS_SDK=true` as with
 * `-c bundleAwsSdk=true`, `TRACING=true` as with `-c tracing=true`): the KB Node loads at a cold start (index.mjs
 * and the chunks it imports statically), the KB of every chunk, and the median cold initialisation of 10 fresh
 * processes.
 */
export function benchBundles() {
  const bundleAwsSdk = process.env.BUNDLE_AWS_SDK === 'true';
  const names = readdirSync(join(ROOT, 'functions')).map((file) => file.replace(/\.ts$/, ''));
  return names.map((name) => {
    const outdir = join(OUT, name);
    rmSync(outdir, { recursive: true, force: true });
    const { metafile } = bundleFunction(ROOT, name, outdir, {
      bundleAwsSdk,
      tracing: process.env.TRACING === 'true',
      files: BUNDLE_FILES[name],
      metafile: true,
    });
    const code = Object.keys(metafile!.outputs).filter((file) => file.endsWith('.mjs'));
    const atStart = loadedAtStart(metafile!, relative(ROOT, join(outdir, 'index.mjs'))).files;
    return {
      function: name,
      'KB at start': kbOf(metafile!, atStart),
      'KB in all': kbOf(metafile!, code),
      'init ms (median of 10)': median(
        Array.from({ length: RUNS }, () => coldInit(join(outdir, 'index.mjs'))),
      ).toFixed(1),
      'largest inputs at start (KB)': largest(metafile!, atStart),
    };
  });
}
