import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app.js';
import { WEBHOOK_PROVIDERS } from '#shared/jobs/queues.js';
import { PROVIDER_INFO } from '#shared/providers/registry.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { WRITE_SCOPES } from '#shared/store/write-scopes.js';

/** Issue 12, lifecycle: re-attaching retained data, the TableName output, the provider URLs as outputs. */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;
type Resource = { Type: string; Properties: Json };

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const TABLE = 'OpenWearables-prod-StorageTableB43FDCE7-1A2B3C4D5E6F';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** The logical id of the stack's own table: it must never change, or every deployed stack loses its table. */
const TABLE_LOGICAL_ID = 'StorageTableB43FDCE7';

/** Synthesis runs the env validations and the cdk-nag plugin: any failure throws here. */
function synth(context: Record<string, unknown> = {}) {
  const { stack } = buildApp({ ...NO_BUNDLING, stage: 'test', ...context });
  const json = Template.fromStack(stack).toJSON();
  const resources = json.Resources as Record<string, Resource>;
  const outputs = json.Outputs as Record<string, { Value: Json; Description?: string }>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.FunctionName);
  /** Every statement of the policies attached to the function's role. */
  const statementsOf = (fn: Resource): Json[] => {
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    return ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  };
  return { resources, outputs, ofType, functions, statementsOf };
}

const nameOf = (fn: Resource) => (fn.Properties.FunctionName as string).replace('open-wearables-test-', '');
/** The ARN CDK builds for an imported table (Stack.formatArn), and for its GSI (CDK flattens the join). */
const importedArn = (suffix = '') => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':dynamodb:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:table/${TABLE}${suffix}`,
    ],
  ],
});
const importedTableArn = importedArn();
const importedIndexArn = importedArn(`/index/${TABLE_KEYS.gsi1.indexName}`);
const ownTableArn = { 'Fn::GetAtt': [TABLE_LOGICAL_ID, 'Arn'] };
const ownIndexArn = { 'Fn::Join': ['', [ownTableArn, `/index/${TABLE_KEYS.gsi1.indexName}`]] };

const owned = synth();
const imported = synth({ existingTableName: TABLE, existingTokenKeyArn: KEY });

describe('the stack’s own table (no existingTableName)', () => {
  it('keeps its logical id, has no fixed name (a rename would replace it), and is output as TableName', () => {
    expect(owned.ofType('AWS::DynamoDB::Table').map(([id]) => id)).toEqual([TABLE_LOGICAL_ID]);
    const table = owned.resources[TABLE_LOGICAL_ID]!;
    expect(table.Properties.TableName).toBeUndefined();
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(owned.outputs.TableName!.Value).toEqual({ Ref: TABLE_LOGICAL_ID });
  });

  it('and its own retained token key, output as TokenKeyArn', () => {
    const [[keyId, key]] = owned.ofType('AWS::KMS::Key') as [[string, Json]];
    expect(key).toMatchObject({ DeletionPolicy: 'Retain' });
    expect(owned.outputs.TokenKeyArn!.Value).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });
});

describe('-c existingTableName (re-attach a retained or restored table)', () => {
  it('creates no table and outputs the given name', () => {
    expect(imported.ofType('AWS::DynamoDB::Table')).toEqual([]);
    expect(imported.outputs.TableName!.Value).toBe(TABLE);
  });

  it('gives every table-bound function TABLE_NAME = the given name', () => {
    const bound = imported.functions.filter(([, fn]) => fn.Properties.Environment.Variables.TABLE_NAME);
    // Every function of the stack's own table is bound to the imported one instead.
    const ownBound = owned.functions.filter(([, fn]) => fn.Properties.Environment.Variables.TABLE_NAME);
    expect(bound.map(([, fn]) => nameOf(fn)).sort()).toEqual(ownBound.map(([, fn]) => nameOf(fn)).sort());
    expect(bound.length).toBeGreaterThan(10);
    for (const [, fn] of bound)
      expect(fn.Properties.Environment.Variables.TABLE_NAME, nameOf(fn)).toBe(TABLE);
  });

  it('grants reads of the imported table and its GSI, and writes scoped by LeadingKeys, as on the own table', () => {
    let checked = 0;
    for (const [, fn] of imported.functions) {
      const name = nameOf(fn) as keyof typeof WRITE_SCOPES;
      const statements = imported.statementsOf(fn);
      const ownStatements = owned.statementsOf(owned.functions.find(([, f]) => nameOf(f) === name)![1]);
      const dynamo = (list: Json[]) => list.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
      // Same statements, with the imported table's ARN where the own table's was.
      expect(JSON.stringify(dynamo(statements)), name).toBe(
        JSON.stringify(dynamo(ownStatements))
          .replaceAll(JSON.stringify(ownIndexArn), JSON.stringify(importedIndexArn))
          .replaceAll(JSON.stringify(ownTableArn), JSON.stringify(importedTableArn)),
      );
      const read = statements.find((s) => String(s.Action).includes('dynamodb:Query'));
      if (!read) continue;
      expect(read.Resource, name).toEqual([importedTableArn, importedIndexArn]);
      const writes = statements.filter((s) => String(s.Action).includes('dynamodb:PutItem'));
      if (WRITE_SCOPES[name]?.length) {
        expect(writes, name).toEqual([
          expect.objectContaining({
            Resource: importedTableArn,
            Condition: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': WRITE_SCOPES[name].map((p) => `${p}*`) },
            },
          }),
        ]);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('-c existingTokenKeyArn (the retained key the stored tokens were wrapped under)', () => {
  it('creates no key; every KMS grant and TOKEN_KMS_KEY_ID name the given key', () => {
    expect(imported.ofType('AWS::KMS::Key')).toEqual([]);
    expect(imported.outputs.TokenKeyArn!.Value).toBe(KEY);
    const kmsStatements = imported.functions.flatMap(([, fn]) =>
      imported.statementsOf(fn).filter((s) => JSON.stringify(s.Action).includes('kms:')),
    );
    expect(kmsStatements.length).toBeGreaterThan(3);
    for (const statement of kmsStatements) expect(statement.Resource).toBe(KEY);
    const withKey = imported.functions.filter(
      ([, fn]) => fn.Properties.Environment.Variables.TOKEN_KMS_KEY_ID,
    );
    expect(withKey.length).toBeGreaterThan(3);
    for (const [, fn] of withKey) expect(fn.Properties.Environment.Variables.TOKEN_KMS_KEY_ID).toBe(KEY);
  });
});

describe('provider URL outputs', () => {
  const oauthProviders = Object.entries(PROVIDER_INFO)
    .filter(([, info]) => info.oauth)
    .map(([provider]) => provider);
  const pascal = (provider: string) =>
    provider.replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
  const custom = synth({ apiBaseUrl: 'https://api.example.com/' });

  it('one CallbackUrl per OAuth provider and one WebhookUrl per webhook provider of the registries', () => {
    expect(oauthProviders).toContain('google_health');
    for (const provider of oauthProviders) {
      expect(custom.outputs[`${pascal(provider)}CallbackUrl`]?.Value, provider).toBe(
        `https://api.example.com/api/v1/oauth/${provider}/callback`,
      );
    }
    for (const provider of WEBHOOK_PROVIDERS) {
      expect(custom.outputs[`${pascal(provider)}WebhookUrl`]?.Value, provider).toBe(
        `https://api.example.com/api/v1/providers/${provider}/webhooks`,
      );
    }
    const urlOutputs = Object.keys(custom.outputs).filter((name) => /(CallbackUrl|WebhookUrl)$/.test(name));
    expect(urlOutputs).toHaveLength(oauthProviders.length + WEBHOOK_PROVIDERS.length);
    expect(custom.outputs.GoogleHealthCallbackUrl).toBeDefined();
  });

  it('on the execute-api URL when no apiBaseUrl is set (the same base as ApiUrl)', () => {
    const api = owned.ofType('AWS::ApiGatewayV2::Api')[0]![0];
    const value = JSON.stringify(owned.outputs.OuraCallbackUrl!.Value);
    expect(value).toContain(JSON.stringify({ Ref: api }));
    expect(value).toContain('/api/v1/oauth/oura/callback');
    expect(JSON.stringify(owned.outputs.GarminWebhookUrl!.Value)).toContain(
      '/api/v1/providers/garmin/webhooks',
    );
  });

  it('keep the template far below CloudFormation’s 200 outputs, with every optional output on', () => {
    const all = synth({ dataLake: true, eventBus: true, dashboard: true });
    expect(Object.keys(all.outputs).length).toBeLessThanOrEqual(40);
  });
});

describe('bad lifecycle context', () => {
  it.each([
    [{ existingTableName: 'ab' }, /existingTableName/],
    [{ existingTableName: 'my table' }, /existingTableName/],
    [{ existingTableName: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t' }, /existingTableName/],
    [{ existingTokenKeyArn: 'alias/open-wearables' }, /existingTokenKeyArn/],
    [{ existingTokenKeyArn: '1234abcd-12ab-34cd-56ef-1234567890ab' }, /existingTokenKeyArn/],
  ])('refuses %o', (context, message) => {
    expect(() => buildApp({ ...NO_BUNDLING, stage: 'test', ...context })).toThrow(message);
  });
});
