import { AsyncLocalStorage } from 'node:async_hooks';

/** A user's partition and their time series. */
const USER_DATA = ['USER#', 'TS#'] as const;
/** Items of a user keyed elsewhere, found through GSI1 `USER#<id>`: tokens, codes, states, links, locks. */
const USER_INDEXED = ['RT#', 'INVCODE#', 'OAUTHSTATE#', 'PROVACCOUNT#', 'USEREXT#'] as const;

/**
 * The partition keys each function may write (put, update, delete), by prefix. On AWS they are the
 * `dynamodb:LeadingKeys` condition of the function's write permission (lib/app-function.ts), so for instance the
 * `sdk` function cannot touch a password hash (`DEV#`); the sandbox holds every invocation to the same scope
 * (`runAsFunction`), so a missing prefix fails the end-to-end tests, not a deployment. Reads are not scoped by key,
 * but by action (`checkTableActions`).
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

/** What every function that reads the table may do (lib/app-function.ts `bindTable`): items and queries, no Scan. */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
/** What a function with a write scope may do, on the partition keys of its scope. */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** Actions one function needs beyond those, granted to it alone. */
export const EXTRA_TABLE_ACTIONS: Partial<Record<ScopedFunction, readonly string[]>> = {
  // The one-time listing backfill of developers from before the team routes (store/developer-setup.ts), which the
  // first login of a fresh deployment runs. Reads are not scoped: a Scan shows nothing a Get could not.
  tokens: ['dynamodb:Scan'],
};
/** Functions without the table's reads (lib/api.ts): GetItem of these partition-key prefixes only, or nothing. */
export const NARROW_READS: Partial<Record<ScopedFunction, readonly string[]>> = {
  meta: [],
  // The app secrets a provider returned once (store/app-secrets.ts), for verifying its webhooks.
  webhooks: ['APPSECRET#'],
};

const running = new AsyncLocalStorage<ScopedFunction>();

/** Runs one invocation as `name` (the sandbox): its table calls are held to what IAM allows that function. */
export const runAsFunction = <T>(name: ScopedFunction, work: () => T): T => running.run(name, work);

export class TableAccessError extends Error {
  override name = 'AccessDeniedException';
}

/** Throws as IAM would when the running function (if any) may not write one of these partition keys. */
export function checkWriteScope(partitionKeys: string[]): void {
  const name = running.getStore();
  if (!name) return;
  const allowed: readonly string[] = WRITE_SCOPES[name];
  const denied = partitionKeys.find((pk) => !allowed.some((prefix) => pk.startsWith(prefix)));
  if (denied !== undefined) {
    throw new TableAccessError(`${name} may not write partition ${denied.replace(/#.*/, '#...')}`);
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

const ITEM_ACTIONS: Record<string, string> = {
  Get: 'GetItem',
  BatchGet: 'BatchGetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchWrite: 'BatchWriteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/** The IAM actions a DynamoDB command needs (a transaction is authorised per item); document or low-level. */
export function tableActions(commandName: string, input: Input): string[] {
  const command = commandName.replace(/(Item|Items)?Command$/, '');
  const action = (name: string) => `dynamodb:${ITEM_ACTIONS[name] ?? name}`;
  if (command === 'TransactWrite') {
    return ((input.TransactItems ?? []) as Input[]).flatMap((item) => Object.keys(item).map(action));
  }
  if (command === 'TransactGet') return [action('Get')];
  return [action(command)];
}

/** Throws as IAM would when the running function (if any) may not make this table call. */
export function checkTableActions(commandName: string, input: Input): void {
  const name = running.getStore();
  if (!name) return;
  const actions = tableActions(commandName, input);
  const narrow = NARROW_READS[name];
  if (narrow) {
    const key = pkOf(input.Key);
    const readable = key !== undefined && narrow.some((prefix) => key.startsWith(prefix));
    if (actions.every((action) => action === 'dynamodb:GetItem') && readable) return;
    throw new TableAccessError(
      `${name} may not ${actions.join(', ')} on ${key?.replace(/#.*/, '#...') ?? 'the table'}`,
    );
  }
  // Only the read actions are granted on the index too.
  const onIndex = input.IndexName !== undefined;
  const allowed = [
    ...TABLE_READ_ACTIONS,
    ...(onIndex ? [] : WRITE_SCOPES[name].length > 0 ? TABLE_WRITE_ACTIONS : []),
    ...(onIndex ? [] : (EXTRA_TABLE_ACTIONS[name] ?? [])),
  ];
  const denied = actions.find((action) => !allowed.includes(action));
  if (denied !== undefined)
    throw new TableAccessError(`${name} may not ${denied}${onIndex ? ' on an index' : ''}`);
}
