import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiArea, apiAreas } from '#shared/api/index.js';
import type { AuthClass, Route } from '#shared/http/route.js';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { createUser } from '#shared/identity/users.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';

// DELETE /users queues erasure's second pass on a real (local) queue.
useLocalQueues();

/**
 * Every route registered in the routers x every credential kind -> the contract's status (section 2.3), plus
 * the two documented aliases. Walks `apiAreas`, so a new route is covered the day it is added.
 */
type Credential =
  | 'none'
  | 'wrong API key'
  | 'API key'
  | 'X-API-Key'
  | 'developer JWT'
  | 'SDK JWT (own user)'
  | 'SDK JWT (other user)'
  | 'expired JWT'
  | 'bare SDK token';

type Expectation = number | 'ok';

const AUTH_REQUIRED = 'Authentication required: provide JWT token or API key';
const EXPECTED: Record<Exclude<AuthClass, 'NONE'>, Record<Credential, [Expectation, string?]>> = {
  API: {
    none: [401, AUTH_REQUIRED],
    'wrong API key': [401, 'Invalid or missing API key'],
    'API key': ['ok'],
    'X-API-Key': ['ok'],
    'developer JWT': ['ok'],
    'SDK JWT (own user)': [401, AUTH_REQUIRED],
    'SDK JWT (other user)': [401, AUTH_REQUIRED],
    'expired JWT': [401, AUTH_REQUIRED],
    'bare SDK token': [401, AUTH_REQUIRED],
  },
  DEV: {
    none: [401, 'Could not validate credentials'],
    'wrong API key': [401, 'Could not validate credentials'],
    'API key': [401, 'Could not validate credentials'],
    'X-API-Key': [401, 'Could not validate credentials'],
    'developer JWT': ['ok'],
    'SDK JWT (own user)': [401, 'SDK tokens cannot access this endpoint'],
    'SDK JWT (other user)': [401, 'SDK tokens cannot access this endpoint'],
    'expired JWT': [401, 'Could not validate credentials'],
    'bare SDK token': [401, 'Could not validate credentials'],
  },
  SDK: {
    none: [401, 'Authentication required: provide SDK token or API key'],
    'wrong API key': [401, 'Invalid or missing API key'],
    'API key': ['ok'],
    'X-API-Key': ['ok'],
    'developer JWT': [401, 'Authentication required: provide SDK token or API key'],
    'SDK JWT (own user)': ['ok'],
    'SDK JWT (other user)': [403, 'Token does not match user_id'],
    'expired JWT': [401, 'Authentication required: provide SDK token or API key'],
    'bare SDK token': ['ok'],
  },
  // The body carries no app credentials here, so only a developer bearer token can issue (contract 2.3 TOKEN).
  TOKEN: {
    none: [400],
    'wrong API key': [400],
    'API key': [400],
    'X-API-Key': [400],
    'developer JWT': ['ok'],
    'SDK JWT (own user)': [400],
    'SDK JWT (other user)': [400],
    'expired JWT': [400],
    'bare SDK token': [400],
  },
};

const CREDENTIALS = Object.keys(EXPECTED.API) as Credential[];

const handlers = Object.fromEntries(
  await Promise.all(
    (Object.keys(apiAreas) as ApiArea[]).map(async (area) => [
      area,
      (await import(`../../functions/${area}.ts`)).handler,
    ]),
  ),
) as Record<ApiArea, (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>>;

const routes = (Object.entries(apiAreas) as [ApiArea, Route[]][]).flatMap(([area, list]) =>
  list.map((route) => ({ area, route })),
);

let headersFor: (credential: Credential, userId: string) => Promise<Record<string, string>>;

beforeAll(async () => {
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  const developerJwt = (
    await issueTokens({ token_type: 'developer', developer_id: admin!.id, credential_version: 0 })
  ).access_token;
  const { key } = await createApiKey('matrix', admin!.id);
  const otherUser = await createUser({});
  const sdkJwt = async (userId: string) =>
    (await issueTokens({ token_type: 'sdk', user_id: userId, app_id: 'app_matrix', credential_version: 0 }))
      .access_token;
  const expired = await new SignJWT({ scope: 'sdk', app_id: 'app_matrix' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(otherUser.id)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
    .sign(new TextEncoder().encode(process.env.JWT_SECRET));

  headersFor = async (credential, userId): Promise<Record<string, string>> => {
    switch (credential) {
      case 'none':
        return {};
      case 'wrong API key':
        return { 'x-open-wearables-api-key': 'sk-00000000000000000000000000000000' };
      case 'API key':
        return { 'x-open-wearables-api-key': key };
      case 'X-API-Key':
        return { 'x-api-key': key };
      case 'developer JWT':
        return { authorization: `Bearer ${developerJwt}` };
      case 'SDK JWT (own user)':
        return { authorization: `Bearer ${await sdkJwt(userId)}` };
      case 'SDK JWT (other user)':
        return { authorization: `Bearer ${await sdkJwt(otherUser.id)}` };
      case 'expired JWT':
        return { authorization: `Bearer ${expired}` };
      case 'bare SDK token':
        return { authorization: await sdkJwt(userId) };
    }
  };
});

async function call(area: ApiArea, route: Route, credential: Credential) {
  const user = await createUser({});
  const path = route.path.replace('{user_id}', user.id).replace(/\{[^}]+\}/g, 'placeholder');
  const event = httpEvent(route.method, path, {
    headers: await headersFor(credential, user.id),
    ...(route.bodyFormat === 'form' ? { form: {} } : route.method === 'GET' ? {} : { json: {} }),
  });
  const result = await handlers[area](event, lambdaContext(area));
  const isJson = String(result.headers?.['content-type']).includes('json');
  return {
    status: result.statusCode!,
    detail: isJson && result.body ? JSON.parse(result.body)?.detail : undefined,
  };
}

describe.each(
  routes.filter(({ route }) => route.auth !== 'NONE'),
)('$route.method $route.path ($route.auth)', ({ area, route }) => {
  it.each(CREDENTIALS)('%s', async (credential) => {
    const [expected, detail] = EXPECTED[route.auth as Exclude<AuthClass, 'NONE'>][credential];
    const { status, detail: actual } = await call(area, route, credential);
    if (expected === 'ok') {
      expect([401, 403]).not.toContain(status);
      expect(status).toBeLessThan(500);
    } else {
      expect(status).toBe(expected);
      if (detail) expect(actual).toBe(detail);
    }
  });
});

describe.each(routes.filter(({ route }) => route.auth === 'NONE'))('$route.method $route.path (NONE)', ({
  area,
  route,
}) => {
  it('answers the same whatever credentials are sent', async () => {
    const statuses = new Set<number>();
    for (const credential of CREDENTIALS) statuses.add((await call(area, route, credential)).status);
    expect(statuses.size).toBe(1);
    expect([...statuses][0]).toBeLessThan(500);
  });
});

it('walks a non-trivial route table', () => {
  expect(routes.length).toBeGreaterThanOrEqual(25);
  expect(new Set(routes.map(({ route }) => route.auth))).toEqual(
    new Set(['NONE', 'API', 'DEV', 'SDK', 'TOKEN']),
  );
});
