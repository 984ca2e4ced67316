import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { META_BUNDLE_FILES } from '#lib/api.js';
import { esbuildOptions } from '#lib/bundling.js';

const ROOT = join(import.meta.dirname, '..');
// Inside the project: a bundle whose AWS SDK is external loads it from node_modules, as Lambda loads the runtime's.
const OUT = join(import.meta.dirname, 'out');
const RUNS = 10;
/** Files the stack ships next to a function's bundle (lib/app-function.ts `bundleFiles`), read at cold start. */
const BUNDLE_FILES: Record<string, Record<string, string>> = { meta: META_BUNDLE_FILES };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Env a cold start sees; importing a bundle must do no I/O, so none of these are reached. */
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
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: coldEnv }).toString(),
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

/** esbuild's record of the bundle written to `outfile`. */
const outputOf = (metafile: Metafile, outfile: string) =>
  Object.entries(metafile.outputs).find(([path]) => outfile.endsWith(path))![1];

/** The three largest groups of the bundle, by minified bytes esbuild attributes to them. */
function largest(metafile: Metafile, outfile: string): string {
  const output = outputOf(metafile, outfile);
  const sizes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    sizes.set(group(input), (sizes.get(group(input)) ?? 0) + bytesInOutput);
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)}`)
    .join(', ');
}

/**
 * Every `functions/*.ts` built as `cdk synth` builds it (lib/bundling.ts; `BUNDLE_AWS_SDK=true` as with
 * `-c bundleAwsSdk=true`), its size and the median cold initialisation of 10 fresh processes.
 */
export async function benchBundles() {
  const bundleAwsSdk = process.env.BUNDLE_AWS_SDK === 'true';
  const names = readdirSync(join(ROOT, 'functions')).map((file) => file.replace(/\.ts$/, ''));
  const built = await Promise.all(
    names.map(async (name) => {
      const outfile = join(OUT, name, 'index.mjs');
      mkdirSync(join(OUT, name), { recursive: true });
      const options = esbuildOptions(bundleAwsSdk, join(ROOT, 'functions', `${name}.ts`), outfile);
      const { metafile } = await build({ ...options, absWorkingDir: ROOT, metafile: true });
      for (const [to, from] of Object.entries(BUNDLE_FILES[name] ?? {})) {
        mkdirSync(dirname(join(OUT, name, to)), { recursive: true });
        copyFileSync(join(ROOT, from), join(OUT, name, to));
      }
      return { name, outfile, metafile };
    }),
  );
  return built.map(({ name, outfile, metafile }) => {
    return {
      function: name,
      KB: (outputOf(metafile, outfile).bytes / 1024).toFixed(1),
      'init ms (median of 10)': median(Array.from({ length: RUNS }, () => coldInit(outfile))).toFixed(1),
      'largest inputs (KB)': largest(metafile, outfile),
    };
  });
}
