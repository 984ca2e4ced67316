import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const OUT = join(import.meta.dirname, 'out');
const RUNS = 10;

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

export async function benchBundles() {
  const rows = [];
  const entries = readdirSync(join(import.meta.dirname, '..', 'functions')).map((f) =>
    f.replace(/\.ts$/, ''),
  );
  for (const area of entries) {
    const outfile = join(OUT, area, 'index.mjs');
    mkdirSync(join(OUT, area), { recursive: true });
    await build({
      entryPoints: [join(import.meta.dirname, '..', 'functions', `${area}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      minify: true,
      target: 'node20',
      mainFields: ['module', 'main'],
      logLevel: 'error',
    });
    const sizeKb = statSync(outfile).size / 1024;
    const inits = Array.from({ length: RUNS }, () => coldInit(outfile));
    rows.push({
      function: area,
      'bundle KB': sizeKb.toFixed(1),
      'init ms (median of 10)': median(inits).toFixed(1),
    });
  }
  return rows;
}
