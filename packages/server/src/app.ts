import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { authMiddleware } from './access/auth-middleware';
import { ApiError, toErrorResponse } from './http/api-error';
import { openApiDocument } from './http/openapi-document';
import type { RouteDoc } from './http/route-docs';
import type { ApiEnvironment, ServerContext } from './http/server-context';
import { analysisRouteDocs, analysisRoutes } from './routes/analysis-routes';
import { controlRouteDocs, controlRoutes } from './routes/control-routes';
import { historyRouteDocs, historyRoutes } from './routes/history-routes';
import { runRouteDocs, runRoutes } from './routes/run-routes';
import { scenarioRouteDocs, scenarioRoutes } from './routes/scenario-routes';
import { type StreamRouteOptions, streamRouteDocs, streamRoutes } from './routes/stream-routes';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Whether every route but health needs a token ({@link tokenRequired}). */
  tokenRequired: boolean;
  /** Largest request body accepted, in bytes. @defaultValue 1 MiB */
  bodyLimitBytes?: number;
  /** The built dashboard (`packages/dashboard/dist`); served at `/` when the folder exists. */
  dashboardDirectory?: string;
  streams?: StreamRouteOptions;
}

const operationsRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    tag: 'operations',
    summary: 'The process is up',
    open: true,
    responses: { 200: '{ ok: true }' },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'operations',
    summary: 'The store answers',
    open: true,
    responses: { 200: '{ ok: true }', 503: 'STORE_UNAVAILABLE' },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    responses: { 200: 'text/plain exposition format' },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'operations',
    summary: 'This document',
    responses: { 200: 'OpenAPI 3.1' },
  },
];

/** Every documented route, in `/openapi.json` order. */
export const routeDocs: readonly RouteDoc[] = [
  ...scenarioRouteDocs,
  ...runRouteDocs,
  ...controlRouteDocs,
  ...historyRouteDocs,
  ...streamRouteDocs,
  ...analysisRouteDocs,
  ...operationsRouteDocs,
];

function isApiPath(path: string): boolean {
  return (
    path === '/api' ||
    path.startsWith('/api/') ||
    ['/healthz', '/readyz', '/metrics', '/openapi.json'].includes(path)
  );
}

/**
 * The HTTP application: the API under `/api`, operations routes at the root, the dashboard for
 * everything else. Handlers are tested through `app.request()`; {@link startServer} serves it.
 */
export function createApp(context: ServerContext, options: AppOptions): Hono<ApiEnvironment> {
  const { store, metrics, logger } = context;
  const app = new Hono<ApiEnvironment>();
  const dashboard =
    options.dashboardDirectory && existsSync(join(options.dashboardDirectory, 'index.html'))
      ? options.dashboardDirectory
      : undefined;
  let defaultWorkspace: Promise<string> | undefined;

  app.onError((error, c) => {
    let mapped = toErrorResponse(error);
    if (error instanceof HTTPException && !(error instanceof ApiError)) {
      mapped = {
        status: error.status as typeof mapped.status,
        body: {
          error: {
            code: error.status === 400 ? 'REQUEST_MALFORMED' : 'REQUEST_FAILED',
            message: error.message,
          },
        },
      };
    }
    if (mapped.status >= 500)
      logger.error({ path: c.req.path, error: (error as Error).stack }, 'request failed');
    return c.json(mapped.body, mapped.status);
  });
  app.notFound((c) =>
    c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c);
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
  });
  app.use(
    authMiddleware({
      required: options.tokenRequired,
      verifyToken: async (secret) => (await store.verifyToken(secret))?.workspace.id,
      defaultWorkspace: () => {
        const pending = defaultWorkspace ?? store.defaultWorkspace().then((workspace) => workspace.id);
        defaultWorkspace = pending;
        return pending;
      },
      isPublicPath: (path) => !isApiPath(path),
    }),
  );
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? 1024 * 1024,
      onError: () => {
        throw new ApiError(
          413,
          'REQUEST_TOO_LARGE',
          `the request body is larger than ${options.bodyLimitBytes ?? 1024 * 1024} bytes`,
        );
      },
    }),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    try {
      await store.ping();
      return c.json({ ok: true, store: store.kind });
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'store not ready');
      throw new ApiError(503, 'STORE_UNAVAILABLE', 'the store does not answer');
    }
  });
  app.get('/metrics', async (c) => {
    const { contentType, body } = await metrics.render();
    return c.body(body, 200, { 'Content-Type': contentType });
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument(routeDocs, context.version)));

  const api = new Hono<ApiEnvironment>();
  api.route('/', scenarioRoutes(context));
  api.route('/', runRoutes(context));
  api.route('/', controlRoutes(context));
  api.route('/', historyRoutes(context));
  api.route('/', streamRoutes(context, options.streams));
  api.route('/', analysisRoutes(context));
  app.route('/api', api);
  app.all('/api/*', (c) =>
    c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  if (dashboard) {
    app.use('*', serveStatic({ root: dashboard }));
    // The single-page app's own routes (/runs/abc…) get index.html; the app routes in the browser.
    app.get('*', serveStatic({ path: join(dashboard, 'index.html') }));
  }
  return app;
}
