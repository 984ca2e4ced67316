import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizeUpload } from '#shared/http/upload-authorizer.js';
import { observeInvocation } from '#shared/observability.js';

/** The mobile ingress's REQUEST authorizer (shared/http/upload-authorizer.ts). */
export const handler = middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(observeInvocation())
  .handler(authorizeUpload);
