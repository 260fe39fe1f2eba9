import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPersonaCall, type ModelRouter } from '@sandtable/core';
import { personaReplyFromFacts, SimulatedModelServer } from '@sandtable/core/testing';
import { loadStoredScenario, type Store } from '@sandtable/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonBody, readJson, simulatedModelRouter, startTestServer, waitForRunStatus } from '../test-support';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'examples');

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/**
 * A run the server creates from a stored scenario with `personas.writer: model`: the server's
 * models write the personas when the run first launches, the calls are stored as step 0, and the
 * stored run rebuilds the same personas offline.
 */
describe('model-written personas of runs the server starts', () => {
  let folder: string;
  let model: SimulatedModelServer;
  let router: ModelRouter;
  let server: TestServer;
  let offline: TestServer;
  let origin: string;
  let source: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sandtable-server-personas-'));
    await symlink(join(examples, 'company'), join(folder, 'company'));
    source = (await readFile(join(examples, 'company-world.yaml'), 'utf8')).replace(
      /^personas:\n/m,
      'personas:\n  writer: model\n',
    );
    origin = join(folder, 'company-world.yaml');
    await writeFile(origin, source);
    model = await SimulatedModelServer.start({ reply: (request) => personaReplyFromFacts(request) ?? 'ok' });
    router = simulatedModelRouter(model.openaiBaseUrl, { tiers: ['smart', 'fast'], maxConcurrency: 4 });
    server = await startTestServer({ models: { router } });
    offline = await startTestServer({ models: { disabled: true } });
  });

  afterAll(async () => {
    await server?.close();
    await offline?.close();
    router?.close();
    await model?.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function startRun(target: TestServer): Promise<string> {
    const workspace = await target.store.defaultWorkspace();
    const { scenario } = await target.store.upsertScenarioByName(workspace.id, {
      name: 'company-world',
      description: 'the example company',
      source,
      format: 'yaml',
      origin,
    });
    const response = await fetch(
      `${target.url}/api/runs`,
      jsonBody({ scenarioId: scenario.id, seed: 5, steps: 3 }),
    );
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
    const { id } = await readJson(response);
    const ended = await waitForRunStatus(target, id, ['completed', 'failed', 'stopped']);
    expect(ended.status).toBe('completed');
    return id;
  }

  const personaCalls = async (store: Store, runId: string) =>
    (await store.modelCalls(runId, { step: 0 })).filter((call) => isPersonaCall(call.entry));

  it('writes them with the server’s models on first launch, stores the calls, and rebuilds them offline', async () => {
    const runId = await startRun(server);
    const calls = await personaCalls(server.store, runId);
    const asked = model
      .requests()
      .filter((request) => request.messages.some((m) => m.content.startsWith('<facts>')));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls).toHaveLength(asked.length);

    // Rebuilt from the store alone (the recorded calls answer; no model is asked).
    const before = model.requests().length;
    const record = await server.store.getRun(runId);
    const scenario = await loadStoredScenario(server.store, record!);
    expect(model.requests().length).toBe(before);
    const written = scenario.agents.filter((agent) =>
      agent.persona.includes('is a careful party that keeps its word'),
    );
    expect(written.length).toBe(calls.length);
    expect(scenario.grounding?.warnings.map((warning) => warning.code)).not.toContain(
      'WORLD_PERSONA_NOT_WRITTEN',
    );
  });

  it('keeps the data-drawn personas, with the warning, on a server without models', async () => {
    const runId = await startRun(offline);
    expect(await personaCalls(offline.store, runId)).toHaveLength(0);
    const record = await offline.store.getRun(runId);
    const scenario = await loadStoredScenario(offline.store, record!);
    expect(scenario.agents.some((agent) => agent.persona.includes('careful party'))).toBe(false);
    expect(scenario.grounding?.warnings.map((warning) => warning.code)).toContain(
      'WORLD_PERSONA_NOT_WRITTEN',
    );
  });
});
