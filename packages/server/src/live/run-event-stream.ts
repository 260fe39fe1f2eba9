import type { RunEvent } from '@sandtable/core';
import type { SSEStreamingApi } from 'hono/streaming';
import type { LiveEvents } from './live-events';

/** Event types after which a run's stream has nothing more to say. */
export const terminalEventTypes: ReadonlySet<string> = new Set([
  'run-completed',
  'run-stopped',
  'run-failed',
]);

/** Options of {@link streamRunEvents}. */
export interface RunEventStreamOptions {
  runId: string;
  /** Send events with a larger sequence number (the client's Last-Event-ID; 0 for everything). */
  after: number;
  live: LiveEvents;
  /** Committed events after a sequence number, ascending, at most `limit` (the store). */
  history: (after: number, limit: number) => Promise<readonly RunEvent[]>;
  /**
   * Events buffered for this client before it is considered too slow: the buffer is dropped and
   * the client is caught up from the store instead, so the run never waits for it.
   * @defaultValue 1000
   */
  bufferLimit?: number;
  /** A comment frame after this long without events, so proxies keep the connection. @defaultValue 15000 */
  heartbeatMs?: number;
  /** Page size of store reads. @defaultValue 500 */
  pageSize?: number;
  /**
   * True when the run will publish nothing more (it ended, or ended before its final event was
   * written, e.g. a crash). Checked after each read from the store, so a client that connects after
   * the end gets the rest of the log and the stream closes.
   */
  hasEnded: () => Promise<boolean>;
  /** Called with the number of times the client was resynchronised from the store. */
  onResync?: () => void;
}

/** The SSE frame of one event: `id:` = sequence, `event:` = type, `data:` = the event as JSON. */
export function eventFrame(event: RunEvent): { id: string; event: string; data: string } {
  return { id: String(event.sequence), event: event.type, data: JSON.stringify(event) };
}

/**
 * Streams a run's events over SSE: first the committed events after `after` from the store, then
 * live ones, with nothing lost or duplicated — live events that arrive while the store is read
 * wait in the buffer and are skipped when already sent; a gap in sequence numbers, or a buffer
 * that overflowed because the client reads slowly, sends the stream back to the store from the
 * last event sent. Ends after the run's final event, or when the client goes away.
 */
export async function streamRunEvents(
  stream: SSEStreamingApi,
  options: RunEventStreamOptions,
): Promise<void> {
  const bufferLimit = options.bufferLimit ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const pageSize = options.pageSize ?? 500;
  let lastSent = options.after;
  let buffer: RunEvent[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const unsubscribe = options.live.subscribe(options.runId, (events) => {
    if (overflowed) return;
    buffer.push(...events);
    if (buffer.length > bufferLimit) {
      // Drop everything: the store has it, and the client will read it from there when it can.
      buffer = [];
      overflowed = true;
    }
    wake?.();
  });
  stream.onAbort(() => wake?.());
  let finished = false;
  const send = async (event: RunEvent) => {
    await stream.writeSSE(eventFrame(event));
    lastSent = event.sequence;
    if (terminalEventTypes.has(event.type)) finished = true;
  };
  try {
    let resync = true;
    while (!stream.aborted && !stream.closed && !finished) {
      if (resync) {
        resync = false;
        overflowed = false;
        while (!stream.aborted && !finished) {
          const page = await options.history(lastSent, pageSize);
          for (const event of page) {
            if (event.sequence > lastSent) await send(event);
          }
          if (page.length < pageSize) break;
        }
        if (!finished && (await options.hasEnded())) {
          // It ended while we read: whatever was committed last is in the store now.
          for (const event of await options.history(lastSent, pageSize * 100)) {
            if (event.sequence > lastSent) await send(event);
          }
          finished = true;
        }
        continue;
      }
      if (overflowed) {
        options.onResync?.();
        resync = true;
        continue;
      }
      while (buffer.length > 0 && !resync && !finished && !stream.aborted) {
        const event = buffer.shift() as RunEvent;
        if (event.sequence <= lastSent) continue;
        if (event.sequence !== lastSent + 1) {
          // A gap (e.g. events published before this client subscribed): the store fills it.
          buffer = [];
          resync = true;
          break;
        }
        await send(event);
      }
      if (resync || finished || stream.aborted || overflowed || buffer.length > 0) continue;
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), heartbeatMs);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = undefined;
      if (timedOut && !stream.aborted) await stream.write(': heartbeat\n\n');
    }
  } finally {
    unsubscribe();
  }
}
