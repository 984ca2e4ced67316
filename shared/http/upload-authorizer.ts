import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { authenticate } from '#shared/http/auth.js';
import { HttpError } from '#shared/http/errors.js';

/**
 * The Lambda authorizer of the mobile ingress's storage-first push route (README "Large SDK pushes"): the SDK
 * route's own authentication (an SDK token for that user, or an API key), so the body is stored only for a caller
 * the synchronous route would have accepted. API Gateway answers a thrown `Unauthorized` with its 401 gateway
 * response, and a deny with its 403 one, whose body carries `detail` from the deny's context.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const policy = (effect: 'Allow' | 'Deny', resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
});

const deny = (event: APIGatewayRequestAuthorizerEvent, detail: string): APIGatewayAuthorizerResult => ({
  principalId: 'denied',
  policyDocument: policy('Deny', event.methodArn),
  context: { detail },
});

export async function authorizeUpload(
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> {
  const userId = event.pathParameters?.user_id ?? '';
  if (!UUID.test(userId)) return deny(event, `User with ID '${userId.slice(0, 64)}' not found`);
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value ?? undefined]),
  );
  try {
    const caller = await authenticate('SDK', {
      headers,
      pathParameters: { user_id: userId },
    } as unknown as APIGatewayProxyEventV2);
    return {
      principalId: caller.kind === 'sdk' ? `sdk:${caller.userId}` : caller.kind,
      policyDocument: policy('Allow', event.methodArn),
      context: { userId },
    };
  } catch (error) {
    if (error instanceof HttpError && error.statusCode === 403) return deny(event, error.detail);
    if (error instanceof HttpError && error.statusCode === 401) throw new Error('Unauthorized');
    throw error;
  }
}
