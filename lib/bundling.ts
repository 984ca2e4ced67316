import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * The AWS SDK v3, all of it: the nodejs22.x runtime ships one copy, and a bundle must never mix a bundled
 * `@smithy/*` with the runtime's `@aws-sdk/*` (or the reverse).
 */
export const AWS_SDK_PACKAGES = ['@aws-sdk/*', '@smithy/*'];

/**
 * With the SDK bundled, its default credential chain is replaced by the environment credentials Lambda provides
 * (shared/config/lambda-credentials.ts): the chain's other links are 100-130 KB of every bundle. The path is
 * relative to the project root, where local bundling runs esbuild (a devDependency, so `cdk synth` never falls
 * back to Docker bundling).
 */
const LAMBDA_CREDENTIALS = {
  '@aws-sdk/credential-provider-node': './shared/config/lambda-credentials.ts',
};

const aliases = (map: Record<string, string>) => Object.entries(map).map(([from, to]) => `${from}=${to}`);

/**
 * How every function is bundled (lib/app-function.ts): minified ESM for node22, source maps without sources, the
 * pinned AWS SDK bundled (with Lambda's credentials only) unless `-c bundleAwsSdk=false` leaves it to the runtime
 * (README "Bundles").
 */
export function appBundling(bundleAwsSdk: boolean) {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    bundleAwsSDK: bundleAwsSdk,
    externalModules: bundleAwsSdk ? [] : AWS_SDK_PACKAGES,
    esbuildArgs: bundleAwsSdk ? { '--alias': aliases(LAMBDA_CREDENTIALS) } : undefined,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // Bundled CommonJS modules require() Node built-ins; an ESM bundle has no require unless we make one.
    banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  } satisfies BundlingOptions;
}

/**
 * The esbuild options `NodejsFunction` turns `appBundling` into (its `--bundle ... --platform=node` command), for
 * building a function in-process the way `cdk synth` does (bench/bundles.ts, test/infra/bundle-budget.test.ts).
 */
export function esbuildOptions(bundleAwsSdk: boolean, entry: string, outfile: string): BuildOptions {
  const bundling = appBundling(bundleAwsSdk);
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundling.target,
    mainFields: bundling.mainFields,
    external: bundling.externalModules,
    // The same `--alias:from=to` arguments, so a change to one cannot miss the other.
    alias: Object.fromEntries(
      [bundling.esbuildArgs?.['--alias'] ?? []].flat().map((entry) => entry.split('=') as [string, string]),
    ),
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    banner: { js: bundling.banner },
    logLevel: 'error',
  };
}
