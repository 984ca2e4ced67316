import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import type { Developer } from '#shared/store/developers.js';
import { gsi1 } from '#shared/store/keys.js';
import { endpointKey, forgetActiveEndpoints, queryEndpoints } from '#shared/store/webhook-endpoints.js';

/**
 * What a departing developer owned: their applications go to `heir` (the mobile apps using them keep working and
 * someone can still rotate or delete them); their outgoing webhook endpoints are disabled (nobody could manage
 * them any more; the reference stops delivering to a deleted developer as well). API keys are global and stay.
 */
export async function handOver(from: Developer, heir: Developer): Promise<void> {
  const { doc, table } = db();
  const apps = await queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': gsi1.developerApps(from.id) },
    ProjectionExpression: 'PK, SK',
  });
  for (const app of apps) {
    await doc
      .send(
        new UpdateCommand({
          TableName: table,
          Key: { PK: app.PK, SK: app.SK },
          UpdateExpression: 'SET developer_id = :heir, GSI1PK = :pk',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':heir': heir.id, ':pk': gsi1.developerApps(heir.id) },
        }),
      )
      .catch((error) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
  for (const endpoint of await queryEndpoints(from.id)) {
    if (endpoint.disabled) continue;
    await doc
      .send(
        new UpdateCommand({
          TableName: table,
          Key: endpointKey(endpoint.id),
          UpdateExpression: 'SET disabled = :yes, disabled_reason = :why, updated_at = :now',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':yes': true, ':why': 'owner deleted', ':now': nowIso() },
        }),
      )
      .catch((error) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
  forgetActiveEndpoints();
}
