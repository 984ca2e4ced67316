import * as z from 'zod/mini';
import { type JsonSchema, SchemaComponents } from '#shared/http/openapi-components.js';
import type { AuthClass, Route } from '#shared/http/route.js';

/** Every error the API answers itself (contract 1.2). */
export const errorResponseSchema = z.object({ detail: z.string() }).check(
  z.meta({
    id: 'ErrorResponse',
    description: 'Every error this API answers itself: one human-readable text',
  }),
);

/** What API Gateway answers on its own, before any function runs (throttling, its payload limit). */
const gatewayMessage = z
  .object({ message: z.string() })
  .check(
    z.meta({ id: 'GatewayMessage', description: "API Gateway's own error answer, e.g. Too Many Requests" }),
  );

const SECURITY: Record<AuthClass, Array<Record<string, string[]>>> = {
  NONE: [],
  API: [{ ApiKey: [] }, { ApiKeyAlias: [] }, { DeveloperBearer: [] }],
  DEV: [{ DeveloperBearer: [] }],
  SDK: [{ SdkBearer: [] }, { ApiKey: [] }, { ApiKeyAlias: [] }],
  TOKEN: [{}, { DeveloperBearer: [] }],
};

/** Component name and description of each documented error status. */
const ERRORS: Record<number, [name: string, description: string, gateway?: true]> = {
  400: [
    'BadRequest',
    'Invalid request: the first validation error of the path, query or body, or a refused value',
  ],
  401: ['Unauthorized', 'Missing, invalid or expired credentials'],
  403: ['Forbidden', 'Valid credentials, but not for this resource (an SDK token of another user)'],
  404: ['NotFound', 'No such resource'],
  409: ['Conflict', 'Conflicts with the current state'],
  413: ['PayloadTooLarge', 'Request body over 6 MB (also once gzip is inflated)', true],
  429: [
    'TooManyRequests',
    "Throttled: API Gateway's rate limit ({message}), or the failed-attempt lock of sign-in and invitation codes ({detail}, Retry-After)",
    true,
  ],
  501: ['NotImplemented', 'Not supported for this provider'],
  502: ['BadGateway', "The provider's API refused or failed"],
  503: [
    'ServiceUnavailable',
    'Overloaded downstream or rate limited by the provider: retry after Retry-After',
  ],
};

/** The tags in reading order, with what their operations are for. */
const TAGS: Record<string, string> = {
  Auth: 'Developer sign-in (token for the developer routes) and profile',
  'API keys': 'Keys for your backend: every integrator route accepts one',
  Applications: 'Mobile apps of the SDKs: credentials for issuing SDK tokens',
  Users: 'Your end users, whose wearable data this API holds',
  Connections: "A user's links to cloud providers",
  OAuth: 'Providers, their settings, and connecting a user to one (OAuth consent)',
  Sync: 'Pulling data from providers, and following the runs',
  'Health data': 'Time series, workouts, sleep, cycles, health scores and data sources',
  Summaries: 'Daily activity, sleep, recovery and body summaries, one best source per day',
  'Mobile SDK': 'What the iOS and Android SDKs push',
  'SDK tokens': 'Tokens the mobile SDKs use, and invitation codes',
  'Provider webhooks': "Providers' notifications to this API, and their subscriptions",
  'Outgoing webhooks': 'Notifications from this API to your endpoints',
  'Apple Health import': 'Importing an Apple Health export (export.xml): presigned upload, multipart, direct',
  'Vendor workouts': "A provider's own workout records, fetched live with the user's token",
  Team: 'Developers of this instance and invitations to join them',
  Dashboard: 'Instance statistics and feature flags for the dashboard',
  Priorities: 'Which provider and device type wins when several sources cover the same day',
  'Seed data': 'Synthetic users and data, through the real ingest path',
  'Data lifecycle': 'Archiving old samples into daily aggregates, and retention',
  Meta: 'Liveness, this document, coverage, and the interactive documentation',
};

const SUCCESS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  303: 'See Other: the browser continues at Location',
};

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

const operationId = (route: Route) =>
  `${route.method.toLowerCase()}${route.path.replace(/[^a-zA-Z0-9]+/g, '_')}`;

/** `get_api_v1_users` -> `GetApiV1UsersResponse`: the name of a response schema its route did not name. */
const fallbackName = (route: Route) =>
  `${operationId(route)
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}Response`;

/**
 * Error statuses of a route: those of its auth class, method and API Gateway (401, 403, 413, 429), and the
 * handler's own (`doc.errors`; else 400 when it has inputs and 404 when its path has parameters).
 */
export function errorStatuses(route: Route): number[] {
  const statuses = new Set<number>([429]);
  if (route.auth === 'API' || route.auth === 'DEV' || route.auth === 'SDK') statuses.add(401);
  if (route.auth === 'SDK') statuses.add(403);
  if (WITH_BODY.has(route.method)) statuses.add(413);
  const own = route.doc?.errors ?? [
    ...(route.params || route.query || route.body ? [400] : []),
    ...(route.path.includes('{') ? [404] : []),
  ];
  for (const status of own) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

/** The documented success status: a HEAD is always 200; a route without a body answers 204 unless it says. */
export function successStatus(route: Route): number {
  if (route.method === 'HEAD') return 200;
  return route.status ?? (route.response || route.doc?.mediaTypes ? 200 : 204);
}

function successResponses(route: Route, schemas: SchemaComponents) {
  const content: Record<string, Record<string, unknown>> = {};
  if (route.response) {
    const schema = schemas.add(route.response, 'output', fallbackName(route));
    const example = route.doc?.example;
    content['application/json'] = { schema, ...(example === undefined ? {} : { example }) };
  }
  for (const mediaType of route.doc?.mediaTypes ?? []) {
    content[mediaType.split(';')[0]!.trim()] = { schema: { type: 'string' } };
  }
  const status = successStatus(route);
  const response = {
    description: SUCCESS[status] ?? 'OK',
    ...(status >= 300 && status < 400
      ? { headers: { Location: { description: 'Where to go next', schema: { type: 'string' } } } }
      : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
  const statuses = [status, ...(route.doc?.otherStatuses ?? [])];
  return Object.fromEntries(statuses.map((s) => [String(s), response]));
}

function parameters(
  schemas: SchemaComponents,
  schema: z.ZodMiniType | undefined,
  location: 'path' | 'query',
) {
  if (!schema) return [];
  const json = schemas.add(schema, 'input');
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

function operation(route: Route, schemas: SchemaComponents, usedErrors: Set<number>) {
  const mediaType = route.bodyFormat === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  const errors = errorStatuses(route);
  for (const status of errors) usedErrors.add(status);
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: operationId(route),
    security: SECURITY[route.auth],
    parameters: [...parameters(schemas, route.params, 'path'), ...parameters(schemas, route.query, 'query')],
    ...(route.body
      ? { requestBody: { content: { [mediaType]: { schema: schemas.add(route.body, 'input') } } } }
      : {}),
    responses: {
      ...successResponses(route, schemas),
      ...Object.fromEntries(
        errors.map((status) => [String(status), { $ref: `#/components/responses/${ERRORS[status]![0]}` }]),
      ),
      default: { $ref: '#/components/responses/Error' },
    },
  };
}

function errorResponses(statuses: Set<number>, schemas: SchemaComponents) {
  const detail = schemas.ref('ErrorResponse');
  const either = { anyOf: [detail, schemas.ref('GatewayMessage')] };
  const response = (description: string, schema: JsonSchema) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const responses: Record<string, unknown> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const [name, description, gateway] = ERRORS[status]!;
    responses[name] = response(description, gateway ? either : detail);
  }
  responses.Error = response('Any other error (5xx included): always {detail}', detail);
  return responses;
}

/** OpenAPI 3.1, generated from the same zod schemas that validate requests and type the responses. */
export function openApiDocument(routes: Route[], serverUrl?: string) {
  const schemas = new SchemaComponents();
  schemas.add(errorResponseSchema, 'output');
  schemas.add(gatewayMessage, 'output');
  const usedErrors = new Set<number>();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const unknownError = route.doc?.errors?.find((status) => !ERRORS[status]);
    if (unknownError)
      throw new Error(`${route.method} ${route.path}: no description of error ${unknownError}`);
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route, schemas, usedErrors);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Open Wearables API',
      version: '1.0.0',
      description:
        'Wearable health data of your users, from cloud providers and the mobile SDKs, in one model. ' +
        'Errors are JSON `{"detail": "..."}`; date/time query parameters take ISO 8601 or Unix seconds.',
    },
    // Relative: the API itself, wherever this document is read from (the served copy names the deployment).
    servers: [{ url: serverUrl ?? '/' }],
    tags: [...new Set([...Object.keys(TAGS), ...routes.map((route) => route.tag)])]
      .filter((tag) => routes.some((route) => route.tag === tag))
      .map((name) => ({ name, ...(TAGS[name] ? { description: TAGS[name] } : {}) })),
    paths,
    components: {
      schemas: schemas.toJSON(),
      responses: errorResponses(usedErrors, schemas),
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-Open-Wearables-API-Key' },
        ApiKeyAlias: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        DeveloperBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        SdkBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (scope=sdk)' },
      },
    },
  };
}
