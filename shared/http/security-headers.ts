import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The policy of every JSON answer: nothing may load, frame or run it. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

/** Browser features denied to our pages (none uses any of them). */
const DENIED_FEATURES = [
  'accelerometer',
  'autoplay',
  'camera',
  'display-capture',
  'encrypted-media',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'sync-xhr',
  'usb',
  'xr-spatial-tracking',
];

/** The headers besides the content security policy, the same on every answer. */
const FIXED_HEADERS = {
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Origin-Agent-Cluster': '?1',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'Permissions-Policy': DENIED_FEATURES.map((feature) => `${feature}=()`).join(', '),
};

/**
 * The middy middleware that sets the security headers on every answer, errors included: HSTS, no sniffing or
 * framing, no referrer, same-origin isolation, denied browser features, and `contentSecurityPolicy` (the strict
 * JSON policy unless an area serving HTML passes its own).
 */
export function securityHeaders(
  contentSecurityPolicy = API_CONTENT_SECURITY_POLICY,
): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  const headers = { ...FIXED_HEADERS, 'Content-Security-Policy': contentSecurityPolicy };
  const apply = (request: { response?: APIGatewayProxyStructuredResultV2 | null }) => {
    if (!request.response) return;
    request.response.headers = { ...request.response.headers, ...headers };
  };
  return { after: apply, onError: apply };
}
