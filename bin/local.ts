import { DEFAULT_ADMIN_PASSWORD } from '#shared/sandbox/config.js';
import { type Sandbox, startSandbox } from '#shared/sandbox/sandbox.js';
import { startDemoProviders } from '#test/fakes/demo.js';

function loginExample(sandbox: Sandbox, localUrl: string): string[] {
  const { adminEmail, adminPassword } = sandbox.config;
  const isDefault = adminPassword === DEFAULT_ADMIN_PASSWORD;
  const password = isDefault ? adminPassword : '<the password in ADMIN_PASSWORD>';
  return [
    `  Log in as ${adminEmail}${isDefault ? '' : ' with the password in ADMIN_PASSWORD'}:`,
    `    curl -X POST ${localUrl}/api/v1/auth/login \\`,
    `      --data-urlencode 'username=${adminEmail}' --data-urlencode 'password=${password}'`,
  ];
}

/** How to click through a provider connection in the demo (`--demo`). */
function demoSteps(localUrl: string): string[] {
  return [
    `  Connect a (fake) wearable in the dashboard: ${localUrl}/#/providers, "Connect a demo user". Or over HTTP:`,
    '  log in as above, create an API key and a user, then open the authorize URL:',
    `    curl -s -X POST ${localUrl}/api/v1/users -H "X-Open-Wearables-API-Key: $KEY" -H 'content-type: application/json' -d '{}'`,
    `    curl -s "${localUrl}/api/v1/oauth/fitbit/authorize?user_id=<user id>" | jq -r .authorization_url`,
    '    (open it, click Allow; the backfill runs on the local queue; then GET /api/v1/users/<id>/connections)',
    '  The same works with ultrahuman, garmin (30 days of data, delivered by backfill pushes to the webhook),',
    '  strava, oura, whoop, polar, suunto, sensorbio, withings and google_health (30 to 60 days each; the push',
    '  providers send new data to the sandbox webhook through the demo subscriptions).',
  ];
}

function banner(sandbox: Sandbox, readyMs: number, demo: string[]): string {
  const localUrl = `http://localhost:${sandbox.port}`;
  const { inMemory, dataDir } = sandbox.config;
  return [
    `Open Wearables sandbox ready in ${readyMs} ms`,
    `  Dashboard: ${localUrl}/ (sign in as below)`,
    `  API:  ${localUrl}`,
    `  Mobile SDKs: ${sandbox.mobileUrl.replace('127.0.0.1', 'localhost')} (pushes up to 10 MB, everything else proxied)`,
    ...(sandbox.apiBaseUrl === localUrl ? [] : [`  API_BASE_URL: ${sandbox.apiBaseUrl}`]),
    `  Docs: ${localUrl}/docs`,
    `  Data: ${inMemory ? 'in memory (OW_IN_MEMORY), gone when stopped' : dataDir}`,
    ...loginExample(sandbox, localUrl),
    ...demo,
    ...(demo.length > 0 ? demoSteps(localUrl) : []),
    'Press Ctrl-C to stop.',
  ].join('\n');
}

function stopOnSignals(sandbox: Pick<Sandbox, 'stop'>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal while stopping: leave now (DynamoDB Local still dies with this process).
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox...`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

try {
  const demo = process.argv.includes('--demo') ? await startDemoProviders() : undefined;
  const sandbox = await startSandbox({ env: demo?.env ?? {}, demo: demo !== undefined });
  const readyMs = Math.round(performance.now());
  stopOnSignals({ stop: async () => void (await Promise.all([sandbox.stop(), demo?.stop()])) });
  const attached = (await demo?.attach(sandbox.url)) ?? [];
  console.log(banner(sandbox, readyMs, demo ? [...demo.describe(), ...attached] : []));
} catch (error) {
  console.error(`Could not start the sandbox: ${(error as Error).message}`);
  process.exit(1);
}
