import { AsyncLocalStorage } from 'node:async_hooks';

/** A user's partition and their time series. */
const USER_DATA = ['USER#', 'TS#'] as const;
/** Items of a user keyed elsewhere, found through GSI1 `USER#<id>`: tokens, codes, states, links, locks. */
const USER_INDEXED = ['RT#', 'INVCODE#', 'OAUTHSTATE#', 'PROVACCOUNT#', 'USEREXT#'] as const;

/**
 * The partition keys each function may write (put, update, delete), by prefix. On AWS they are the
 * `dynamodb:LeadingKeys` condition of the function's write permission (lib/app-function.ts), so for instance the
 * `sdk` function cannot touch a password hash (`DEV#`); the sandbox holds every invocation to the same scope
 * (`runAsFunction`), so a missing prefix fails the end-to-end tests, not a deployment. Reads are not scoped.
 */
export const WRITE_SCOPES = {
  users: [...USER_DATA, ...USER_INDEXED],
  tokens: [
    'DEV#',
    'DEVEMAIL#',
    'APIKEY#',
    'APIKEYHASH#',
    'APP#',
    'RT#',
    'RTFAMILY#',
    'INVCODE#',
    'THROTTLE#',
    // The team: invitations and their token items, and the outgoing endpoints of a deleted developer (disabled:
    // nobody could manage them any more).
    'INVITE#',
    'INVITETOKEN#',
    'WHEP#',
  ],
  sdk: USER_DATA,
  // Deletes events.
  data: ['USER#'],
  meta: [],
  // Connections, their account links, OAuth states, provider settings, sync status and slots, and the secrets a
  // provider returns when a webhook subscription is created (store/app-secrets.ts).
  oauth: ['USER#', 'PROVACCOUNT#', 'OAUTHSTATE#', 'PROVIDERSETTINGS', 'APPSECRET#'],
  // Sync status and slots; an inline sync saves provider data and takes from the providers' request budgets.
  sync: [...USER_DATA, 'RATEBUDGET#'],
  // Verifies and queues; DEV-authenticated subscription routes write nothing either.
  webhooks: [],
  'erasure-worker': [...USER_DATA, ...USER_INDEXED],
  'sleep-finaliser': USER_DATA,
  'sdk-upload-worker': USER_DATA,
  // Imported samples, the import's checkpoint and its sync status.
  'apple-import-worker': USER_DATA,
  // Archived aggregates (user partition), the raw samples they replace, the settings' last scheduled run.
  'archival-worker': [...USER_DATA, 'ARCHIVAL'],
  'sdk-authorizer': [],
  // The watchdog's catch-up slots.
  'sync-dispatcher': ['USER#'],
  // Provider data, and the app-wide request budgets of the providers (shared/store/rate-budgets.ts).
  'sync-worker': [...USER_DATA, 'RATEBUDGET#'],
  // The same, and revoking connections (a deregistration removes the account link too).
  'webhook-worker': [...USER_DATA, 'PROVACCOUNT#', 'RATEBUDGET#'],
  // Integrator endpoints (WHEP#: the endpoint, the per-developer count, delivery states) and the test messages it
  // sends (WHMSG: a test message names no user).
  outgoing: ['WHEP#', 'WHMSG'],
  // The messages of the events it fans out (user partition or WHMSG).
  'event-fanout': ['USER#', 'WHMSG'],
  // Attempts, delivery states, the endpoint's failure tracking (all under WHEP#).
  'webhook-delivery': ['WHEP#'],
  // Priorities, seeded users and their data, archived aggregates.
  admin: ['ARCHIVAL', 'PRIORITIES', 'USER#'],
} as const satisfies Record<string, readonly string[]>;

export type ScopedFunction = keyof typeof WRITE_SCOPES;

const running = new AsyncLocalStorage<ScopedFunction>();

/** Runs one invocation as `name` (the sandbox): its table writes are held to that function's scope. */
export const runAsFunction = <T>(name: ScopedFunction, work: () => T): T => running.run(name, work);

export class WriteScopeError extends Error {
  override name = 'AccessDeniedException';
}

/** Throws as IAM would when the running function (if any) may not write one of these partition keys. */
export function checkWriteScope(partitionKeys: string[]): void {
  const name = running.getStore();
  if (!name) return;
  const allowed: readonly string[] = WRITE_SCOPES[name];
  const denied = partitionKeys.find((pk) => !allowed.some((prefix) => pk.startsWith(prefix)));
  if (denied !== undefined) {
    throw new WriteScopeError(`${name} may not write partition ${denied.replace(/#.*/, '#...')}`);
  }
}

type Input = Record<string, unknown>;

/** `PK` of an item or key, plain or marshalled (`{ S: ... }`). */
const pkOf = (record: unknown): string | undefined => {
  const pk = (record as { PK?: unknown } | undefined)?.PK;
  if (typeof pk === 'string') return pk;
  const marshalled = (pk as { S?: unknown } | undefined)?.S;
  return typeof marshalled === 'string' ? marshalled : undefined;
};

/** The partition keys a DynamoDB write command writes (condition checks are reads); document or low-level. */
export function writtenPartitionKeys(commandName: string, input: Input): string[] {
  const command = commandName.replace(/(Item|Items)?Command$/, '');
  const keys: Array<string | undefined> = [];
  if (command === 'Put') keys.push(pkOf(input.Item));
  else if (command === 'Update' || command === 'Delete') keys.push(pkOf(input.Key));
  else if (command === 'BatchWrite') {
    for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, Input[]>)) {
      for (const request of requests) {
        keys.push(
          pkOf((request.PutRequest as Input | undefined)?.Item),
          pkOf((request.DeleteRequest as Input | undefined)?.Key),
        );
      }
    }
  } else if (command === 'TransactWrite') {
    for (const item of (input.TransactItems ?? []) as Input[]) {
      keys.push(
        pkOf((item.Put as Input | undefined)?.Item),
        pkOf((item.Update as Input | undefined)?.Key),
        pkOf((item.Delete as Input | undefined)?.Key),
      );
    }
  }
  return keys.filter((key): key is string => key !== undefined);
}
