import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BuildOptions, type BuildResult, buildSync, type Metafile } from 'esbuild';

/**
 * The AWS SDK v3, all of it: the nodejs22.x runtime ships one copy, and a bundle must never mix a bundled
 * `@smithy/*` with the runtime's `@aws-sdk/*` (or the reverse).
 */
export const AWS_SDK_PACKAGES = ['@aws-sdk/*', '@smithy/*'];

/**
 * With the SDK bundled, its default credential chain is replaced by the environment credentials Lambda provides
 * (shared/config/lambda-credentials.ts): the chain's other links are 100-130 KB of every bundle. The path is
 * relative to the project root, the working directory of every build.
 */
const LAMBDA_CREDENTIALS = {
  '@aws-sdk/credential-provider-node': './shared/config/lambda-credentials.ts',
};

/**
 * What a bundle is built with: the pinned AWS SDK (`-c bundleAwsSdk`, default true) and Powertools Tracer
 * (`-c tracing`, default false).
 */
export interface BundleSettings {
  bundleAwsSdk: boolean;
  tracing?: boolean;
}

/**
 * How every function is bundled (lib/app-function.ts, bench/bundles.ts, the bundle tests): minified ESM for node22
 * into `outdir` (its handler `index.mjs`), source maps without sources, the pinned AWS SDK bundled (with Lambda's
 * credentials only) unless `-c bundleAwsSdk=false` leaves it to the runtime. Code splitting puts what the handler
 * only reaches through `import()` (the S3, KMS, SES and Secrets Manager clients) in chunk files that Node compiles on
 * first use, not at every cold start (README "Bundles"). With `tracing`, the `xray-tracer` condition resolves
 * `#tracer` (package.json) to Powertools Tracer (shared/tracing/xray.ts); without it to nothing
 * (shared/tracing/off.ts), so untraced bundles carry no X-Ray SDK.
 */
export function esbuildOptions(
  { bundleAwsSdk, tracing = false }: BundleSettings,
  entry: string,
  outdir: string,
): BuildOptions {
  return {
    entryPoints: [entry],
    outdir,
    entryNames: 'index',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    // Setting conditions drops esbuild's implicit `module`, hence listed again.
    ...(tracing ? { conditions: ['xray-tracer', 'module'] } : {}),
    external: bundleAwsSdk ? [] : AWS_SDK_PACKAGES,
    alias: bundleAwsSdk ? LAMBDA_CREDENTIALS : {},
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // Bundled CommonJS modules require() Node built-ins; an ESM bundle has no require unless we make one.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    // esbuild's warnings print at synth, as the CLI NodejsFunction ran printed them.
    logLevel: 'warning',
  };
}

/**
 * Builds `functions/<name>.ts` into `outdir` as the stack deploys it, with `files` (path in the bundle -> path
 * under `root`) copied beside it for the handler to read at runtime.
 */
export function bundleFunction(
  root: string,
  name: string,
  outdir: string,
  options: BundleSettings & { files?: Record<string, string>; metafile?: boolean },
): BuildResult {
  const result = buildSync({
    ...esbuildOptions(options, join(root, 'functions', `${name}.ts`), outdir),
    absWorkingDir: root,
    metafile: options.metafile ?? false,
  });
  for (const [to, from] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(outdir, to)), { recursive: true });
    copyFileSync(join(root, from), join(outdir, to));
  }
  return result;
}

/**
 * What Node loads when it imports `entry` (an output path of `metafile`), for the bench and the bundle tests: the
 * output files (the entry and the chunks it imports statically), the external modules they import statically, and
 * the external modules they leave to `import()`.
 */
export function loadedAtStart(metafile: Metafile, entry: string) {
  const files = new Set<string>();
  const externals = new Set<string>();
  const externalsOnFirstUse = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    for (const { path: next, kind, external } of metafile.outputs[path]!.imports) {
      if (kind === 'dynamic-import' && external) externalsOnFirstUse.add(next);
      if (kind !== 'import-statement') continue;
      if (external) externals.add(next);
      else visit(next);
    }
  };
  visit(entry);
  return { files: [...files], externals: [...externals], externalsOnFirstUse: [...externalsOnFirstUse] };
}
