import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizeUpload } from '#shared/http/upload-authorizer.js';
import { logger } from '#shared/observability.js';

/** The mobile ingress's REQUEST authorizer (shared/http/upload-authorizer.ts). */
export const handler = middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(authorizeUpload);
