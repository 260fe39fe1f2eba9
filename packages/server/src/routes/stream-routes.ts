import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ApiError } from '../http/api-error';
import { EventStreamQuery } from '../http/request-schemas';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';
import { streamRunEvents } from '../live/run-event-stream';
import { runInWorkspace } from './run-access';

const endedStatuses = new Set(['completed', 'stopped', 'failed']);

/** Options of the stream routes (tests shorten the heartbeat and shrink the buffer). */
export interface StreamRouteOptions {
  heartbeatMs?: number;
  bufferLimit?: number;
}

function lastEventId(header: string | undefined, query: number | undefined): number {
  if (header !== undefined && header.trim() !== '') {
    const parsed = Number(header);
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new ApiError(
        400,
        'REQUEST_INVALID',
        `Last-Event-ID must be an event sequence number, got "${header}"`,
      );
    }
    return parsed;
  }
  return query ?? 0;
}

/** Server-Sent Events: one run's events (resumable with Last-Event-ID), and every run's status. */
export function streamRoutes(context: ServerContext, options: StreamRouteOptions = {}): Hono<ApiEnvironment> {
  const { store, live, metrics } = context;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const routes = new Hono<ApiEnvironment>();

  routes.get('/runs/:id/events', validate('query', EventStreamQuery), async (c) => {
    const record = await runInWorkspace(context, c);
    const after = lastEventId(c.req.header('last-event-id'), c.req.valid('query').lastEventId);
    return streamSSE(c, async (stream) => {
      metrics.streamClients.inc();
      try {
        await streamRunEvents(stream, {
          runId: record.id,
          after,
          live,
          history: (sequence, limit) => store.eventsAfter(record.id, sequence, limit),
          hasEnded: async () => endedStatuses.has((await store.getRun(record.id))?.status ?? 'failed'),
          heartbeatMs,
          ...(options.bufferLimit !== undefined ? { bufferLimit: options.bufferLimit } : {}),
          onResync: () => metrics.streamResyncs.inc(),
        });
      } finally {
        metrics.streamClients.dec();
      }
    });
  });

  routes.get('/events', validate('query', EventStreamQuery), (c) => {
    const workspace = c.get('workspace');
    return streamSSE(c, async (stream) => {
      metrics.streamClients.inc();
      let wake: (() => void) | undefined;
      const pending: string[] = [];
      const unsubscribe = live.subscribeStatus((change) => {
        if (change.workspace !== workspace) return;
        const { workspace: _hidden, ...visible } = change;
        // Only the newest status of each run matters to a slow client: keep the buffer bounded.
        if (pending.length > 1000) pending.splice(0, pending.length - 1000);
        pending.push(JSON.stringify(visible));
        wake?.();
      });
      stream.onAbort(() => wake?.());
      try {
        while (!stream.aborted && !stream.closed) {
          while (pending.length > 0)
            await stream.writeSSE({ event: 'run-status', data: pending.shift() as string });
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
        metrics.streamClients.dec();
      }
    });
  });

  return routes;
}

/** The stream routes in `/openapi.json`. */
export const streamRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/runs/:id/events',
    tag: 'streams',
    summary: 'A run’s events as SSE (id = sequence, event = type, data = JSON); resumes after Last-Event-ID',
    query: EventStreamQuery,
    stream: true,
    responses: { 200: 'text/event-stream', 404: 'no such run' },
  },
  {
    method: 'get',
    path: '/api/events',
    tag: 'streams',
    summary: 'Every run’s status changes as SSE (event: run-status)',
    query: EventStreamQuery,
    stream: true,
    responses: { 200: 'text/event-stream' },
  },
];
