import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { db, type Item } from '#shared/store/client.js';

/** Every item of this test file's table (a scan: tests only). */
export async function scanTable(): Promise<Item[]> {
  const { doc, table } = db();
  const items: Item[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: table, ConsistentRead: true })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

/** The whole table as one JSON string, to assert that a secret or an id appears nowhere in it. */
export const tableText = async (): Promise<string> => JSON.stringify(await scanTable());
