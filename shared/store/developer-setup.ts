import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db } from '#shared/store/client.js';
import { type Developer, ensureListed, listDevelopers } from '#shared/store/developers.js';
import type { TransactItem } from '#shared/store/user-guard.js';

/**
 * One-time state of the developer accounts, in the developers' key space (`DEV#`, never a developer: those have
 * SK `DEV`): whether the bootstrap admin was ever created, and how far the listing backfill has got.
 */
const BOOTSTRAP = { PK: 'DEV#SETUP', SK: 'BOOTSTRAP' };
const LISTING = { PK: 'DEV#SETUP', SK: 'LISTING' };

async function read(key: typeof BOOTSTRAP) {
  const { doc, table } = db();
  return (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

export const isBootstrapped = async () => (await read(BOOTSTRAP)) !== undefined;

/** The marker's write, joined to the transaction that creates the bootstrap admin (fails if already there). */
export const bootstrapMarkerWrite = (): TransactItem => ({
  Put: {
    TableName: db().table,
    Item: { ...BOOTSTRAP, at: nowIso() },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

/** A deployment from before the marker: its admin exists already, so none is ever created again. */
export async function markBootstrapped(): Promise<void> {
  const { doc, table } = db();
  await doc.send(new PutCommand({ TableName: table, Item: { ...BOOTSTRAP, at: nowIso() } }));
}

/** Scan time one listing may spend on the backfill; a large table takes a few listings, each resuming. */
const BACKFILL_BUDGET_MS = 3_000;

/**
 * Developers created before the team routes carry no list index attributes. Until a scan of the table has found
 * them all (once per deployment, resumed across calls from its saved position), each listing advances it and adds
 * what it found. Returns the developers found by this call.
 */
async function backfill(): Promise<Developer[]> {
  const state = await read(LISTING);
  if (state?.done) return [];
  const { doc, table } = db();
  const found: Developer[] = [];
  const until = Date.now() + BACKFILL_BUDGET_MS;
  let cursor = state?.cursor as Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: cursor,
        FilterExpression: 'begins_with(PK, :dev) AND SK = :sk AND attribute_not_exists(GSI1PK)',
        ExpressionAttributeValues: { ':dev': 'DEV#', ':sk': 'DEV' },
      }),
    );
    for (const item of (page.Items ?? []) as Array<Developer & { PK: string; SK: string }>) {
      const { PK, SK, ...developer } = item;
      await ensureListed(developer);
      found.push(developer);
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor && Date.now() < until);
  await doc.send(
    new PutCommand({ TableName: table, Item: { ...LISTING, ...(cursor ? { cursor } : { done: true }) } }),
  );
  return found;
}

/** Every developer, oldest first, those from before the team routes included (see backfill). */
export async function listAllDevelopers(): Promise<Developer[]> {
  const found = await backfill();
  const listed = await listDevelopers();
  const known = new Set(listed.map((d) => d.id));
  return [...listed, ...found.filter((d) => !known.has(d.id))].sort(
    (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
  );
}
