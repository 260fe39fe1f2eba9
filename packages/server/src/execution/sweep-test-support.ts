import type { Store } from '@sandtable/store';
import { expect } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { type ResponseJson, readJson, startTestServer } from '../test-support';

/** A listening test server (see {@link startTestServer}). */
export type ListeningServer = Awaited<ReturnType<typeof startTestServer>>;

/** A request to a listening server, over real HTTP, JSON in and out. */
export async function call(
  server: { url: string },
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ResponseJson }> {
  const response = await fetch(`${server.url}${path}`, {
    ...(body !== undefined
      ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, json: type.includes('json') ? await readJson(response) : undefined };
}

/** Stores the village scenario (rule agents, a `regrowth` parameter) in the default workspace. */
export async function storeVillage(store: Store, steps = 6): Promise<{ scenarioId: string; source: string }> {
  const workspace = await store.defaultWorkspace();
  const source = villageScenario({ steps });
  const { scenario } = await store.upsertScenarioByName(workspace.id, { name: 'Village', source });
  return { scenarioId: scenario.id, source };
}

/** Polls `GET /api/sweeps/:id` until `done` holds for it (every 50 ms, at most `timeoutMs`). */
export async function waitForSweep(
  server: { url: string },
  sweepId: string,
  done: (sweep: ResponseJson) => boolean,
  timeoutMs = 60_000,
): Promise<ResponseJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, json } = await call(server, `/api/sweeps/${sweepId}`);
    expect(status).toBe(200);
    if (done(json)) return json;
    if (Date.now() > deadline) throw new Error(`sweep ${sweepId} did not get there: ${JSON.stringify(json)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What two sweeps of the same plan must share: the report without its name, as JSON. */
export function comparableReport(report: ResponseJson): ResponseJson {
  const { name: _name, ...rest } = report;
  return JSON.parse(JSON.stringify(rest));
}

/**
 * Starts a server on a store, creates a sweep (2 settings × 3 seeds of `steps` steps, 2 members at
 * once), closes the server once one member has ended while another is mid-run, opens the store again (`open` is called twice: the
 * same database each time), starts a server that resumes, and checks that the sweep completes with
 * every member exactly once and the same report as an uninterrupted sweep of the same seeds.
 */
export async function expectSweepSurvivesRestart(open: () => Promise<Store>, steps = 40): Promise<void> {
  let store = await open();
  const { scenarioId } = await storeVillage(store, steps);
  let server: ListeningServer = await startTestServer({ store, resumeInterrupted: true });
  const body = { scenarioId, seeds: [1, 2, 3], grid: { regrowth: [1.05, 1.5] }, parallel: 2 };
  const created = await call(server, '/api/sweeps', body);
  expect(created.status).toBe(202);
  const sweepId: string = created.json.id;
  // Close while a member is mid-run and another has ended already.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const runs: ResponseJson[] = (await call(server, `/api/sweeps/${sweepId}/runs`)).json.runs;
    const midRun = runs.some(
      (member) => member.run.status === 'running' && member.run.step >= 1 && member.run.step <= steps - 5,
    );
    if (midRun && runs.some((member) => member.result)) break;
    if (Date.now() > deadline) throw new Error(`sweep ${sweepId} never had a member mid-run`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await server.close();

  const interrupted = await store.listSweepMembers(sweepId);
  expect((await store.getSweep(sweepId))?.status).toBe('running');
  expect(interrupted.length).toBeLessThan(6);
  // A member the shutdown stopped mid-run resumes from its last committed step.
  const cut = interrupted.filter((member) => member.run.reason === 'server shutting down');
  expect(cut.length).toBeGreaterThan(0);
  await store.close();

  store = await open();
  server = await startTestServer({ store, resumeInterrupted: true });
  try {
    const resumed = await waitForSweep(server, sweepId, (sweep) => sweep.status !== 'running');
    expect(resumed).toMatchObject({ status: 'completed', runs: 6, completed: 6, failed: 0, pending: 0 });
    const members = (await call(server, `/api/sweeps/${sweepId}/runs`)).json.runs;
    expect(members.map((member: ResponseJson) => member.member)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(members.map((member: ResponseJson) => [member.run.seed, member.run.parameters.regrowth])).toEqual([
      [1, 1.05],
      [2, 1.05],
      [3, 1.05],
      [1, 1.5],
      [2, 1.5],
      [3, 1.5],
    ]);
    for (const member of members) expect(member.run).toMatchObject({ status: 'completed', step: steps });
    for (const member of cut)
      expect(members.find((entry: ResponseJson) => entry.member === member.member).run.id).toBe(
        member.run.id,
      );
    // Exactly one stored run per member: nothing was created twice across the restart.
    const listed = (await call(server, '/api/runs?limit=500')).json.runs;
    expect(listed.filter((run: ResponseJson) => run.name.includes('sweep member'))).toHaveLength(6);

    const again = await call(server, '/api/sweeps', body);
    const uninterrupted = await waitForSweep(server, again.json.id, (sweep) => sweep.status !== 'running');
    expect(uninterrupted.status).toBe('completed');
    expect(comparableReport(resumed.report)).toEqual(comparableReport(uninterrupted.report));
    expect(resumed.metrics).toEqual(uninterrupted.metrics);
  } finally {
    await server.close();
    await store.close();
  }
}
