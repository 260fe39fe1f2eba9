/**
 * @sandtable/server — Sandtable's HTTP API (Hono on @hono/node-server): scenarios, runs, control,
 * history, forks and interviews; Server-Sent Events resumable with Last-Event-ID; a run manager
 * with a FIFO queue and fair model sharing; API tokens and workspaces; Prometheus metrics; the
 * dashboard on the same port. See docs/API.md.
 */
export { isLoopbackHost, tokenRequired } from './access/auth-policy';
export { createApp, routeDocs } from './app';
export { FairShareRouter } from './execution/fair-share-router';
export {
  type LaunchedRun,
  type RunLauncher,
  RunManager,
  type RunManagerOptions,
} from './execution/run-manager';
export {
  type ServerModels,
  StoreRunLauncher,
  type StoreRunLauncherOptions,
} from './execution/store-run-launcher';
export { ApiError, type ErrorBody } from './http/api-error';
export { openApiDocument } from './http/openapi-document';
export type { ApiEnvironment, ServerContext } from './http/server-context';
export { InProcessLiveEvents, type LiveEvents, type RunStatusChange } from './live/live-events';
export { RedisLiveEvents, type RedisLiveEventsOptions } from './live/redis-live-events';
export { eventFrame, streamRunEvents } from './live/run-event-stream';
export { createLogger, type Logger } from './operations/logger';
export { ServerMetrics } from './operations/server-metrics';
export {
  createServer,
  defaultDashboardDirectory,
  type RunningServer,
  type SandtableServer,
  type ServerOptions,
  startServer,
} from './server';
