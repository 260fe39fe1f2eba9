import type { ApiClient } from './api-client';
import { apiErrorFromResponse } from './api-error';
import { finalEventTypes, type RunEvent } from './run-event-types';
import { ServerSentEventParser } from './sse-parser';

/** The connection state the console shows next to the run's status. */
export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'closed';

/** What to do with a run's event stream. */
export interface RunEventStreamOptions {
  client: ApiClient;
  runId: string;
  /** Resume after this sequence number (0: from the first event). */
  afterSequence?: number;
  /** Receives events in sequence order, each exactly once, in the chunks they arrived in. */
  onEvents: (events: RunEvent[]) => void;
  onStatus?: (status: StreamStatus, detail?: string) => void;
  /** First reconnect delay; doubles up to {@link maximumDelayMilliseconds}. @defaultValue 250 */
  initialDelayMilliseconds?: number;
  /** @defaultValue 4000 */
  maximumDelayMilliseconds?: number;
  /**
   * Asked when the server ends the stream without a final event (it has no more to send, e.g. the
   * run is not executing in this server after a restart): true stops following.
   */
  isFinished?: () => Promise<boolean>;
}

/** A live subscription to a run's events; `close()` ends it. */
export interface RunEventStream {
  close(): void;
  /** The sequence number of the last event delivered. */
  readonly lastSequence: number;
}

/**
 * Follows a run's Server-Sent Events. It remembers the last sequence number it delivered and,
 * when the connection drops (a server restart, a network blip), reconnects with `Last-Event-ID`
 * and `?lastEventId=` so the server replays what was missed from its store; events it has already
 * delivered are dropped, so every event reaches `onEvents` exactly once. It stops after the run's
 * final event (completed, stopped or failed) or on `close()`.
 */
export function openRunEventStream(options: RunEventStreamOptions): RunEventStream {
  const initialDelay = options.initialDelayMilliseconds ?? 250;
  const maximumDelay = options.maximumDelayMilliseconds ?? 4000;
  let lastSequence = options.afterSequence ?? 0;
  let closed = false;
  let controller: AbortController | undefined;
  let delay = initialDelay;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = (value: StreamStatus, detail?: string) => options.onStatus?.(value, detail);

  async function connect(): Promise<void> {
    controller = new AbortController();
    status(lastSequence === 0 ? 'connecting' : 'reconnecting');
    const path = `/runs/${encodeURIComponent(options.runId)}/events?lastEventId=${lastSequence}`;
    const response = await fetch(options.client.url(path), {
      headers: options.client.headers({
        accept: 'text/event-stream',
        ...(lastSequence > 0 ? { 'last-event-id': String(lastSequence) } : {}),
      }),
      signal: controller.signal,
      cache: 'no-store',
    });
    if (!response.ok || !response.body) {
      const error = await apiErrorFromResponse(response);
      // A missing run or a refused token will not fix itself by retrying.
      if (response.status === 404 || error.isUnauthorized) {
        closed = true;
        status('closed', error.message);
        return;
      }
      throw error;
    }
    status('open');
    delay = initialDelay;
    const parser = new ServerSentEventParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let ended = false;
    while (!closed) {
      const { value, done } = await reader.read();
      if (done) break;
      const fresh: RunEvent[] = [];
      for (const message of parser.push(value)) {
        if (message.retry !== undefined) delay = message.retry;
        const event = parseEvent(message.data);
        if (!event || event.sequence <= lastSequence) continue;
        lastSequence = event.sequence;
        fresh.push(event);
        if (finalEventTypes.has(event.type)) ended = true;
      }
      if (fresh.length > 0) options.onEvents(fresh);
      if (ended) {
        closed = true;
        controller.abort();
        status('ended');
        return;
      }
    }
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(run, delay);
    delay = Math.min(maximumDelay, delay * 2);
  }

  function run(): void {
    connect().then(
      async () => {
        if (closed) return;
        const finished = await options.isFinished?.().catch(() => false);
        if (finished) {
          closed = true;
          status('ended', 'the server has nothing more for this run');
          return;
        }
        status('reconnecting', 'the stream ended before the run did');
        schedule();
      },
      (error: unknown) => {
        if (closed) return;
        status('reconnecting', (error as Error).message);
        schedule();
      },
    );
  }

  run();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
      status('closed');
    },
    get lastSequence() {
      return lastSequence;
    },
  };
}

function parseEvent(data: string): RunEvent | undefined {
  try {
    const value = JSON.parse(data) as RunEvent;
    return typeof value?.sequence === 'number' && typeof value.type === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
