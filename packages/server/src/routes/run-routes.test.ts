import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createTestServer, jsonBody, readJson, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

describe('run routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ maxConcurrentRuns: 2 });
  });
  afterAll(async () => {
    await server.close();
  });
  const request = (path: string, init?: RequestInit) => server.app.request(path, init);

  it('runs an inline scenario to the end and serves its history', async () => {
    const created = await request('/api/runs', jsonBody({ scenario: villageScenario(), steps: 4, seed: 5 }));
    expect(created.status).toBe(201);
    const run = await readJson(created);
    expect(run).toMatchObject({ name: 'Village', seed: 5, steps: 4, live: true });
    const ended = await waitForRunStatus(server, run.id, ['completed', 'failed']);
    expect(ended).toMatchObject({ status: 'completed', lastStep: 4 });

    const fetched = await readJson(await request(`/api/runs/${run.id}`));
    expect(fetched).toMatchObject({ status: 'completed', step: 4, outcome: 'max-steps', live: false });

    const { events } = await readJson(await request(`/api/runs/${run.id}/history/events?limit=5000`));
    expect(events.map((event: { sequence: number }) => event.sequence)).toEqual(
      events.map((_: unknown, index: number) => index + 1),
    );
    expect(events[0].type).toBe('run-started');
    expect(events.at(-1).type).toBe('run-completed');

    const steps = await readJson(await request(`/api/runs/${run.id}/history/events?type=step-completed`));
    expect(steps.events.map((event: { step: number }) => event.step)).toEqual([1, 2, 3, 4]);

    const state = await readJson(await request(`/api/runs/${run.id}/state?step=2`));
    expect(state.step).toBe(2);
    expect(typeof state.globals.pool).toBe('number');
    expect(Object.keys(state.agents)).toHaveLength(4);

    const metrics = await readJson(await request(`/api/runs/${run.id}/metrics`));
    expect(metrics.series.pool.map((point: { step: number }) => point.step)).toEqual([1, 2, 3, 4]);

    const agents = await readJson(await request(`/api/runs/${run.id}/agents`));
    expect(agents.agents.map((agent: { id: string }) => agent.id)).toEqual([
      'villager-0001',
      'villager-0002',
      'villager-0003',
      'villager-0004',
    ]);

    const control = await request(`/api/runs/${run.id}/pause`, { method: 'POST' });
    expect(control.status).toBe(409);
    expect((await readJson(control)).error.code).toBe('RUN_NOT_LIVE');
  });

  it('rejects a bad override with the scenario issue, and unknown scenarios with 404', async () => {
    const stored = await readJson(await request('/api/scenarios', jsonBody({ source: villageScenario() })));
    const bad = await request('/api/runs', jsonBody({ scenarioId: stored.id, parameters: { regrowth: 9 } }));
    expect(bad.status).toBe(422);
    const body = await readJson(bad);
    expect(body.error.code).toBe('SCENARIO_INVALID');
    expect(body.error.details.issues[0].path).toBe('parameters.regrowth');

    const missing = await request('/api/runs', jsonBody({ scenarioId: 'nope' }));
    expect(missing.status).toBe(404);
    expect((await readJson(missing)).error.code).toBe('SCENARIO_NOT_FOUND');

    const both = await request('/api/runs', jsonBody({ scenarioId: stored.id, scenario: villageScenario() }));
    expect(both.status).toBe(400);
    expect((await readJson(both)).error.details.issues[0]).toEqual({
      path: 'scenarioId',
      message: 'give exactly one of scenarioId or scenario',
    });
  });
});
