import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { buildApp } from '#lib/app.js';

/** Helpers shared by the infra tests, which read the synthesized CloudFormation JSON. */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
export type Json = any;
export type Resource = { Type: string; Properties: Json; DeletionPolicy?: string; DependsOn?: string[] };

/** No esbuild in tests: the functions get placeholder assets. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });

/** The stage `test` built with `context`: the app, its parent stack's template JSON, resources and a filter by type. */
export function synth(context: Record<string, unknown> = {}) {
  const built = buildApp({ ...NO_BUNDLING, stage: 'test', ...context });
  const json = Template.fromStack(built.stack).toJSON();
  const resources = json.Resources as Record<string, Resource>;
  const ofType = (type: string, from = resources) =>
    Object.entries(from).filter(([, r]) => r.Type === type) as [string, Resource][];
  return { ...built, json, resources, ofType };
}

/** The statement of a queue's policy that lets S3 notify it of the bucket `bucketId`'s objects (a subset). */
export const s3NotifiesQueue = (bucketId: string) =>
  expect.objectContaining({
    Principal: { Service: 's3.amazonaws.com' },
    Action: expect.arrayContaining(['sqs:SendMessage']),
    Condition: { ArnLike: { 'aws:SourceArn': getAtt(bucketId, 'Arn') } },
  });
