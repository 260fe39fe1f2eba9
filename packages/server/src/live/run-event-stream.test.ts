import type { RunEvent } from '@sandtable/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { jsonBody, readFrames, readJson, type SseFrame, startTestServer } from '../test-support';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** Checks every frame's exact layout and returns the events it carried. */
function eventsOf(frames: SseFrame[]): RunEvent[] {
  return frames
    .filter((frame) => frame.comment === undefined)
    .map((frame) => {
      const event = JSON.parse(frame.data as string) as RunEvent;
      expect(frame.raw).toBe(`event: ${event.type}\ndata: ${JSON.stringify(event)}\nid: ${event.sequence}`);
      return event;
    });
}

async function post(server: TestServer, path: string, body: unknown = {}) {
  const response = await fetch(`${server.url}${path}`, jsonBody(body));
  expect(response.status).toBeLessThan(300);
  return readJson(response);
}

describe.each([
  { name: 'live', bufferLimit: 1000 },
  // Every step's batch overflows a one-event buffer: each is caught up from the store instead.
  { name: 'always resynchronised', bufferLimit: 1 },
])('run event stream over a socket ($name)', ({ bufferLimit }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ streamBufferLimit: bufferLimit, heartbeatMs: 60_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends id/event/data frames, and a reconnect with Last-Event-ID loses and repeats nothing', async () => {
    const run = await post(server, '/api/runs', { scenario: villageScenario({ steps: 10 }), paused: true });
    const first = await fetch(`${server.url}/api/runs/${run.id}/events`);
    expect(first.headers.get('content-type')).toBe('text/event-stream');
    // Watch three single steps live, then drop the connection in the middle of the run.
    const reading = readFrames(
      first,
      (frame) => frame.event === 'step-completed' && frame.data?.includes('"step":3,') === true,
    );
    for (let step = 0; step < 3; step++) await post(server, `/api/runs/${run.id}/step`);
    const beforeDrop = await reading;
    expect(beforeDrop.ended).toBe(false);
    // While nobody listens, two more steps happen.
    await post(server, `/api/runs/${run.id}/step`);
    await post(server, `/api/runs/${run.id}/step`);

    const lastSeen = beforeDrop.frames.at(-1)?.id as string;
    const second = await fetch(`${server.url}/api/runs/${run.id}/events?lastEventId=1`, {
      // The header wins over the query parameter.
      headers: { 'last-event-id': lastSeen },
    });
    const tail = readFrames(second);
    await post(server, `/api/runs/${run.id}/resume`);
    const afterReconnect = await tail;
    expect(afterReconnect.ended).toBe(true);

    const received = [...eventsOf(beforeDrop.frames), ...eventsOf(afterReconnect.frames)];
    const { events: log } = await readJson(
      await fetch(`${server.url}/api/runs/${run.id}/history/events?limit=5000`),
    );
    expect(received.map((event) => event.sequence)).toEqual(
      log.map((_: unknown, index: number) => index + 1),
    );
    expect(received).toEqual(log);
    expect(log.at(-1).type).toBe('run-completed');
    const completedSteps = received
      .filter((event) => event.type === 'step-completed')
      .map((event) => event.step);
    expect(completedSteps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(received.filter((event) => event.type === 'run-paused').length).toBeGreaterThanOrEqual(5);
    const resyncs = (await server.context.metrics.streamResyncs.get()).values[0]?.value ?? 0;
    if (bufferLimit === 1) expect(resyncs).toBeGreaterThan(0);
    else expect(resyncs).toBe(0);
  }, 20_000);

  it('replays a finished run from the start and closes', async () => {
    const run = await post(server, '/api/runs', { scenario: villageScenario({ steps: 3 }) });
    const { frames, ended } = await readFrames(await fetch(`${server.url}/api/runs/${run.id}/events`));
    expect(ended).toBe(true);
    const again = await readFrames(await fetch(`${server.url}/api/runs/${run.id}/events`));
    expect(eventsOf(again.frames)).toEqual(eventsOf(frames));
    expect(eventsOf(frames).at(-1)?.type).toBe('run-completed');
  });
});
