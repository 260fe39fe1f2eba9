import {
  analyzeRun,
  captureRun,
  computeRunMetrics,
  formatNumber,
  ModelRouter,
  parseScenario,
  type RunEvent,
  renderBriefMarkdown,
  ScriptedModel,
} from '@sandtable/core';
import { openStore, type Store } from '@sandtable/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { storedRunRecords } from '../execution/stored-run-records';
import { createTestServer, jsonBody, readJson, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

/** What must be equal between runs: everything but wall time and sequence numbers. */
function comparable(event: RunEvent): string {
  const { wallTime: _wallTime, sequence: _sequence, ...rest } = event;
  return JSON.stringify(rest);
}

describe('analysis routes', () => {
  let store: Store;
  let server: TestServer;
  let alpha: string;
  let beta: string;
  const runs = { first: '', again: '', other: '' };
  const as = (token: string, path: string, init: RequestInit = {}) =>
    server.app.request(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
    });
  const startRun = async (seed: number, steps = 6): Promise<string> => {
    const response = await as(alpha, '/api/runs', jsonBody({ scenario: villageScenario({ steps }), seed }));
    expect(response.status).toBe(201);
    return (await readJson(response)).id;
  };

  beforeAll(async () => {
    store = await openStore({ url: 'memory:' });
    // Bound beyond loopback, so every request needs a token and runs belong to its workspace.
    // A scripted model (it calls the first tool offered) at $1 per thousand prompt tokens, for the model run.
    const router = new ModelRouter({
      endpoints: [
        {
          id: 'local',
          provider: new ScriptedModel(),
          model: 'scripted',
          maxConcurrency: 4,
          timeoutMs: 10_000,
          price: { inputPerMillion: 1_000, outputPerMillion: 0 },
        },
      ],
      tiers: { fast: ['local'] },
    });
    server = await createTestServer({ store, host: '0.0.0.0', models: { router } });
    alpha = (await store.createToken((await store.createWorkspace({ name: 'alpha' })).id)).secret;
    beta = (await store.createToken((await store.createWorkspace({ name: 'beta' })).id)).secret;
    runs.first = await startRun(1);
    runs.again = await startRun(1);
    runs.other = await startRun(2);
    for (const id of Object.values(runs)) await waitForRunStatus(server, id, ['completed', 'failed']);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('writes the brief of a stored run: the same brief as the run captured in process', async () => {
    const response = await as(alpha, `/api/runs/${runs.first}/brief`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.runId).toBe(runs.first);
    expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
    expect(body.brief).toMatchObject({ source: 'rules', title: expect.any(String) });
    expect(body.markdown).toBe(renderBriefMarkdown(body.brief));

    // The headline numbers are the run's: the pool after the last step, as the state route says.
    const state = await readJson(await as(alpha, `/api/runs/${runs.first}/state`));
    expect(state.step).toBe(6);
    expect(body.brief.headline).toContain(`pool`);
    expect(body.markdown).toContain(formatNumber(state.globals.pool as number));
    expect(body.brief.runLine).toContain('Seed 1 · 6 of 6 days · 4 agents · ended');

    // The CLI analyses a run folder; the server the store. Same scenario and seed: same brief.
    const scenario = parseScenario(villageScenario({ steps: 6 }), { seed: 1 });
    const captured = analyzeRun(await captureRun(scenario, { runId: runs.first }));
    expect(body.brief).toEqual(JSON.parse(JSON.stringify(captured.brief)));

    // Asked again, it is read back from the store's briefs table, unchanged.
    expect(await readJson(await as(alpha, `/api/runs/${runs.first}/brief`))).toEqual(body);
    const stored = await store.listBriefs(runs.first);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.body).toBe(body.markdown);
  });

  it('counts a model run’s calls, tokens and cost from the attempts the store kept', async () => {
    const scenario = villageScenario({ steps: 2, name: 'Model village' }).replace(
      'role: villager',
      'role: villager\n    brain: fast',
    );
    const created = await as(alpha, '/api/runs', jsonBody({ scenario }));
    const { id } = await readJson(created);
    const record = await waitForRunStatus(server, id, ['completed', 'failed']);
    expect(record.status).toBe('completed');
    const calls = await store.modelCalls(id);
    expect(calls).toHaveLength(8);
    const attempts = calls.flatMap((call) => call.attempts);
    const tokens = attempts.reduce(
      (sum, attempt) => sum + attempt.usage.promptTokens + attempt.usage.completionTokens,
      0,
    );
    const metrics = computeRunMetrics(await storedRunRecords(store, record));
    const total = (name: string) => metrics.series.find((series) => series.name === name)?.total;
    expect(total('model_calls')).toBe(attempts.length);
    expect(total('tokens')).toBe(tokens);
    expect(total('cost_usd')).toBeGreaterThan(0);
    const brief = await readJson(await as(alpha, `/api/runs/${id}/brief`));
    expect(brief.brief.runLine).toContain('2 of 2 days');
  });

  it('renders the brief as a PDF, the same bytes every time', async () => {
    const response = await as(alpha, `/api/runs/${runs.first}/brief.pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(2_000);
    const again = Buffer.from(await (await as(alpha, `/api/runs/${runs.first}/brief.pdf`)).arrayBuffer());
    expect(again.equals(bytes)).toBe(true);
  });

  it('gives the rule-based evaluation', async () => {
    const response = await as(alpha, `/api/runs/${runs.first}/evaluation`);
    expect(response.status).toBe(200);
    const { runId, evaluation } = await readJson(response);
    expect(runId).toBe(runs.first);
    const scenario = parseScenario(villageScenario({ steps: 6 }), { seed: 1 });
    const captured = analyzeRun(await captureRun(scenario, { runId: runs.first }));
    expect(evaluation).toEqual(JSON.parse(JSON.stringify(captured.evaluation)));
  });

  it('compares runs: same seed never diverges, another seed diverges at the first differing step', async () => {
    const same = await readJson(await as(alpha, `/api/compare?runs=${runs.first},${runs.again}`));
    expect(same.divergence).toEqual([{ step: null, lengthsDiffer: false }]);
    expect(same.differences).toEqual([]);

    const response = await as(alpha, `/api/compare?runs=${runs.first},${runs.other}`);
    expect(response.status).toBe(200);
    const comparison = await readJson(response);
    expect(comparison.runs.map((run: { runId: string }) => run.runId)).toEqual([runs.first, runs.other]);
    expect(comparison.differences).toContainEqual({ name: 'seed', values: [1, 2] });
    const step = comparison.divergence[0].step as number;
    expect(step).toBeGreaterThanOrEqual(1);

    // Check it against the two event logs: equal through the step before, different at it.
    const eventsOf = async (id: string): Promise<RunEvent[]> =>
      (await readJson(await as(alpha, `/api/runs/${id}/history/events?limit=5000`))).events;
    const [left, right] = await Promise.all([eventsOf(runs.first), eventsOf(runs.other)]);
    const ofSteps = (events: RunEvent[], test: (step: number) => boolean) =>
      events.filter((event) => 'step' in event && test(event.step)).map(comparable);
    expect(ofSteps(left, (at) => at < step)).toEqual(ofSteps(right, (at) => at < step));
    expect(ofSteps(left, (at) => at === step)).not.toEqual(ofSteps(right, (at) => at === step));
  });

  it('answers 404 for another workspace’s run, and while a run has not ended', async () => {
    for (const path of [
      `/api/runs/${runs.first}/brief`,
      `/api/runs/${runs.first}/brief.pdf`,
      `/api/runs/${runs.first}/evaluation`,
      `/api/compare?runs=${runs.first},${runs.other}`,
    ]) {
      const response = await as(beta, path);
      expect(response.status).toBe(404);
      expect((await readJson(response)).error.code).toBe('RUN_NOT_FOUND');
    }

    const paused = await as(
      alpha,
      '/api/runs',
      jsonBody({ scenario: villageScenario({ steps: 4 }), seed: 3, paused: true }),
    );
    const pausedId = (await readJson(paused)).id as string;
    const early = await as(alpha, `/api/runs/${pausedId}/brief`);
    expect(early.status).toBe(404);
    const error = (await readJson(early)).error;
    expect(error.code).toBe('RUN_NOT_FINISHED');
    expect(error.message).toContain(pausedId);
    const noSteps = await as(alpha, `/api/compare?runs=${runs.first},${pausedId}`);
    expect((await readJson(noSteps)).error.code).toBe('RUN_HAS_NO_STEPS');
    await as(alpha, `/api/runs/${pausedId}/stop`, jsonBody({}));

    const malformed = await as(alpha, `/api/compare?runs=${runs.first}`);
    expect(malformed.status).toBe(400);
    expect((await readJson(malformed)).error.code).toBe('REQUEST_INVALID');
  });

  it('runs a sweep of a stored scenario over parameter values × seeds and aggregates it', async () => {
    const { scenarioId } = await readJson(await as(alpha, `/api/runs/${runs.first}`));
    const started = await as(
      alpha,
      '/api/sweeps',
      jsonBody({ scenarioId, seeds: [1, 2, 3], grid: { regrowth: [1.05, 1.5] }, steps: 4 }),
    );
    expect(started.status).toBe(202);
    const sweep = await readJson(started);
    expect(sweep).toMatchObject({ scenarioName: 'Village', runs: 6, status: 'running' });
    let done = sweep;
    while (done.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      done = await readJson(await as(alpha, `/api/sweeps/${sweep.id}`));
    }
    expect(done).toMatchObject({ status: 'completed', completed: 6, failed: 0 });
    expect(done.report.settings.map((setting: { parameters: unknown }) => setting.parameters)).toEqual([
      { regrowth: 1.05 },
      { regrowth: 1.5 },
    ]);
    // Faster regrowth leaves a fuller pool: the effect of regrowth 1.5 against 1.05 is positive.
    const effect = done.report.effects.find(
      (entry: { parameter: string; metric: string }) =>
        entry.parameter === 'regrowth' && entry.metric === 'pool',
    );
    expect(effect.difference).toBeGreaterThan(0);
    const pool = done.metrics.find((metric: { metric: string }) => metric.metric === 'pool');
    expect(pool.values).toHaveLength(6);
    expect(pool.low).toBeLessThan(pool.mean);

    const listed = await readJson(await as(alpha, '/api/sweeps'));
    expect(listed.sweeps.map((entry: { id: string }) => entry.id)).toContain(sweep.id);
    expect((await readJson(await as(beta, '/api/sweeps'))).sweeps).toEqual([]);
    const hidden = await as(beta, `/api/sweeps/${sweep.id}`);
    expect((await readJson(hidden)).error.code).toBe('SWEEP_NOT_FOUND');

    const tooLarge = await as(
      alpha,
      '/api/sweeps',
      jsonBody({ scenarioId, seeds: { from: 1, count: 150 }, grid: { regrowth: [1.1, 1.2] } }),
    );
    expect(tooLarge.status).toBe(400);
    expect((await readJson(tooLarge)).error.code).toBe('SWEEP_TOO_LARGE');
    const badValue = await as(
      alpha,
      '/api/sweeps',
      jsonBody({ scenarioId, seeds: [1], grid: { regrowth: [9] } }),
    );
    expect(badValue.status).toBe(422);
    expect((await readJson(badValue)).error.code).toBe('SCENARIO_INVALID');
  });

  it('lists the analysis routes in /openapi.json', async () => {
    const document = await readJson(await as(alpha, '/openapi.json'));
    for (const path of [
      '/api/runs/{id}/brief',
      '/api/runs/{id}/brief.pdf',
      '/api/runs/{id}/evaluation',
      '/api/compare',
      '/api/scenarios/from-description',
      '/api/sweeps',
      '/api/sweeps/{id}',
    ])
      expect(Object.keys(document.paths)).toContain(path);
  });

  it('makes a valid scenario from a sentence, with parameters that override it', async () => {
    const response = await as(
      alpha,
      '/api/scenarios/from-description',
      jsonBody({ description: 'A 3-week strike closes Rotterdam port in March', offline: true }),
    );
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.method).toBe('matcher');
    expect(body.template).toMatchObject({ name: 'port-strike', category: 'logistics' });
    expect(body.template.values).toMatchObject({ port: 'Rotterdam', duration_days: 21, month: 'March' });
    expect(body.report[0]).toContain('offline matcher');
    const validated = await readJson(
      await as(alpha, '/api/scenarios/validate', jsonBody({ source: body.source })),
    );
    expect(validated.ok).toBe(true);

    const overridden = await readJson(
      await as(
        alpha,
        '/api/scenarios/from-description',
        jsonBody({ description: 'A 3-week strike closes Rotterdam port', parameters: { port: 'Antwerp' } }),
      ),
    );
    expect(overridden.template.values).toMatchObject({ port: 'Antwerp', duration_days: 21 });
    expect(overridden.source).toContain('Strike at the port of Antwerp');
    expect(overridden.report.at(-1)).toBe('set: port = Antwerp');

    const empty = await as(alpha, '/api/scenarios/from-description', jsonBody({ description: '   ' }));
    expect(empty.status).toBe(400);
    expect((await readJson(empty)).error.code).toBe('TEMPLATE_DESCRIPTION_EMPTY');
    const unknown = await as(
      alpha,
      '/api/scenarios/from-description',
      jsonBody({ description: 'A port strike', parameters: { wharf: 'x' } }),
    );
    expect(unknown.status).toBe(400);
    expect((await readJson(unknown)).error.message).toContain('wharf');
  });
});
