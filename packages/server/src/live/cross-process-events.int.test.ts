import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@sandtable/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createTestServer, jsonBody, readFrames, readJson } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

const redisUrl = process.env.SANDTABLE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/**
 * Two servers on one PostgreSQL database and one Redis, as two processes of a deployment would
 * be: a run executes in one; a client watching through the other sees it live.
 */
describe('live events across servers through Redis pub/sub, stored in PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let executing: TestServer;
  let watching: TestServer;
  beforeAll(async () => {
    database = await createTestDatabase('sandtable_server');
    // A key prefix of its own, so parallel suites and other deployments on this Redis do not mix.
    const redisPrefix = `sandtable-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
    executing = await createTestServer({ databaseUrl: database.url, redisUrl, redisPrefix });
    watching = await createTestServer({ databaseUrl: database.url, redisUrl, redisPrefix });
  });
  afterAll(async () => {
    await executing?.close();
    await watching?.close();
    await database?.drop();
  });

  it('streams a run executing in one server to an SSE client of the other, status changes included', async () => {
    const run = await readJson(
      await executing.app.request(
        '/api/runs',
        jsonBody({ scenario: villageScenario({ steps: 5 }), paused: true }),
      ),
    );
    // Both servers see the same stored run.
    expect(await readJson(await watching.app.request(`/api/runs/${run.id}`))).toMatchObject({
      id: run.id,
      live: false,
    });
    const statuses = readFrames(await watching.app.request('/api/events'), (frame) =>
      Boolean(frame.data?.includes('"status":"completed"')),
    );
    const stream = readFrames(await watching.app.request(`/api/runs/${run.id}/events`));
    await executing.app.request(`/api/runs/${run.id}/resume`, { method: 'POST' });
    const { frames, ended } = await stream;
    expect(ended).toBe(true);
    const received = frames.filter((frame) => frame.event).map((frame) => JSON.parse(frame.data as string));
    const { events } = await readJson(
      await watching.app.request(`/api/runs/${run.id}/history/events?limit=5000`),
    );
    expect(received).toEqual(events);
    expect(events.at(-1).type).toBe('run-completed');

    const changes = (await statuses).frames.map((frame) => JSON.parse(frame.data as string));
    expect(changes.every((change) => change.runId === run.id && change.workspace === undefined)).toBe(true);
    expect(changes.map((change) => change.status)).toEqual(expect.arrayContaining(['running', 'completed']));
    expect(changes.filter((change) => change.status === 'running').map((change) => change.step)).toEqual(
      expect.arrayContaining([1, 2, 3, 4, 5]),
    );
  });
});
