import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { authenticateDeveloper, ensureAdminDeveloper } from '#shared/identity/developers.js';
import { DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD } from '#shared/sandbox/config.js';
import { db } from '#shared/store/client.js';
import { runAsFunction, tableActions } from '#shared/store/write-scopes.js';

/**
 * Review finding (issue 12, stop 29): the first login of a fresh deployment scanned the table (the developer
 * listing's backfill), an action no function's role had, so on AWS nobody could ever log in; DynamoDB Local has no
 * IAM. The sandbox now holds each function to the table actions its role grants (shared/store/write-scopes.ts, the
 * lists lib/app-function.ts grants from), as IAM does. This file's table is fresh: its first test runs before any
 * developer exists.
 */

const denied = (message: RegExp) =>
  expect.objectContaining({ name: 'AccessDeniedException', message: expect.stringMatching(message) });

describe('table actions in the sandbox, as IAM grants them', () => {
  it('a function without Scan cannot bootstrap the first developer: the scan is refused as AWS refuses it', async () => {
    await expect(runAsFunction('users', () => ensureAdminDeveloper())).rejects.toEqual(
      denied(/^users may not dynamodb:Scan$/),
    );
  });

  it('the first login of a fresh deployment, as the tokens function, creates the admin and logs in', async () => {
    const developer = await runAsFunction('tokens', () =>
      authenticateDeveloper(DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD),
    );
    expect(developer?.email).toBe(DEFAULT_ADMIN_EMAIL);
  });

  it('refuses what a role lacks: a Scan, any call of meta, the webhook ingress beyond GetItem of its app secrets', async () => {
    const { doc, table } = db();
    await expect(
      runAsFunction('data', () => doc.send(new ScanCommand({ TableName: table }))),
    ).rejects.toEqual(denied(/Scan/));
    const secret = new GetCommand({ TableName: table, Key: { PK: 'APPSECRET#X', SK: 'SECRET' } });
    expect((await runAsFunction('webhooks', () => doc.send(secret))).Item).toBeUndefined();
    await expect(runAsFunction('meta', () => doc.send(secret))).rejects.toEqual(
      denied(/^meta may not dynamodb:GetItem/),
    );
    const profile = new GetCommand({ TableName: table, Key: { PK: 'USER#1', SK: 'PROFILE' } });
    await expect(runAsFunction('webhooks', () => doc.send(profile))).rejects.toEqual(
      denied(/GetItem on USER#/),
    );
    const query = new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': 'APPSECRET#X' },
    });
    await expect(runAsFunction('webhooks', () => doc.send(query))).rejects.toEqual(denied(/dynamodb:Query/));
    // A function with no write scope is refused the write action itself.
    const put = new PutCommand({ TableName: table, Item: { PK: 'USER#1', SK: 'X' } });
    await expect(runAsFunction('sdk-authorizer', () => doc.send(put))).rejects.toEqual(
      denied(/^sdk-authorizer may not dynamodb:PutItem$/),
    );
    // Scan is granted on the table, not on its index.
    const indexScan = new ScanCommand({ TableName: table, IndexName: 'GSI1', Limit: 1 });
    await expect(runAsFunction('tokens', () => doc.send(indexScan))).rejects.toEqual(
      denied(/^tokens may not dynamodb:Scan on an index$/),
    );
    // Outside a function (tests, tools) nothing is checked.
    await expect(doc.send(new ScanCommand({ TableName: table, Limit: 1 }))).resolves.toBeDefined();
  });

  it('names the IAM actions of a command, a transaction per item, document or low-level client', () => {
    expect(tableActions('ScanCommand', {})).toEqual(['dynamodb:Scan']);
    expect(tableActions('BatchGetItemCommand', {})).toEqual(['dynamodb:BatchGetItem']);
    expect(tableActions('BatchGetCommand', {})).toEqual(['dynamodb:BatchGetItem']);
    expect(tableActions('DescribeTableCommand', {})).toEqual(['dynamodb:DescribeTable']);
    expect(tableActions('TransactGetCommand', {})).toEqual(['dynamodb:GetItem']);
    const transaction = {
      TransactItems: [{ Put: {} }, { ConditionCheck: {} }, { Update: {} }, { Delete: {} }],
    };
    const perItem = [
      'dynamodb:PutItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ];
    expect(tableActions('TransactWriteCommand', transaction)).toEqual(perItem);
    expect(tableActions('TransactWriteItemsCommand', transaction)).toEqual(perItem);
  });
});
