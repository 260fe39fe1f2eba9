import type { z } from 'zod';

/** One route as `/openapi.json` describes it; the zod schemas are the ones the route validates with. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Hono path syntax (`/runs/:id`); converted to OpenAPI's `{id}`. */
  path: string;
  summary: string;
  tag: 'scenarios' | 'runs' | 'control' | 'history' | 'streams' | 'operations';
  body?: z.ZodType;
  query?: z.ZodType;
  /** Status → what it means; the error statuses share the error shape. */
  responses: Record<number, string>;
  /** Served as `text/event-stream`. */
  stream?: boolean;
  /** Needs no token (health checks). */
  open?: boolean;
}
