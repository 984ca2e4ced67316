import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { MAX_UPLOAD_BYTES } from '#shared/ingest/sdk-uploads.js';

/** JSON `{"detail"}` bodies for what the mobile ingress answers itself (contract errors are JSON everywhere). */
export function addJsonGatewayResponses(api: RestApi): void {
  const json = (type: ResponseType, statusCode: string | undefined, template: string, headers = {}) =>
    api.addGatewayResponse(`${type.responseType}Response`, {
      type,
      ...(statusCode && { statusCode }),
      responseHeaders: { 'Content-Type': "'application/json'", ...headers },
      templates: { 'application/json': template },
    });
  json(ResponseType.UNAUTHORIZED, '401', JSON.stringify({ detail: 'Could not validate credentials' }));
  // escapeJavaScript also escapes `'`, which JSON does not allow: undone.
  json(
    ResponseType.ACCESS_DENIED,
    '403',
    `{"detail":"$util.escapeJavaScript($context.authorizer.detail).replaceAll("\\\\'","'")"}`,
  );
  json(
    ResponseType.REQUEST_TOO_LARGE,
    '413',
    JSON.stringify({ detail: `Request body too large: the limit is ${MAX_UPLOAD_BYTES} bytes (10 MB)` }),
  );
  // Overload on the push path is a 503, which every SDK retries (a 429 the iOS 0.6 SDK would skip).
  json(
    ResponseType.THROTTLED,
    '503',
    JSON.stringify({ detail: 'Service temporarily overloaded, please retry' }),
    { 'Retry-After': "'1'" },
  );
  json(ResponseType.DEFAULT_4XX, undefined, '{"detail":$context.error.messageString}');
  // An authorizer that failed or was throttled: transient, and retried by every SDK.
  json(
    ResponseType.AUTHORIZER_FAILURE,
    '503',
    JSON.stringify({ detail: 'Service temporarily overloaded, please retry' }),
    { 'Retry-After': "'1'" },
  );
  json(ResponseType.DEFAULT_5XX, '500', JSON.stringify({ detail: 'Internal Server Error' }));
}
