import type { ModelRouter } from '@sandtable/core';
import { type SimulatedChatRequest, SimulatedModelServer } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { jsonBody, readJson, simulatedModelRouter, startTestServer, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** The village with a rubric, so the evaluation agent has something to score. */
const scenario = `${villageScenario({ steps: 5 })}evaluation:
  criteria:
    - { name: pool_kept, description: The common pool stays large., metric: pool, target: 80 }
`;

const kind = (request: SimulatedChatRequest) =>
  request.responseFormat?.type === 'json_schema' ? request.responseFormat.name : 'other';

const brief = (step: number) => ({
  headline: 'The pool held: harvesting never outran regrowth.',
  what_happened: ['Villagers harvested every day.', 'The pool regrew by 5% a day.'],
  turning_points: [{ step, text: 'Harvest peaked.' }],
  impacts: [{ metric: 'pool', text: 'The pool ended near where it began.' }],
  positions: [{ stakeholder: 'villagers', text: 'Kept harvesting.' }],
  recommendations: ['Keep the regrowth rate above 1.05.'],
  confidence: { level: 'medium', text: 'One seed.' },
  caveats: ['Rule agents only.'],
});

const scores = JSON.stringify({
  scores: [{ criterion: 'pool_kept', score: 7, justification: 'The pool stayed above 80.', steps: [1, 5] }],
});

/**
 * The model-written brief over HTTP: a server whose models are a simulated OpenAI-compatible
 * server (real HTTP, real wire format) writes the brief and the evaluation of a stored run on
 * request, keeps them with the run, and serves them on later GETs.
 */
describe('the model-written brief over HTTP', () => {
  let model: SimulatedModelServer;
  let router: ModelRouter;
  let server: TestServer;
  let offline: TestServer;
  let runId: string;
  let briefReplies = 0;
  const api = (base: TestServer, path: string, init?: RequestInit) => fetch(`${base.url}${path}`, init);

  beforeAll(async () => {
    model = await SimulatedModelServer.start({
      reply: (request) => {
        if (kind(request) === 'run_evaluation') return scores;
        briefReplies += 1;
        // The first brief comes wrapped in prose with a trailing comma (repaired by jsonrepair) and
        // cites a step outside the run (sent back with the error); the second is valid.
        if (briefReplies === 1)
          return `Sure! Here is the brief:\n\`\`\`json\n${JSON.stringify(brief(99)).replace(/}$/, ',}')}\n\`\`\``;
        return JSON.stringify(brief(3));
      },
    });
    router = simulatedModelRouter(model.openaiBaseUrl, { tiers: ['smart', 'deep'], maxConcurrency: 2 });
    server = await startTestServer({ models: { router } });
    offline = await startTestServer({ models: { disabled: true } });
    const created = await readJson(await api(server, '/api/runs', jsonBody({ scenario, seed: 3 })));
    runId = created.id;
    await waitForRunStatus(server, runId, ['completed', 'failed']);
  });
  afterAll(async () => {
    await server?.close();
    await offline?.close();
    router?.close();
    await model?.close();
  });

  it('says so (409 MODEL_NOT_CONFIGURED) on a server without models, and the deterministic brief stays', async () => {
    const created = await readJson(
      await api(offline, '/api/runs', jsonBody({ scenario: villageScenario({ steps: 3 }) })),
    );
    await waitForRunStatus(offline, created.id, ['completed']);
    const response = await api(offline, `/api/runs/${created.id}/brief`, jsonBody({ mode: 'model' }));
    expect(response.status).toBe(409);
    expect((await readJson(response)).error.code).toBe('MODEL_NOT_CONFIGURED');
    const rules = await readJson(await api(offline, `/api/runs/${created.id}/brief`));
    expect(rules.brief.source).toBe('rules');
    const missing = await api(offline, `/api/runs/${created.id}/brief?mode=model`);
    expect(missing.status).toBe(404);
    expect((await readJson(missing)).error.code).toBe('BRIEF_NOT_WRITTEN');
  });

  it('refuses a tier the server has no model for (422 MODEL_TIER_UNKNOWN), asking nothing', async () => {
    const before = model.requests().length;
    const response = await api(server, `/api/runs/${runId}/brief`, jsonBody({ mode: 'model', tier: 'huge' }));
    expect(response.status).toBe(422);
    expect(await readJson(response)).toMatchObject({
      error: { code: 'MODEL_TIER_UNKNOWN', details: { unknown: ['huge'] } },
    });
    expect(model.requests().length).toBe(before);
  });

  it('writes the brief with the model (a malformed reply repaired and sent back), stores it, serves it later', async () => {
    const deterministic = await readJson(await api(server, `/api/runs/${runId}/brief`));
    expect(deterministic.brief.source).toBe('rules');
    const modelCallsBefore = (await readJson(await api(server, `/api/runs/${runId}`))).totals;

    const response = await api(server, `/api/runs/${runId}/brief`, jsonBody({ mode: 'model' }));
    expect(response.status).toBe(201);
    const written = await readJson(response);
    expect(written.brief).toMatchObject({
      source: 'model',
      model: 'simulated-model',
      headline: 'The pool held: harvesting never outran regrowth.',
      turningPoints: [{ step: 3, text: 'Harvest peaked.' }],
    });
    expect(written.markdown).toContain('Written by the model simulated-model');
    expect(written.evaluation).toMatchObject({ source: 'model', overall: 7 });
    expect(written.notes).toEqual([]);
    // The repair path: the first brief reply was read (prose and trailing comma repaired), its
    // out-of-range step sent back with the error, the second accepted.
    const briefRequests = model.requests().filter((request) => kind(request) === 'executive_brief');
    expect(briefRequests).toHaveLength(2);
    expect(JSON.stringify(briefRequests[1]?.messages)).toContain('step 99 is outside the run (1–5)');
    expect(briefRequests[0]?.messages.at(-1)?.content).toMatch(/^<run-digest>/);

    // Later GETs serve the stored model brief (JSON, PDF, evaluation) without asking the model again.
    const requests = model.requests().length;
    const again = await readJson(await api(server, `/api/runs/${runId}/brief`));
    expect(again).toEqual({
      runId,
      markdown: written.markdown,
      brief: written.brief,
      createdAt: written.createdAt,
    });
    expect((await readJson(await api(server, `/api/runs/${runId}/brief?mode=model`))).brief).toEqual(
      written.brief,
    );
    expect((await readJson(await api(server, `/api/runs/${runId}/brief?mode=rules`))).brief).toEqual(
      deterministic.brief,
    );
    expect((await readJson(await api(server, `/api/runs/${runId}/evaluation`))).evaluation).toEqual(
      written.evaluation,
    );
    const pdf = await api(server, `/api/runs/${runId}/brief.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).toString('latin1')).toContain('%PDF-');
    // Asking again gives the stored one (200) unless a rewrite is asked for.
    const stored = await api(server, `/api/runs/${runId}/brief`, jsonBody({ mode: 'model' }));
    expect(stored.status).toBe(200);
    expect((await readJson(stored)).createdAt).toBe(written.createdAt);
    expect(model.requests().length).toBe(requests);
    // The brief's calls are not the run's: its record and model-call totals are unchanged.
    expect((await readJson(await api(server, `/api/runs/${runId}`))).totals).toEqual(modelCallsBefore);
    expect(await server.store.modelCalls(runId)).toEqual([]);

    // Another tier, asked for by name, writes a new one on that tier.
    const rewritten = await api(
      server,
      `/api/runs/${runId}/brief`,
      jsonBody({ mode: 'model', tier: 'deep' }),
    );
    expect(rewritten.status).toBe(201);
    expect((await readJson(rewritten)).tier).toBe('deep');
    expect(model.requests().length).toBe(requests + 2);
  });

  it('answers 502 MODEL_BRIEF_FAILED and stores nothing when the model never gives a valid brief', async () => {
    const created = await readJson(
      await api(server, '/api/runs', jsonBody({ scenario: villageScenario({ steps: 3 }), seed: 9 })),
    );
    await waitForRunStatus(server, created.id, ['completed']);
    model.configure({ reply: () => 'no JSON here, sorry' });
    const response = await api(server, `/api/runs/${created.id}/brief`, jsonBody({ mode: 'model' }));
    expect(response.status).toBe(502);
    const body = await readJson(response);
    expect(body.error.code).toBe('MODEL_BRIEF_FAILED');
    expect(body.error.message).toContain('brief fell back to rules');
    expect((await readJson(await api(server, `/api/runs/${created.id}/brief`))).brief.source).toBe('rules');
    expect((await api(server, `/api/runs/${created.id}/brief?mode=model`)).status).toBe(404);
  });
});
