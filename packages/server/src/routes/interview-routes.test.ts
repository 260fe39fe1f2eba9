import type { ModelRouter } from '@sandtable/core';
import { SimulatedModelServer } from '@sandtable/core/testing';
import { openStore, type Store } from '@sandtable/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { jsonBody, readJson, simulatedModelRouter, startTestServer, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** Everything stored of a run that an interview must leave as it was. */
async function storedRun(store: Store, runId: string) {
  const record = await store.getRun(runId);
  return {
    record,
    events: await store.eventsAfter(runId, 0, 100_000),
    calls: (await store.modelCalls(runId)).length,
    inputs: await store.controlInputs(runId),
  };
}

/**
 * Interviews over HTTP on runs that are not executing: an ended run (completed, stopped) is rebuilt
 * from the store after its last step — or `?step=N` — read-only, and the agent answers there as
 * it would have live; the stored run is not changed.
 */
describe('interviews on stored runs over HTTP', { timeout: 240_000 }, () => {
  let model: SimulatedModelServer;
  let router: ModelRouter;
  let store: Store;
  let server: TestServer;
  /** A second server on the same store: a run executing in `server` is elsewhere for it. */
  let other: TestServer;
  const post = (base: TestServer, path: string, body?: unknown) =>
    fetch(`${base.url}${path}`, body === undefined ? { method: 'POST' } : jsonBody(body));
  const ask = (base: TestServer, runId: string, agentId: string, question: string, step?: number) =>
    post(base, `/api/runs/${runId}/agents/${agentId}/interview${step === undefined ? '' : `?step=${step}`}`, {
      question,
    });
  const createRun = async (body: Record<string, unknown>) => {
    const response = await post(server, '/api/runs', body);
    expect(response.status).toBe(201);
    return (await readJson(response)).id as string;
  };
  const stepOnce = async (runId: string, step: number) => {
    await post(server, `/api/runs/${runId}/step`);
    for (;;) {
      const record = await waitForRunStatus(server, runId, ['paused']);
      if (record.lastStep >= step) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    model = await SimulatedModelServer.start();
    router = simulatedModelRouter(model.openaiBaseUrl, { tiers: ['fast', 'smart'], maxConcurrency: 4 });
    store = await openStore({ url: 'memory:' });
    server = await startTestServer({ store, models: { router } });
    other = await startTestServer({ store, models: { router } });
  });
  afterAll(async () => {
    await server?.close();
    await other?.close();
    await store?.close();
    router?.close();
    await model?.close();
  });

  it('asks an agent of a completed run after its last step, or after step N, as it was live — writing nothing', async () => {
    const scenario = villageScenario({ steps: 5 });
    // The same run, executed live and paused after step 2: what the agent said there.
    const live = await createRun({ scenario, seed: 4, paused: true });
    await stepOnce(live, 1);
    await stepOnce(live, 2);
    const liveAnswer = await readJson(await ask(server, live, 'villager-0002', 'How are you doing?'));
    expect(liveAnswer).toMatchObject({ source: 'rules', step: 2, restored: false });
    await post(server, `/api/runs/${live}/stop`, {});

    const finished = await createRun({ scenario, seed: 4 });
    await waitForRunStatus(server, finished, ['completed']);
    const before = await storedRun(store, finished);
    const atTwo = await ask(server, finished, 'villager-0002', 'How are you doing?', 2);
    expect(atTwo.status).toBe(200);
    expect(await readJson(atTwo)).toEqual({ ...liveAnswer, restored: true });

    const atEnd = await readJson(await ask(server, finished, 'villager-0002', 'How are you doing?'));
    expect(atEnd).toMatchObject({ source: 'rules', step: 5, restored: true });
    expect(atEnd.answer).toMatch(/^I am /);
    expect(atEnd.answer).not.toBe(liveAnswer.answer);
    expect(await storedRun(store, finished)).toEqual(before);
  });

  it('rebuilds a model-backed run from its stored calls and sends only the question to the model, unrecorded', async () => {
    const scenario = villageScenario({ steps: 3, agents: 2 }).replace(
      'role: villager',
      'role: villager\n    brain: fast',
    );
    const runId = await createRun({ scenario, seed: 2 });
    await waitForRunStatus(server, runId, ['completed']);
    const before = await storedRun(store, runId);
    expect(before.calls).toBeGreaterThan(0);
    const requests = model.requests().length;
    const response = await ask(server, runId, 'villager-0001', 'What worries you most?', 2);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ source: 'model', step: 2, restored: true });
    // Steps 1–2 came from the stored cassette: one request reached the model, the question.
    const sent = model.requests().slice(requests);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.messages.at(-1)?.content).toContain('What worries you most?');
    expect(await storedRun(store, runId)).toEqual(before);
  });

  it('asks an agent of a stopped run after its last committed step', async () => {
    const runId = await createRun({ scenario: villageScenario({ steps: 6 }), seed: 8, paused: true });
    await stepOnce(runId, 1);
    await stepOnce(runId, 2);
    await post(server, `/api/runs/${runId}/stop`, { reason: 'seen enough' });
    const stopped = await waitForRunStatus(server, runId, ['stopped']);
    expect(stopped.lastStep).toBe(2);
    const before = await storedRun(store, runId);
    const answer = await readJson(await ask(server, runId, 'villager-0001', 'What will you do next?'));
    expect(answer).toMatchObject({ source: 'rules', step: 2, restored: true });
    expect(answer.answer).toContain('My options now are');
    expect(await storedRun(store, runId)).toEqual(before);
  });

  it('a run executing in another server: 409 RUN_NOT_LIVE live, an answer after a committed step', async () => {
    const runId = await createRun({ scenario: villageScenario({ steps: 6 }), seed: 5, paused: true });
    await stepOnce(runId, 1);
    const refused = await ask(other, runId, 'villager-0001', 'Hello?');
    expect(refused.status).toBe(409);
    expect((await readJson(refused)).error.code).toBe('RUN_NOT_LIVE');
    const answer = await readJson(await ask(other, runId, 'villager-0001', 'Hello?', 1));
    expect(answer).toMatchObject({ step: 1, restored: true });
    await post(server, `/api/runs/${runId}/stop`, {});
    await waitForRunStatus(server, runId, ['stopped']);
  });

  it('refuses a step not committed (400) and an unknown agent (404)', async () => {
    const runId = await createRun({ scenario: villageScenario({ steps: 2 }), seed: 1 });
    await waitForRunStatus(server, runId, ['completed']);
    const late = await ask(server, runId, 'villager-0001', 'Hi', 3);
    expect(late.status).toBe(400);
    expect((await readJson(late)).error.code).toBe('STEP_NOT_COMMITTED');
    const nobody = await ask(server, runId, 'mayor', 'Hi');
    expect(nobody.status).toBe(404);
    expect((await readJson(nobody)).error.code).toBe('AGENT_NOT_FOUND');
  });
});
