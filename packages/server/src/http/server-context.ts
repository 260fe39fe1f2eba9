import type { Store } from '@sandtable/store';
import type { AuthVariables } from '../access/auth-middleware';
import type { RunManager } from '../execution/run-manager';
import type { SweepCoordinator } from '../execution/sweep-coordinator';
import type { LiveEvents } from '../live/live-events';
import type { Logger } from '../operations/logger';
import type { ServerMetrics } from '../operations/server-metrics';

/** What every route handler shares: one explicit context, no globals. */
export interface ServerContext {
  store: Store;
  runs: RunManager;
  /** Sweeps, their members submitted to `runs`. */
  sweeps: SweepCoordinator;
  live: LiveEvents;
  metrics: ServerMetrics;
  logger: Logger;
  /** Package version, shown in `/openapi.json`. */
  version: string;
}

/** Hono's environment type for the API's routes. */
export interface ApiEnvironment {
  Variables: AuthVariables;
}
