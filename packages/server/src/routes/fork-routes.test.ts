import type { RunEvent } from '@sandtable/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createTestServer, jsonBody, readJson, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

/** What must be equal between runs: everything but the run's wall-clock time. */
function comparable(event: RunEvent): Omit<RunEvent, 'wallTime'> {
  const { wallTime: _wallTime, ...rest } = event;
  return rest;
}

describe('forks', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const request = (path: string, init?: RequestInit) => server.app.request(path, init);
  const eventsOf = async (runId: string): Promise<RunEvent[]> =>
    (await readJson(await request(`/api/runs/${runId}/history/events?limit=5000`))).events;

  it('shares the parent’s first N steps, then diverges with the changed variable', async () => {
    const parent = await readJson(
      await request('/api/runs', jsonBody({ scenario: villageScenario({ steps: 8 }) })),
    );
    await waitForRunStatus(server, parent.id, ['completed']);

    const forked = await request(
      `/api/runs/${parent.id}/fork`,
      jsonBody({ step: 3, variables: { pool: 400 } }),
    );
    expect(forked.status).toBe(201);
    const child = await readJson(forked);
    expect(child).toMatchObject({ parentRunId: parent.id, forkStep: 3 });
    await waitForRunStatus(server, child.id, ['completed', 'failed']);
    expect(await readJson(await request(`/api/runs/${child.id}`))).toMatchObject({
      status: 'completed',
      step: 8,
    });

    const parentEvents = await eventsOf(parent.id);
    const childEvents = await eventsOf(child.id);
    const throughStep = (events: RunEvent[], step: number) =>
      events.slice(
        0,
        events.findIndex((event) => event.type === 'step-completed' && event.step === step) + 1,
      );
    const sharedParent = throughStep(parentEvents, 3);
    const sharedChild = throughStep(childEvents, 3);
    expect(sharedParent.length).toBeGreaterThan(10);
    expect(sharedChild.map(comparable)).toEqual(sharedParent.map(comparable));

    // Right after the fork point the child applies the change, and the world goes another way.
    const next = childEvents[sharedChild.length];
    expect(next).toMatchObject({ type: 'variable-set', variable: 'pool', value: 400 });
    const poolAt = async (runId: string, step: number) =>
      (await readJson(await request(`/api/runs/${runId}/state?step=${step}`))).globals.pool as number;
    expect(await poolAt(child.id, 3)).toBe(await poolAt(parent.id, 3));
    expect(await poolAt(child.id, 4)).toBeGreaterThan((await poolAt(parent.id, 4)) + 100);
    expect(childEvents.slice(sharedChild.length).map(comparable)).not.toEqual(
      parentEvents.slice(sharedParent.length).map(comparable),
    );
  });

  it('refuses a step that is not committed, and changed parameters', async () => {
    const parent = await readJson(
      await request('/api/runs', jsonBody({ scenario: villageScenario({ steps: 3 }) })),
    );
    await waitForRunStatus(server, parent.id, ['completed']);
    const tooFar = await request(`/api/runs/${parent.id}/fork`, jsonBody({ step: 4 }));
    expect(tooFar.status).toBe(400);
    expect((await readJson(tooFar)).error.code).toBe('FORK_STEP_INVALID');
    const parameters = await request(
      `/api/runs/${parent.id}/fork`,
      jsonBody({ step: 1, parameters: { regrowth: 1.5 } }),
    );
    expect(parameters.status).toBe(400);
    expect((await readJson(parameters)).error.code).toBe('FORK_PARAMETERS_UNSUPPORTED');
  });
});
