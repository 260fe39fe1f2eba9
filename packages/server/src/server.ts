import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerType, serve } from '@hono/node-server';
import { openRunLeases, openStore, redactUrl, type Store } from '@sandtable/store';
import type { Hono } from 'hono';
import { tokenRequired } from './access/auth-policy';
import { createApp } from './app';
import { RunManager } from './execution/run-manager';
import { StoreRunLauncher, type StoreRunLauncherOptions } from './execution/store-run-launcher';
import { SweepCoordinator } from './execution/sweep-coordinator';
import type { ApiEnvironment, ServerContext } from './http/server-context';
import { InProcessLiveEvents, type LiveEvents } from './live/live-events';
import { RedisLiveEvents } from './live/redis-live-events';
import { createLogger, type Logger, redactConnectionUrl } from './operations/logger';
import { ServerMetrics } from './operations/server-metrics';

/** Options of {@link createServer} and {@link startServer}. */
export interface ServerOptions {
  /** An open store (the caller closes it), instead of opening one from `databaseUrl`/`dataDirectory`. */
  store?: Store;
  /** `postgres://…` or `memory:`. @defaultValue `DATABASE_URL`, else the embedded store */
  databaseUrl?: string;
  /** The embedded store's folder. @defaultValue the store's default (`~/.local/share/sandtable/store`) */
  dataDirectory?: string;
  /** `redis://…`: live events through Redis pub/sub across processes. @defaultValue `REDIS_URL` */
  redisUrl?: string;
  /** Channel prefix in Redis. @defaultValue 'sandtable:' */
  redisPrefix?: string;
  /** The host the server binds to; decides whether tokens are required. @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue 4000; 0 picks a free port */
  port?: number;
  /** Require a token even on loopback. @defaultValue false */
  requireToken?: boolean;
  /** Runs executing at once; more are queued (FIFO). @defaultValue 4 */
  maxConcurrentRuns?: number;
  /** @defaultValue 1 MiB */
  bodyLimitBytes?: number;
  /** The built dashboard. @defaultValue packages/dashboard/dist (served when it exists) */
  dashboardDirectory?: string;
  /** Resume runs (and sweeps) that were executing when the last process ended. @defaultValue true */
  resumeInterrupted?: boolean;
  /**
   * On PostgreSQL, look this often for interrupted runs that no server executes (their execution
   * lease is free) and take them over; 0 turns it off. @defaultValue 15000 on PostgreSQL, off otherwise
   */
  resumeScanMs?: number;
  /** Model setup and engine options of the runs. */
  models?: StoreRunLauncherOptions['models'];
  logger?: Logger;
  /** SSE heartbeat period. @defaultValue 15000 */
  heartbeatMs?: number;
  /** Events an SSE client may have pending before it is resynchronised from the store. @defaultValue 1000 */
  streamBufferLimit?: number;
  environment?: NodeJS.ProcessEnv;
}

/** An assembled server: the app, its shared context, and how to close everything it opened. */
export interface SandtableServer {
  app: Hono<ApiEnvironment>;
  context: ServerContext;
  /** Finishes or checkpoints running steps, stops streams, closes what this server opened. */
  close(): Promise<void>;
}

/** The dashboard build next to this package (packages/dashboard/dist). */
export const defaultDashboardDirectory = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'dashboard',
  'dist',
);

const version = '0.1.0';

/**
 * Assembles the server without listening: store, live events, run manager, metrics, app. Tests use
 * it with `app.request()`; {@link startServer} adds the socket.
 */
export async function createServer(options: ServerOptions = {}): Promise<SandtableServer> {
  const environment = options.environment ?? process.env;
  const logger = options.logger ?? createLogger();
  const ownsStore = options.store === undefined;
  const databaseUrl = options.databaseUrl ?? (options.dataDirectory ? undefined : environment.DATABASE_URL);
  const store =
    options.store ??
    (await openStore({
      ...(databaseUrl ? { url: databaseUrl } : {}),
      ...(options.dataDirectory ? { directory: options.dataDirectory } : {}),
      environment,
    }));
  const redisUrl = options.redisUrl ?? environment.REDIS_URL;
  const live: LiveEvents = redisUrl
    ? new RedisLiveEvents({ url: redisUrl, ...(options.redisPrefix ? { prefix: options.redisPrefix } : {}) })
    : new InProcessLiveEvents();
  await live.ready();
  let runs: RunManager | undefined;
  const metrics = new ServerMetrics({
    runsByStatus: async () => {
      const counts: Record<string, number> = {};
      for (const run of await store.listRuns({ limit: 100_000 }))
        counts[run.status] = (counts[run.status] ?? 0) + 1;
      return counts;
    },
    queueDepth: () => runs?.queueDepth ?? 0,
  });
  const launcher = new StoreRunLauncher({
    store,
    logger,
    onAttempt: (record) => metrics.recordAttempt(record),
    ...(options.models ? { models: options.models } : {}),
  });
  // One executor per run across the servers on one PostgreSQL database (decision 0015).
  const shared =
    store.kind === 'postgres' && databaseUrl !== undefined && redactUrl(databaseUrl) === store.location;
  if (store.kind === 'postgres' && !shared)
    logger.warn('run leases need the store URL (databaseUrl): runs are not guarded against a second server');
  const leases = openRunLeases(shared ? { url: databaseUrl } : {});
  const resumeScanMs = options.resumeScanMs ?? (shared ? 15_000 : 0);
  runs = new RunManager({
    store,
    live,
    launcher,
    leases,
    ...(resumeScanMs > 0 ? { resumeScanMs } : {}),
    logger,
    ...(options.maxConcurrentRuns !== undefined ? { maxConcurrentRuns: options.maxConcurrentRuns } : {}),
    onStep: () => metrics.steps.inc(),
  });
  const sweeps = new SweepCoordinator({ store, runs, live, logger });
  const context: ServerContext = { store, runs, sweeps, live, metrics, logger, version };
  const app = createApp(context, {
    tokenRequired: tokenRequired(options.host ?? '127.0.0.1', options.requireToken ?? false),
    dashboardDirectory: options.dashboardDirectory ?? defaultDashboardDirectory,
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    streams: {
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.streamBufferLimit !== undefined ? { bufferLimit: options.streamBufferLimit } : {}),
    },
  });
  logger.info(
    {
      store: store.kind === 'postgres' ? redactConnectionUrl(store.location) : store.location,
      live: redisUrl ? 'redis' : 'in-process',
    },
    'server assembled',
  );
  if (options.resumeInterrupted ?? true) {
    await runs.resumeInterrupted();
    await sweeps.resumeRunning();
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    context,
    close() {
      closed ??= (async () => {
        // No sweep submits a member once the manager is shutting down.
        await sweeps.close();
        await runs.shutdown();
        await launcher.close();
        await live.close();
        if (ownsStore) await store.close();
      })();
      return closed;
    },
  };
}

/** A listening server. */
export interface RunningServer extends SandtableServer {
  /** `http://host:port` */
  url: string;
  host: string;
  port: number;
}

/**
 * Starts the API, the event streams and the dashboard on one port.
 * @example
 * const server = await startServer({ port: 0, dataDirectory: '/tmp/sandtable-store' });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = await createServer({ ...options, host });
  let httpServer: ServerType | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    httpServer = serve({ fetch: server.app.fetch, hostname: host, port: options.port ?? 4000 }, (info) =>
      resolve(info.port),
    );
    httpServer.once('error', reject);
  }).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  server.context.logger.info({ url }, 'listening');
  return {
    ...server,
    url,
    host,
    port,
    async close() {
      // Stop runs first (their last steps commit), then the streams end and the socket closes.
      await server.close();
      await new Promise<void>((resolve) => {
        if (!httpServer) return resolve();
        httpServer.close(() => resolve());
        (httpServer as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
