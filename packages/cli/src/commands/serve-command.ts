import { startServer } from '@sandtable/server';
import type { CommandIo } from '../command-io';
import { ensureDashboardBuilt } from '../dashboard-build';

/** Options of `sandtable serve`. */
export interface ServeCommandOptions {
  port: number;
  host: string;
  requireToken?: boolean;
  /** The embedded store's folder (ignored when `DATABASE_URL` is set). */
  data?: string;
  maxRuns?: number;
  modelConfig?: string;
  /** Largest request body, bytes. */
  bodyLimit?: number;
  /** Do not resume runs interrupted by the last shutdown or crash. */
  resume?: boolean;
  /** Build the dashboard when its build is missing or stale (`--no-build` sets false). */
  build?: boolean;
}

/**
 * `sandtable serve`: the API, the live streams and the dashboard on one port until SIGINT or
 * SIGTERM, which finish (or checkpoint) the steps in progress before the process exits.
 */
export async function serveCommand(options: ServeCommandOptions, io: CommandIo): Promise<number> {
  if (options.build !== false) {
    const dashboard = await ensureDashboardBuilt();
    if (dashboard.state === 'built')
      io.err(`sandtable: built the dashboard in ${(dashboard.milliseconds / 1000).toFixed(1)} s`);
    else if (dashboard.state === 'unavailable')
      io.err(`sandtable: serving the API without the dashboard: ${dashboard.reason}`);
  }
  const server = await startServer({
    port: options.port,
    host: options.host,
    ...(options.requireToken ? { requireToken: true } : {}),
    ...(options.data ? { dataDirectory: options.data } : {}),
    ...(options.maxRuns !== undefined ? { maxConcurrentRuns: options.maxRuns } : {}),
    ...(options.modelConfig ? { models: { configPath: options.modelConfig } } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimitBytes: options.bodyLimit } : {}),
    ...(options.resume === false ? { resumeInterrupted: false } : {}),
  });
  io.err(
    `sandtable: listening on ${server.url} (API under ${server.url}/api, docs at ${server.url}/openapi.json)`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      io.err(`sandtable: ${signal}: finishing the steps in progress, then exiting`);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
