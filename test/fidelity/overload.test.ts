import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app.js';
import { createUser } from '#shared/identity/users.js';
import { db } from '#shared/store/client.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { healthConnectRound } from '#test/helpers/sdk-payloads.js';
import { handler } from '../../functions/sdk.js';

/**
 * Issue 8 item 2: the iOS 0.6 SDK treats any 4xx but 401 as "skip this chunk", so a 429 from API Gateway's stage
 * throttle (100 rps for the whole API) lost data for good, and a write that kept losing to concurrent writers
 * answered 500. The mobile routes get their own, higher throttle; overload inside answers 503, which every SDK
 * retries.
 */

let apiKey: string;
beforeAll(async () => {
  apiKey = await testApiKey('overload');
});

const MIDDLEWARE = 'test-injected-failure';
afterEach(() => {
  db().doc.middlewareStack.remove(MIDDLEWARE);
});

/** Makes the next `times` matching DynamoDB requests fail with `error` (below the client's own retry layer). */
function failNext(commands: string[], times: number, error: () => Error, onlyConditional = false) {
  let left = times;
  db().doc.middlewareStack.add(
    (next, context) => async (args) => {
      const conditional = (args.input as { ConditionExpression?: string }).ConditionExpression !== undefined;
      if (left > 0 && commands.includes(context.commandName ?? '') && (conditional || !onlyConditional)) {
        left--;
        throw error();
      }
      return next(args);
    },
    { step: 'build', name: MIDDLEWARE },
  );
}

const conflict = () =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });
const lostRace = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

async function push(userId: string) {
  const result = (await handler(
    httpEvent('POST', `/api/v1/sdk/users/${userId}/sync`, {
      headers: { 'x-open-wearables-api-key': apiKey },
      json: healthConnectRound({ start: Date.UTC(2026, 2, 5), count: 120 }),
    }),
    lambdaContext('sdk'),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: JSON.parse(result.body ?? 'null'),
  };
}

describe('overload on the push path', () => {
  it('transaction conflicts (two writers for one user meet at its profile) are retried', async () => {
    const user = await createUser({});
    failNext(['TransactWriteItemsCommand'], 3, conflict);
    expect((await push(user.id)).status).toBe(202);
  });

  it('conflicts that never end are a 503 with Retry-After, not a 500', async () => {
    const user = await createUser({});
    failNext(['TransactWriteItemsCommand'], 1_000, conflict);
    const response = await push(user.id);
    expect(response).toMatchObject({
      status: 503,
      headers: { 'retry-after': '1' },
      body: { detail: 'Service temporarily overloaded, please retry' },
    });
  });

  it('an optimistic chunk write that keeps losing is a 503, not a 500', { timeout: 120_000 }, async () => {
    const user = await createUser({});
    await push(user.id);
    failNext(['PutItemCommand'], 1_000, lostRace, true);
    const again = await handler(
      httpEvent('POST', `/api/v1/sdk/users/${user.id}/sync`, {
        headers: { 'x-open-wearables-api-key': apiKey },
        json: healthConnectRound({ start: Date.UTC(2026, 2, 5), count: 120, value: () => 99 }),
      }),
      lambdaContext('sdk'),
    );
    expect((again as APIGatewayProxyStructuredResultV2).statusCode).toBe(503);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, read by path
type Resource = { Type: string; Properties: any };

describe('API Gateway throttling', () => {
  const stageOf = (context: Record<string, unknown> = {}) => {
    const { stack } = buildApp({ 'aws:cdk:bundling-stacks': [], stage: 'load', ...context });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    return Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!.Properties;
  };

  it('gives the mobile SDK routes their own, higher limits', { timeout: 120_000 }, () => {
    const stage = stageOf();
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    const mobile = { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 };
    expect(stage.RouteSettings).toEqual({
      'POST /api/v1/sdk/users/{user_id}/sync': mobile,
      'POST /api/v1/sdk/users/{user_id}/logs': mobile,
      'POST /api/v1/token/refresh': mobile,
      'POST /api/v1/invitation-code/redeem': mobile,
    });
    const tuned = stageOf({ mobileThrottleRateLimit: '5000', mobileThrottleBurstLimit: '8000' });
    expect(tuned.RouteSettings['POST /api/v1/sdk/users/{user_id}/sync']).toEqual({
      ThrottlingRateLimit: 5000,
      ThrottlingBurstLimit: 8000,
    });
  });
});
