import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app.js';
import { EVENT_EMITTERS } from '#lib/delivery.js';
import { EVENT_TYPES } from '#shared/delivery/catalogue.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { ENDPOINT_PREFIX, ENDPOINT_SECRET_OWNER } from '#shared/store/webhook-endpoints.js';
import { MESSAGE_PARTITION } from '#shared/store/webhook-messages.js';
import { WRITE_SCOPES } from '#shared/store/write-scopes.js';
import { loadProjectGraph } from '#test/helpers/import-graph.js';
import { PRIVATE_BUCKET, TLS_ONLY } from './private-bucket.js';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;
type Resource = { Type: string; Properties: Json; DeletionPolicy?: string };

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EMIT = 'shared/delivery/emit.ts';

/** One synthesized stack and its navigation helpers. */
function synth(context: Record<string, unknown> = {}) {
  const { app, stack } = buildApp({ ...NO_BUNDLING, stage: 'test', ...context });
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const resources = json.Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const functions = new Map(
    ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.FunctionName)
      .map(([id, fn]) => [
        (fn.Properties.FunctionName as string).replace('open-wearables-test-', ''),
        { id, fn },
      ]),
  );
  const statementsOf = (name: string): Json[] => {
    const role = functions.get(name)!.fn.Properties.Role['Fn::GetAtt'][0];
    return ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  };
  const variablesOf = (name: string) => functions.get(name)!.fn.Properties.Environment.Variables;
  const queueId = (name: string) =>
    ofType('AWS::SQS::Queue').find(([, q]) => q.Properties.QueueName === `open-wearables-test-${name}`)![0];
  return {
    app,
    template,
    outputs: json.Outputs ?? {},
    resources,
    ofType,
    functions,
    statementsOf,
    variablesOf,
    queueId,
  };
}

const withAction = (statements: Json[], action: string) =>
  statements.filter((s) => [s.Action].flat().includes(action));

const standard = synth();

describe('emission (context delivery, default on)', () => {
  it('EVENT_EMITTERS are exactly the functions whose bundle imports emit.ts', () => {
    const graph = loadProjectGraph(ROOT);
    const next = new Map<string, string[]>();
    for (const edge of graph.edges) {
      if (edge.kind === 'type') continue;
      next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
    }
    const reaches = (from: string, target: string) => {
      const seen = new Set([from]);
      for (const file of seen) {
        for (const to of next.get(file) ?? []) seen.add(to);
      }
      return seen.has(target);
    };
    const emitting = graph.modules
      .filter((file) => /^functions\/[^/]+\.ts$/.test(file) && reaches(file, EMIT))
      .map((file) => file.slice('functions/'.length, -'.ts'.length));
    expect(emitting.length).toBeGreaterThan(0);
    expect([...EVENT_EMITTERS].sort()).toEqual(emitting.sort());
  });

  it('only the emitters get the events queue (URL and sqs:SendMessage)', () => {
    const { functions, statementsOf, variablesOf, queueId } = standard;
    const events = queueId(QUEUES.deliveryEvents.name);
    for (const name of functions.keys()) {
      const emits = (EVENT_EMITTERS as readonly string[]).includes(name);
      const sends = withAction(statementsOf(name), 'sqs:SendMessage').filter(
        (s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [events, 'Arn'] }),
      );
      expect(sends, name).toHaveLength(emits ? 1 : 0);
      expect(variablesOf(name).EVENTS_QUEUE_URL !== undefined, name).toBe(emits);
    }
  });

  it('off (-c delivery=false): nobody gets the events queue, so nothing is emitted', () => {
    const off = synth({ delivery: 'false' });
    const events = off.queueId(QUEUES.deliveryEvents.name);
    for (const name of off.functions.keys()) {
      expect(off.variablesOf(name).EVENTS_QUEUE_URL, name).toBeUndefined();
      const sends = withAction(off.statementsOf(name), 'sqs:SendMessage');
      expect(JSON.stringify(sends), name).not.toContain(events);
    }
  });
});

describe('EventBridge bus (context eventBus, default on)', () => {
  it('is the rule-free bus open-wearables-<stage>, named and output', () => {
    const { ofType, outputs } = standard;
    const buses = ofType('AWS::Events::EventBus');
    expect(buses.map(([, bus]) => bus.Properties.Name)).toEqual(['open-wearables-test']);
    expect(ofType('AWS::Events::Rule')).toEqual([]);
    const [busId] = buses[0]!;
    expect(outputs.EventBusName.Value).toEqual({ Ref: busId });
    expect(outputs.EventBusArn.Value).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  });

  it('only the fan-out may put events, on this bus only, and knows its name', () => {
    const { functions, statementsOf, variablesOf, ofType } = standard;
    const [busId] = ofType('AWS::Events::EventBus')[0]!;
    for (const name of functions.keys()) {
      const puts = withAction(statementsOf(name), 'events:PutEvents');
      if (name === 'event-fanout') {
        expect(puts).toEqual([
          { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
        ]);
        expect(variablesOf(name).EVENT_BUS_NAME).toEqual({ Ref: busId });
      } else {
        expect(puts, name).toEqual([]);
        expect(variablesOf(name).EVENT_BUS_NAME, name).toBeUndefined();
      }
    }
  });

  it('off (-c eventBus=false): no bus, no PutEvents, no EVENT_BUS_NAME', () => {
    const off = synth({ eventBus: 'false' });
    expect(off.ofType('AWS::Events::EventBus')).toEqual([]);
    expect(off.outputs.EventBusName).toBeUndefined();
    for (const name of off.functions.keys()) {
      expect(withAction(off.statementsOf(name), 'events:PutEvents'), name).toEqual([]);
      expect(off.variablesOf(name).EVENT_BUS_NAME, name).toBeUndefined();
    }
  });
});

describe('data lake (context dataLake, default off)', () => {
  it('is absent by default: no Glue, no LAKE_BUCKET, no lake outputs', () => {
    const { ofType, outputs, functions, variablesOf } = standard;
    expect(ofType('AWS::Glue::Database')).toEqual([]);
    expect(ofType('AWS::Glue::Table')).toEqual([]);
    expect(outputs.LakeBucket).toBeUndefined();
    expect(outputs.GlueTable).toBeUndefined();
    for (const name of functions.keys()) expect(variablesOf(name).LAKE_BUCKET, name).toBeUndefined();
  });

  const lake = synth({ dataLake: 'true' });
  const bucketId = lake.outputs.LakeBucket?.Value?.Ref as string;
  const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/events/*']] };

  it('on: an encrypted, private, TLS-only bucket, retained with the stack', () => {
    const bucket = lake.resources[bucketId]!;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption).toEqual(PRIVATE_BUCKET.BucketEncryption);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual(
      PRIVATE_BUCKET.PublicAccessBlockConfiguration,
    );
    const policy = lake
      .ofType('AWS::S3::BucketPolicy')
      .find(([, p]) => p.Properties.Bucket.Ref === bucketId)!;
    expect(policy[1].Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining(TLS_ONLY));
  });

  it('on: a Glue table over the layout, partitions projected (user injected, types from the catalogue, days)', () => {
    const [[databaseId, database]] = lake.ofType('AWS::Glue::Database') as [[string, Resource]];
    const [[, table]] = lake.ofType('AWS::Glue::Table') as [[string, Resource]];
    expect(database.Properties.DatabaseInput.Name).toBe('open_wearables_test');
    expect(table.Properties.DatabaseName).toEqual({ Ref: databaseId });
    const input = table.Properties.TableInput;
    expect(input.Name).toBe('events');
    expect(input.PartitionKeys.map((k: Json) => k.Name)).toEqual(['user_id', 'type', 'date']);
    expect(input.StorageDescriptor.Columns.map((c: Json) => c.Name)).toEqual(['id', 'timestamp', 'data']);
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.user_id.type': 'injected',
      'projection.type.type': 'enum',
      'projection.type.values': EVENT_TYPES.join(','),
      'projection.date.type': 'date',
      'projection.date.format': 'yyyy-MM-dd',
    });
    const template = JSON.stringify(input.Parameters['storage.location.template']);
    expect(template).toContain(bucketId);
    // Athena's placeholders, not JavaScript's.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal `${...}` of a partition projection template
    expect(template).toContain('/events/user_id=${user_id}/type=${type}/date=${date}/');
    expect(lake.outputs.GlueTable.Value).toBe('open_wearables_test.events');
  });

  it('on: the fan-out only writes events/*, the erasure worker only lists and deletes them, nobody else', () => {
    for (const name of lake.functions.keys()) {
      const touching = lake.statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes(bucketId));
      const expected: Record<string, Json[]> = {
        'event-fanout': [{ Action: 's3:PutObject', Effect: 'Allow', Resource: objects }],
        'erasure-worker': [
          {
            Action: 's3:ListBucket',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
            Condition: { StringLike: { 's3:prefix': ['events/user_id=*'] } },
          },
          { Action: 's3:DeleteObject', Effect: 'Allow', Resource: objects },
        ],
      };
      expect(touching, name).toEqual(expected[name] ?? []);
      expect(lake.variablesOf(name).LAKE_BUCKET, name).toEqual(
        expected[name] ? { Ref: bucketId } : undefined,
      );
    }
  });

  it('on: cdk-nag reports nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(lake.app).validateScope(lake.app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
      [],
    );
  });
});

describe('integrator endpoint secrets (the token key, bound to their pseudo-user)', () => {
  const keyUse = (name: string) => withAction(standard.statementsOf(name), 'kms:Decrypt');
  const condition = {
    StringEquals: {
      'kms:EncryptionContext:purpose': 'provider-tokens',
      'kms:EncryptionContext:user_id': ENDPOINT_SECRET_OWNER,
    },
  };

  it('the outgoing area seals and opens them, the delivery worker only opens them, the fan-out neither', () => {
    expect(keyUse('outgoing')).toEqual([
      expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Condition: condition }),
    ]);
    expect(keyUse('webhook-delivery')).toEqual([
      expect.objectContaining({ Action: 'kms:Decrypt', Condition: condition }),
    ]);
    expect(JSON.stringify(standard.statementsOf('event-fanout'))).not.toContain('kms:');
  });
});

describe('write scopes of the delivery functions (shared/store/write-scopes.ts)', () => {
  it('name the partitions the stores use: endpoints, and messages in the user partition or WHMSG', () => {
    expect(WRITE_SCOPES.outgoing).toEqual([ENDPOINT_PREFIX, MESSAGE_PARTITION]);
    expect(WRITE_SCOPES['event-fanout']).toEqual(['USER#', MESSAGE_PARTITION]);
    expect(WRITE_SCOPES['webhook-delivery']).toEqual([ENDPOINT_PREFIX]);
  });
});

describe('settings', () => {
  it.each<[Record<string, unknown>]>([
    [{ delivery: 'maybe' }],
    [{ dataLake: 'yes please' }],
    [{ eventBus: 3 }],
  ])('rejects a bad switch %o', (context) => {
    expect(() => buildApp({ ...NO_BUNDLING, stage: 'ok', ...context })).toThrow(/delivery|dataLake|eventBus/);
  });
});
