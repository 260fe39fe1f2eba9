import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createTestServer, jsonBody, readJson, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

describe('run manager', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ maxConcurrentRuns: 1 });
  });
  afterAll(async () => {
    await server.close();
  });
  const request = (path: string, init?: RequestInit) => server.app.request(path, init);

  it('queues runs beyond the maximum first in, first out; a queued run can be stopped', async () => {
    const create = async (paused: boolean) =>
      readJson(await request('/api/runs', jsonBody({ scenario: villageScenario({ steps: 3 }), paused })));
    const holder = await create(true);
    expect(holder).toMatchObject({ live: true });
    expect(holder.queuePosition).toBeUndefined();
    const second = await create(false);
    const third = await create(false);
    const fourth = await create(false);
    expect(second).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect(third).toMatchObject({ status: 'queued', queuePosition: 2 });
    expect(fourth).toMatchObject({ status: 'queued', queuePosition: 3 });
    expect(server.context.runs.queueDepth).toBe(3);

    // A queued run has no engine run yet: only stop applies.
    const pause = await request(`/api/runs/${third.id}/pause`, { method: 'POST' });
    expect(pause.status).toBe(409);
    expect((await readJson(pause)).error.code).toBe('RUN_NOT_LIVE');
    expect((await request(`/api/runs/${third.id}/stop`, jsonBody({ reason: 'not needed' }))).status).toBe(
      202,
    );
    expect(await readJson(await request(`/api/runs/${fourth.id}`))).toMatchObject({ queuePosition: 2 });

    await request(`/api/runs/${holder.id}/resume`, { method: 'POST' });
    const records = await Promise.all(
      [holder, second, fourth].map((run) => waitForRunStatus(server, run.id, ['completed', 'failed'])),
    );
    expect(records.map((record) => record.status)).toEqual(['completed', 'completed', 'completed']);
    // One at a time, in the order they were queued.
    const [first, next, last] = records as [(typeof records)[0], (typeof records)[0], (typeof records)[0]];
    expect((next.startedAt as Date).getTime()).toBeGreaterThanOrEqual((first.finishedAt as Date).getTime());
    expect((last.startedAt as Date).getTime()).toBeGreaterThanOrEqual((next.finishedAt as Date).getTime());
    expect(await server.store.getRun(third.id)).toMatchObject({
      status: 'stopped',
      reason: 'not needed',
      lastStep: 0,
    });
    expect(server.context.runs.queueDepth).toBe(0);
  });
});
