import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { hashPassword } from '#shared/identity/credentials.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { createDeveloper, type Developer, getDeveloperByEmail } from '#shared/store/developers.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/tokens.js';

/** The team routes through the tokens function (test/integration/team-*.test.ts). */

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them.
  json: any;
}

export async function api(method: string, path: string, options: { token?: string; json?: unknown } = {}) {
  const event = httpEvent(method, path, {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.json !== undefined && { json: options.json }),
  });
  const result = (await handler(event, lambdaContext('tokens'))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, json: result.body ? JSON.parse(result.body) : undefined } as Answer;
}

export async function login(username: string, password: string): Promise<number> {
  const result = await handler(
    httpEvent('POST', '/api/v1/auth/login', { form: { username, password } }),
    lambdaContext('tokens'),
  );
  return (result as APIGatewayProxyStructuredResultV2).statusCode!;
}

export const tokenOf = async (developer: Developer) =>
  (
    await issueTokens({
      token_type: 'developer',
      developer_id: developer.id,
      credential_version: developer.credential_version ?? 0,
    })
  ).access_token;

let counter = 0;
export const email = (label: string) => `${label}-${++counter}@team.test`;

export async function member(label: string): Promise<{ developer: Developer; token: string }> {
  const developer = await createDeveloper({
    email: email(label),
    password_hash: await hashPassword('password-1'),
  });
  return { developer, token: await tokenOf(developer) };
}

/** The bootstrap admin and a token of theirs. */
export async function adminSession(): Promise<{ admin: Developer; adminToken: string }> {
  await ensureAdminDeveloper();
  const admin = (await getDeveloperByEmail(process.env.ADMIN_EMAIL!))!;
  return { admin, adminToken: await tokenOf(admin) };
}
