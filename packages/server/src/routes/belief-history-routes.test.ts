import { createEngine, parseScenario, roundBeliefPosition } from '@sandtable/core';
import { smallRumourScenario } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { jsonBody, readJson, startTestServer, waitForRunStatus } from '../test-support';

/** A small rumour on a social feed, so rule agents' posts move beliefs on two topics. */
const rumourScenario = smallRumourScenario({ seed: 9, steps: 8, residents: 10 });

type Positions = Array<{ id: string; positions: Record<string, number> }>;

/** The same scenario run in process: each step's positions straight from the belief store. */
async function positionsInProcess(): Promise<Map<number, Positions>> {
  const run = createEngine().createRun(parseScenario(rumourScenario));
  const byStep = new Map<number, Positions>();
  run.attach({
    afterStep: (step) => {
      const beliefs = run.beliefs!;
      byStep.set(
        step,
        beliefs.agentIds().map((id) => ({
          id,
          positions: Object.fromEntries(
            beliefs.topics().map((topic) => [topic, roundBeliefPosition(beliefs.position(id, topic)!)]),
          ),
        })),
      );
    },
  });
  await run.start();
  return byStep;
}

describe('belief history routes over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let runId: string;
  let plainRunId: string;
  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: await readJson(response) };
  };

  beforeAll(async () => {
    server = await startTestServer();
    const post = (body: unknown) =>
      fetch(`${server.url}/api/runs`, jsonBody(body)).then((response) => readJson(response));
    runId = (await post({ scenario: rumourScenario })).id;
    plainRunId = (await post({ scenario: villageScenario(), steps: 2, seed: 3 })).id;
    await waitForRunStatus(server, runId, ['completed', 'failed']);
    await waitForRunStatus(server, plainRunId, ['completed', 'failed']);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('gives every agent’s positions after each step, equal to the belief store’s in an uninterrupted run', async () => {
    const expected = await positionsInProcess();
    expect(expected.get(8)).not.toEqual(expected.get(1));
    for (const [step, agents] of expected) {
      const { status, body } = await get(`/api/runs/${runId}/beliefs?step=${step}`);
      expect(status).toBe(200);
      expect(body).toEqual({ step, topics: ['rumour', 'fares'], agents });
    }
    const latest = await get(`/api/runs/${runId}/beliefs`);
    expect(latest.body.step).toBe(8);
    expect(latest.body.agents).toEqual(expected.get(8));
    const oneTopic = await get(`/api/runs/${runId}/beliefs?step=3&topic=fares`);
    expect(oneTopic.body.topics).toEqual(['fares']);
    expect(oneTopic.body.agents).toEqual(
      expected.get(3)!.map((agent) => ({ id: agent.id, positions: { fares: agent.positions.fares } })),
    );
  });

  it('follows one agent over the run: a point for each step where its positions changed', async () => {
    const expected = await positionsInProcess();
    const agentId = 'resident-0001';
    const { status, body } = await get(`/api/runs/${runId}/beliefs/series?agent=${agentId}`);
    expect(status).toBe(200);
    expect(body.agentId).toBe(agentId);
    expect(body.points[0].step).toBe(1);
    const of = (step: number) => expected.get(step)!.find((agent) => agent.id === agentId)!.positions;
    for (const point of body.points) expect(point.positions).toEqual(of(point.step));
    // Between two points nothing moved.
    for (let step = 1; step <= 8; step++) {
      const last = body.points.filter((point: { step: number }) => point.step <= step).at(-1);
      expect(last.positions).toEqual(of(step));
    }
  });

  it('answers 400 for a bad query and 404 for an unknown run, step, topic or agent', async () => {
    const bad = await get(`/api/runs/${runId}/beliefs?step=two`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('REQUEST_INVALID');
    expect((await get(`/api/runs/${runId}/beliefs?colour=red`)).status).toBe(400);
    expect((await get(`/api/runs/${runId}/beliefs/series`)).body.error.code).toBe('REQUEST_INVALID');
    const cases: Array<[string, string]> = [
      ['/api/runs/nope/beliefs', 'RUN_NOT_FOUND'],
      [`/api/runs/${runId}/beliefs?step=9`, 'STEP_NOT_FOUND'],
      [`/api/runs/${runId}/beliefs?step=0`, 'STEP_NOT_FOUND'],
      [`/api/runs/${runId}/beliefs?topic=weather`, 'TOPIC_NOT_FOUND'],
      [`/api/runs/${runId}/beliefs/series?agent=nobody`, 'AGENT_NOT_FOUND'],
      [`/api/runs/${runId}/beliefs/series?agent=gossip-0001&topic=weather`, 'TOPIC_NOT_FOUND'],
    ];
    for (const [path, code] of cases) {
      const { status, body } = await get(path);
      expect([path, status, body.error.code]).toEqual([path, 404, code]);
    }
  });

  it('has no positions for a run without beliefs, and no beliefs-changed events', async () => {
    expect((await get(`/api/runs/${plainRunId}/beliefs`)).body).toEqual({ step: 2, topics: [], agents: [] });
    const { body } = await get(`/api/runs/${plainRunId}/history/events?type=beliefs-changed`);
    expect(body.events).toEqual([]);
  });

  it('lists both routes in /openapi.json', async () => {
    const { body } = await get('/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/runs/{id}/beliefs', '/api/runs/{id}/beliefs/series']),
    );
  });
});
