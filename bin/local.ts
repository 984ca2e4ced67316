import { DEFAULT_ADMIN_PASSWORD } from '#shared/sandbox/config.js';
import { type Sandbox, startSandbox } from '#shared/sandbox/sandbox.js';

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

function banner(sandbox: Sandbox, readyMs: number): string {
  const localUrl = `http://localhost:${sandbox.port}`;
  const { inMemory, dataDir } = sandbox.config;
  return [
    `Open Wearables sandbox ready in ${readyMs} ms`,
    `  API:  ${localUrl}`,
    ...(sandbox.apiBaseUrl === localUrl ? [] : [`  API_BASE_URL: ${sandbox.apiBaseUrl}`]),
    `  Docs: ${localUrl}/docs`,
    `  Data: ${inMemory ? 'in memory (OW_IN_MEMORY), gone when stopped' : dataDir}`,
    ...loginExample(sandbox, localUrl),
    'Press Ctrl-C to stop.',
  ].join('\n');
}

function stopOnSignals(sandbox: Sandbox): void {
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
  const sandbox = await startSandbox();
  stopOnSignals(sandbox);
  console.log(banner(sandbox, Math.round(performance.now())));
} catch (error) {
  console.error(`Could not start the sandbox: ${(error as Error).message}`);
  process.exit(1);
}
