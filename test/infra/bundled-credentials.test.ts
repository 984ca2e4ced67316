import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '#lib/bundling.js';

/**
 * With the SDK bundled (the default), the SDK's default credential chain is replaced by Lambda's environment
 * credentials (lib/bundling.ts, shared/config/lambda-credentials.ts). Built as `cdk synth` builds a function and run in
 * a fresh process against DynamoDB Local: the bundle signs with the credentials in its environment, and without them
 * fails at once naming them, rather than trying profiles, SSO or instance metadata.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

async function bundle(): Promise<{ file: string; inputs: string[] }> {
  const outdir = mkdtempSync(join(tmpdir(), 'bundled-credentials-'));
  const file = join(outdir, 'index.mjs');
  const entry = join(ROOT, 'test/fixtures/bundle/read-item.ts');
  const { metafile } = await build({
    ...esbuildOptions({ bundleAwsSdk: true }, entry, outdir),
    absWorkingDir: ROOT,
    metafile: true,
  });
  return { file, inputs: Object.keys(metafile.inputs) };
}

/** Runs the bundle's handler in a fresh Node process with only `env` (plus PATH); its JSON answer or its error. */
async function invoke(file: string, env: Record<string, string>) {
  const script = `import(${JSON.stringify(file)}).then((m) => m.handler()).then(
    (r) => process.stdout.write(JSON.stringify({ ok: r })),
    (e) => process.stdout.write(JSON.stringify({ error: e.name + ': ' + e.message })))`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH!, HOME: mkdtempSync(join(tmpdir(), 'no-aws-profile-')), ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as { ok?: unknown; error?: string };
}

describe('a bundled function’s AWS credentials', () => {
  const lambdaEnv = {
    AWS_REGION: process.env.AWS_REGION!,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
    TABLE_NAME: process.env.TABLE_NAME!,
  };

  it('come from the environment, and the rest of the default chain is not in the bundle', async () => {
    const { file, inputs } = await bundle();
    expect(
      inputs.filter((input) => /credential-provider-(node|ini|sso|process|web-identity)\//.test(input)),
    ).toEqual([]);
    expect(inputs.some((input) => input.includes('@aws-sdk/nested-clients/'))).toBe(false);
    expect(inputs.some((input) => input.includes('@aws-sdk/credential-provider-env/'))).toBe(true);

    const answer = await invoke(file, {
      ...lambdaEnv,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID!,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY!,
      AWS_SESSION_TOKEN: 'session-token-as-lambda-sets-it',
    });
    expect(answer).toEqual({ ok: null });
  }, 120_000);

  it('are missing: the call fails naming the environment variables', async () => {
    const { file } = await bundle();
    const answer = await invoke(file, lambdaEnv);
    expect(answer.error).toMatch(/CredentialsProviderError: Unable to find environment variable credentials/);
  }, 120_000);
});
