import type { ConsoleRunStatus } from './run-console-state';

/**
 * The status the console shows: the events' account, except that the server's stored status is
 * newer for pause and resume (the event stream carries `run-paused` only with the next committed
 * step, while the server records the pause as it happens). An ended run is ended whatever the
 * server says, and until the final event lands the last live status stands.
 */
export function effectiveRunStatus(
  fromEvents: ConsoleRunStatus,
  fromServer: string | undefined,
): ConsoleRunStatus {
  if (fromEvents === 'completed' || fromEvents === 'stopped' || fromEvents === 'failed') return fromEvents;
  if (fromServer === 'paused') return 'paused';
  if (fromServer === 'running' && fromEvents !== 'waiting') return 'running';
  return fromEvents;
}
