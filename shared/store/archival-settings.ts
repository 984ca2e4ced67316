import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure } from '#shared/store/client.js';

/**
 * The data lifecycle settings (contract 10.2): one item, `ARCHIVAL` / `SETTINGS`, absent while both are off. It
 * also remembers the UTC day of the last scheduled run, so that the hourly schedule starts one run a day.
 */

export interface ArchivalSettings {
  archive_after_days: number | null;
  delete_after_days: number | null;
}

const KEY = { PK: 'ARCHIVAL', SK: 'SETTINGS' };

export async function getArchivalSettings(): Promise<ArchivalSettings> {
  const { doc, table } = db();
  const out = await doc.send(new GetCommand({ TableName: table, Key: KEY, ConsistentRead: true }));
  return {
    archive_after_days: (out.Item?.archive_after_days as number | undefined) ?? null,
    delete_after_days: (out.Item?.delete_after_days as number | undefined) ?? null,
  };
}

export async function putArchivalSettings(settings: ArchivalSettings): Promise<ArchivalSettings> {
  const { doc, table } = db();
  await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: KEY,
      UpdateExpression: 'SET archive_after_days = :a, delete_after_days = :d',
      ExpressionAttributeValues: { ':a': settings.archive_after_days, ':d': settings.delete_after_days },
    }),
  );
  return settings;
}

/** Claims the scheduled run of `day` (YYYY-MM-DD): true for the one caller that claimed it. */
export async function claimScheduledRun(day: string): Promise<boolean> {
  return updateScheduledDay(
    'SET last_scheduled_day = :day',
    'attribute_not_exists(last_scheduled_day) OR last_scheduled_day < :day',
    day,
  );
}

/** Gives the claim of `day` back (its run could not be queued), so that the next hourly invocation retries. */
export async function releaseScheduledRun(day: string): Promise<void> {
  await updateScheduledDay('REMOVE last_scheduled_day', 'last_scheduled_day = :day', day);
}

/** Applies `update` to the settings item when `condition` holds for `day`: false when it did not hold. */
async function updateScheduledDay(update: string, condition: string, day: string): Promise<boolean> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: KEY,
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':day': day },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
