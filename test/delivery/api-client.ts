import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { issueTokens } from '#shared/identity/tokens.js';
import { createDeveloper } from '#shared/store/developers.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/outgoing.js';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON came back
  body: any;
}

/** A developer of their own and a bearer token for them. */
export async function newDeveloper(): Promise<{ id: string; token: string }> {
  const developer = await createDeveloper({
    email: `dev-${randomUUID()}@example.com`,
    password_hash: 'unused',
  });
  const { access_token } = await issueTokens({
    token_type: 'developer',
    developer_id: developer.id,
    credential_version: 0,
  });
  return { id: developer.id, token: access_token };
}

/** One request through the `outgoing` area's Lambda handler. */
export async function call(
  method: string,
  path: string,
  options: {
    token?: string;
    json?: unknown;
    query?: Record<string, string | string[]>;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers = { ...options.headers, ...(options.token && { authorization: `Bearer ${options.token}` }) };
  const result = (await handler(
    httpEvent(method, path, { headers, json: options.json, query: options.query }),
    lambdaContext('outgoing'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
}

export const ENDPOINTS = '/api/v1/webhooks/endpoints';
