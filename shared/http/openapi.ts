import * as z from 'zod';
import type { AuthClass, Route } from '#shared/http/route.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const SECURITY: Record<AuthClass, Array<Record<string, string[]>>> = {
  NONE: [],
  API: [{ ApiKey: [] }, { ApiKeyAlias: [] }, { DeveloperBearer: [] }],
  DEV: [{ DeveloperBearer: [] }],
  SDK: [{ SdkBearer: [] }, { ApiKey: [] }, { ApiKeyAlias: [] }],
  TOKEN: [{}, { DeveloperBearer: [] }],
};

const errorResponse = {
  description: 'Error',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] },
    },
  },
};

function operation(route: Route) {
  const status = String(route.status ?? (route.method === 'DELETE' && !route.response ? 204 : 200));
  const mediaType = route.bodyFormat === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^a-zA-Z0-9]+/g, '_')}`,
    security: SECURITY[route.auth],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? { requestBody: { content: { [mediaType]: { schema: toSchema(route.body, 'input') } } } }
      : {}),
    responses: {
      [status]: route.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: toSchema(route.response, 'output') } },
          }
        : { description: 'OK' },
      default: errorResponse,
    },
  };
}

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
export function openApiDocument(routes: Route[], serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Open Wearables API', version: '1.0.0' },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-Open-Wearables-API-Key' },
        ApiKeyAlias: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        DeveloperBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        SdkBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (scope=sdk)' },
      },
    },
  };
}
