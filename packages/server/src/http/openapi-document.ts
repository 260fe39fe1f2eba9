import { z } from 'zod';
import type { RouteDoc } from './route-docs';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable UPPER_SNAKE code (docs/ERRORS.md)' },
        message: { type: 'string' },
        details: { description: 'e.g. `issues`: the validation problems with their paths' },
      },
    },
  },
} as const;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function queryParameters(schema: z.ZodType): Array<Record<string, unknown>> {
  const document = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>> };
  return Object.entries(document.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

/**
 * The OpenAPI 3.1 document of the API, built from the same zod schemas the routes validate
 * request bodies and queries with (zod 4's `z.toJSONSchema`).
 */
export function openApiDocument(routes: readonly RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const pathParameters = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(route.responses)) {
      const ok = Number(status) < 400;
      responses[status] = {
        description,
        ...(ok
          ? route.stream
            ? { content: { 'text/event-stream': { schema: { type: 'string' } } } }
            : { content: { 'application/json': { schema: {} } } }
          : { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }),
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method] = {
      summary: route.summary,
      tags: [route.tag],
      ...(route.open ? { security: [] } : {}),
      parameters: [...pathParameters, ...(route.query ? queryParameters(route.query) : [])],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sandtable API',
      version,
      description: 'Scenarios, runs, control, history, forks and live Server-Sent Events. See docs/API.md.',
    },
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
