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

  it('lists one sweep’s member runs with ?sweep=, and answers 404 for a sweep not in the workspace', async () => {
    const stored = await readJson(
      await request('/api/scenarios', jsonBody({ source: villageScenario({ name: 'Sweep village' }) })),
    );
    const alone = await readJson(await request('/api/runs', jsonBody({ scenarioId: stored.id, steps: 2 })));
    const created = await request(
      '/api/sweeps',
      jsonBody({ scenarioId: stored.id, seeds: [1, 2], steps: 2 }),
    );
    expect(created.status).toBe(202);
    const sweep = await readJson(created);
    let members: Array<{ run: { id: string; status: string; seed: number } }> = [];
    for (;;) {
      members = (await readJson(await request(`/api/sweeps/${sweep.id}/runs`))).runs;
      if (members.length === 2 && members.every((member) => member.run.status === 'completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const listed = await request(`/api/runs?sweep=${sweep.id}`);
    expect(listed.status).toBe(200);
    const runs: Array<{ id: string; seed: number; status: string }> = (await readJson(listed)).runs;
    expect(runs.map((run) => run.id).sort()).toEqual(members.map((member) => member.run.id).sort());
    expect(runs.map((run) => run.seed).sort()).toEqual([1, 2]);
    expect(runs.map((run) => run.id)).not.toContain(alone.id);
    const everything = (await readJson(await request('/api/runs'))).runs.map((run: { id: string }) => run.id);
    expect(everything).toEqual(expect.arrayContaining([alone.id, ...runs.map((run) => run.id)]));
    const completed = await readJson(await request(`/api/runs?sweep=${sweep.id}&status=completed&limit=1`));
    expect(completed.runs).toHaveLength(1);

    const missing = await request('/api/runs?sweep=sw_missing');
    expect([missing.status, (await readJson(missing)).error.code]).toEqual([404, 'SWEEP_NOT_FOUND']);
    const stranger = await server.store.createToken(
      (await server.store.createWorkspace({ name: 'other' })).id,
    );
    const foreign = await request(`/api/runs?sweep=${sweep.id}`, {
      headers: { authorization: `Bearer ${stranger.secret}` },
    });
    expect([foreign.status, (await readJson(foreign)).error.code]).toEqual([404, 'SWEEP_NOT_FOUND']);
    const empty = await request('/api/runs?sweep=');
    expect([empty.status, (await readJson(empty)).error.code]).toEqual([400, 'REQUEST_INVALID']);
  });

  describe('forks', () => {
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

    it('refuses a step that is not committed, and forks with changed parameters', async () => {
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
      expect(parameters.status).toBe(201);
      const child = (await readJson(parameters)) as { id: string };
      await waitForRunStatus(server, child.id, ['completed']);
      const history = await request(`/api/runs/${child.id}/history/events?type=run-notice`);
      const notices = ((await readJson(history)) as { events: Array<{ step: number; message: string }> })
        .events;
      expect(notices.map((event) => event.message)).toContain('parameters changed at step 1: regrowth=1.5');
    });
  });
});
