import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleRunEvents } from '../__fixtures__/sample-events';
import { ApiClient } from './api-client';
import { openRunEventStream, type StreamStatus } from './run-event-stream';
import type { RunEvent } from './run-event-types';

function frame(event: RunEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\nid: ${event.sequence}\n\n`;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real SSE server over a socket; `respond` decides what each connection gets. */
async function serve(
  respond: (request: IncomingMessage, attempt: number) => { frames: string; hangUp: boolean },
) {
  let attempt = 0;
  const requests: Array<{ url: string; lastEventId: string | undefined; authorization: string | undefined }> =
    [];
  server = createServer((request, response) => {
    requests.push({
      url: request.url ?? '',
      lastEventId: request.headers['last-event-id'] as string | undefined,
      authorization: request.headers.authorization,
    });
    const { frames, hangUp } = respond(request, attempt++);
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(frames);
    // A crash mid-stream: the socket goes away without a proper end.
    if (hangUp) setTimeout(() => response.socket?.destroy(), 20);
    else response.end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api`, requests };
}

describe('openRunEventStream', () => {
  it('reconnects after the server drops the connection and delivers every event exactly once', async () => {
    const events = sampleRunEvents();
    const { baseUrl, requests } = await serve((_request, attempt) =>
      attempt === 0
        ? { frames: events.slice(0, 6).map(frame).join(''), hangUp: true }
        : // The server replays from its store; a little overlap must not show twice.
          { frames: events.slice(4).map(frame).join(''), hangUp: false },
    );
    const received: number[] = [];
    const statuses: StreamStatus[] = [];
    const client = new ApiClient({ baseUrl, token: () => 'st_secret' });
    await new Promise<void>((resolve) => {
      openRunEventStream({
        client,
        runId: 'run-1',
        initialDelayMilliseconds: 10,
        onEvents: (batch) => received.push(...batch.map((event) => event.sequence)),
        onStatus: (status) => {
          statuses.push(status);
          if (status === 'ended') resolve();
        },
      });
    });
    expect(received).toEqual(events.map((event) => event.sequence));
    expect(requests).toHaveLength(2);
    expect(requests[0]).toEqual({
      url: '/api/runs/run-1/events?lastEventId=0',
      lastEventId: undefined,
      authorization: 'Bearer st_secret',
    });
    expect(requests[1]).toEqual({
      url: '/api/runs/run-1/events?lastEventId=6',
      lastEventId: '6',
      authorization: 'Bearer st_secret',
    });
    expect(statuses).toContain('reconnecting');
  });

  it('gives up on a run the server does not know', async () => {
    server = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'RUN_NOT_FOUND', message: 'no run "nope"' } }));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new ApiClient({ baseUrl: `http://127.0.0.1:${port}/api` });
    const detail = await new Promise<string | undefined>((resolve) => {
      openRunEventStream({
        client,
        runId: 'nope',
        onEvents: () => undefined,
        onStatus: (status, message) => {
          if (status === 'closed') resolve(message);
        },
      });
    });
    expect(detail).toBe('no run "nope"');
  });
});
