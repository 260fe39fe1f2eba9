import type { ApiClient } from './api-client';
import { apiErrorFromResponse } from './api-error';
import type { RunStatus } from './api-types';
import { ServerSentEventParser } from './sse-parser';

/** One `run-status` frame of `GET /api/events`. */
export interface RunStatusChange {
  runId: string;
  status: RunStatus;
  step?: number;
  outcome?: string | null;
}

/** Options of {@link openRunStatusStream}. */
export interface RunStatusStreamOptions {
  client: ApiClient;
  onChange: (change: RunStatusChange) => void;
  /**
   * Called after every (re)connect: the stream has no ids and does not replay, so whatever
   * changed while it was down must be read again (`GET /api/runs`).
   */
  onConnected?: () => void;
  /** @defaultValue 1000 */
  retryMilliseconds?: number;
}

/**
 * Follows the status changes of every run in the workspace (`GET /api/events`). The server tells
 * pause and resume here at once, while the run's own event stream carries `run-paused` only with
 * the next committed step. Reconnects by itself until `close()`.
 */
export function openRunStatusStream(options: RunStatusStreamOptions): { close(): void } {
  let closed = false;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function connect(): Promise<void> {
    controller = new AbortController();
    const response = await fetch(options.client.url('/events'), {
      headers: options.client.headers({ accept: 'text/event-stream' }),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw await apiErrorFromResponse(response);
    options.onConnected?.();
    const parser = new ServerSentEventParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    while (!closed) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parser.push(value)) {
        if (message.event !== 'run-status') continue;
        try {
          const change = JSON.parse(message.data) as RunStatusChange;
          if (typeof change.runId === 'string' && typeof change.status === 'string') options.onChange(change);
        } catch {
          // A malformed frame is skipped; the next one carries the current status again.
        }
      }
    }
  }

  function run(): void {
    connect()
      .catch(() => undefined)
      .finally(() => {
        if (!closed) timer = setTimeout(run, options.retryMilliseconds ?? 1000);
      });
  }

  run();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
    },
  };
}
