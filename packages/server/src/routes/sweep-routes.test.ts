import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateSweep, expandSweep, ruleSweepExecutor, runSweep, SweepDefinition } from '@sandtable/core';
import { openStore } from '@sandtable/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  comparableReport,
  expectSweepSurvivesRestart,
  type ListeningServer,
  storeVillage,
  waitForSweep,
} from '../execution/sweep-test-support';
import { type ResponseJson, startTestServer } from '../test-support';

const ended = ['completed', 'stopped', 'failed'];

describe('sweeps through the run manager', () => {
  // One server (in-memory store) for the tests that need no restart: it starts once.
  let server: ListeningServer;
  let scenarioId: string;
  let source: string;
  const servers: ListeningServer[] = [];
  const closeAfter: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    server = await startTestServer({ maxConcurrentRuns: 4 });
    servers.push(server);
    ({ scenarioId, source } = await storeVillage(server.store));
  });
  afterAll(async () => {
    for (const entry of servers) await entry.close();
    for (const close of closeAfter) await close();
  });

  it('runs every member as a stored run, at most `parallel` at once, and aggregates them as sandtable sweep does', async () => {
    // Which member runs execute at once, as the status stream tells.
    const statuses = new Map<string, string>();
    let mostAtOnce = 0;
    const stopWatching = server.context.live.subscribeStatus((change) => {
      statuses.set(change.runId, change.status);
      const executing = [...statuses.values()].filter((status) => !ended.includes(status)).length;
      mostAtOnce = Math.max(mostAtOnce, executing);
    });
    const created = await call(server, '/api/sweeps', {
      scenarioId,
      seeds: [1, 2, 3],
      grid: { regrowth: [1.05, 1.5] },
      steps: 4,
      parallel: 2,
    });
    expect(created.status).toBe(202);
    expect(created.json).toMatchObject({
      name: 'Village sweep',
      scenarioName: 'Village',
      status: 'running',
      runs: 6,
      parallel: 2,
      seeds: [1, 2, 3],
      grid: { regrowth: [1.05, 1.5] },
      steps: 4,
    });
    const early = await call(server, `/api/sweeps/${created.json.id}/report.md`);
    expect([early.status, early.json.error.code]).toEqual([409, 'SWEEP_NOT_FINISHED']);

    const done = await waitForSweep(server, created.json.id, (sweep) => sweep.status !== 'running');
    stopWatching();
    expect(done).toMatchObject({ status: 'completed', completed: 6, failed: 0, running: 0, pending: 0 });
    expect(mostAtOnce).toBeGreaterThan(0);
    expect(mostAtOnce).toBeLessThanOrEqual(2);

    // The same plan run in process with rule agents (what `sandtable sweep` does) aggregates the same.
    const definition = SweepDefinition.parse({
      name: 'Village sweep',
      scenario: 'Village',
      seeds: [1, 2, 3],
      grid: { regrowth: [1.05, 1.5] },
      steps: 4,
    });
    const plan = expandSweep(definition);
    const outcomes = await runSweep(plan, ruleSweepExecutor(source, { steps: 4 }));
    const expected = aggregateSweep(plan, outcomes, {
      name: 'Village sweep',
      scenario: 'Village',
      grid: definition.grid,
    });
    expect(comparableReport(done.report)).toEqual(comparableReport(expected));
    const pool = done.metrics.find((metric: ResponseJson) => metric.metric === 'pool');
    expect(pool.values).toHaveLength(6);
    expect(pool.low).toBeLessThan(pool.mean);
    expect(pool.p5).toBeLessThanOrEqual(pool.median);

    // Members are ordinary runs: listed, readable, briefed.
    const members = (await call(server, `/api/sweeps/${done.id}/runs`)).json.runs;
    expect(members.map((member: ResponseJson) => [member.member, member.setting, member.run.seed])).toEqual([
      [0, 0, 1],
      [1, 0, 2],
      [2, 0, 3],
      [3, 1, 1],
      [4, 1, 2],
      [5, 1, 3],
    ]);
    expect(members[3].result.finals.pool).toBe(done.report.members[3].finals.pool);
    const listed = (await call(server, '/api/runs')).json.runs.map((run: ResponseJson) => run.id);
    for (const member of members) expect(listed).toContain(member.run.id);
    const run = await call(server, `/api/runs/${members[4].run.id}`);
    expect(run.json).toMatchObject({ status: 'completed', seed: 2, parameters: { regrowth: 1.5 }, step: 4 });
    expect((await call(server, `/api/runs/${members[4].run.id}/brief`)).status).toBe(200);

    const markdown = await fetch(`${server.url}/api/sweeps/${done.id}/report.md`);
    expect(markdown.headers.get('content-type')).toContain('text/markdown');
    expect(await markdown.text()).toContain('# Sweep: Village sweep');
    const pdf = await fetch(`${server.url}/api/sweeps/${done.id}/report.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    expect((await call(server, '/api/sweeps')).json.sweeps.map((sweep: ResponseJson) => sweep.id)).toEqual([
      done.id,
    ]);
    const missing = await call(server, '/api/sweeps/sw_missing/runs');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'SWEEP_NOT_FOUND']);
  });

  it('draws random parameter settings reproducibly and reports their trends', async () => {
    const body = {
      scenarioId,
      seeds: [1],
      random: { samples: 3, seed: 5, parameters: { regrowth: { min: 1, max: 2 } } },
      steps: 3,
      parallel: 3,
    };
    const first = await call(server, '/api/sweeps', body);
    const done = await waitForSweep(server, first.json.id, (sweep) => sweep.status !== 'running');
    expect(done).toMatchObject({ status: 'completed', runs: 3, completed: 3 });
    const { scenarioId: _scenario, ...definition } = body;
    const drawn = expandSweep(SweepDefinition.parse({ scenario: 'Village', ...definition }));
    expect(done.report.settings.map((setting: ResponseJson) => setting.parameters)).toEqual(drawn.settings);
    expect(done.report.trends.map((trend: ResponseJson) => trend.parameter)).toContain('regrowth');
  });

  it('stops a sweep: queued and executing members stop, no member starts after it', async () => {
    const created = await call(server, '/api/sweeps', {
      scenarioId,
      seeds: { from: 1, count: 6 },
      steps: 2_000,
      parallel: 2,
    });
    const sweepId = created.json.id;
    // Wait until a member has committed a step.
    for (;;) {
      const runs = (await call(server, `/api/sweeps/${sweepId}/runs`)).json.runs;
      if (runs.some((member: ResponseJson) => member.run.step >= 1)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stopped = await call(server, `/api/sweeps/${sweepId}/stop`, { reason: 'enough' });
    expect(stopped.status).toBe(202);
    expect(stopped.json).toMatchObject({ status: 'stopped', reason: 'enough' });
    let members: ResponseJson[] = [];
    for (;;) {
      members = (await call(server, `/api/sweeps/${sweepId}/runs`)).json.runs;
      if (members.every((member) => ended.includes(member.run.status) && !member.run.live)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(members.length).toBeLessThanOrEqual(2);
    for (const member of members) expect(member.run).toMatchObject({ status: 'stopped', reason: 'enough' });
    // The coordinator looks at running sweeps every second: give it time to (not) submit more.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await server.store.listSweepMembers(sweepId)).length).toBe(members.length);
    const sweep = (await call(server, `/api/sweeps/${sweepId}`)).json;
    expect(sweep).toMatchObject({
      status: 'stopped',
      reason: 'enough',
      completed: members.length,
      failed: members.length,
      running: 0,
      pending: 6 - members.length,
    });
    const again = await call(server, `/api/sweeps/${sweepId}/stop`, {});
    expect([again.status, again.json.error.code]).toEqual([409, 'SWEEP_NOT_RUNNING']);
  });

  it('submits, on start, a member that was created but never submitted', async () => {
    const store = await openStore({ url: 'memory:' });
    const { scenarioId: stored } = await storeVillage(store);
    const workspace = await store.defaultWorkspace();
    const definition = SweepDefinition.parse({
      name: 'by hand',
      scenario: 'Village',
      seeds: [4, 5],
      steps: 3,
    });
    const sweep = await store.createSweep({
      workspaceId: workspace.id,
      scenarioId: stored,
      scenarioVersion: 1,
      name: 'by hand',
      definition,
      totalRuns: 2,
      parallel: 2,
    });
    const orphan = await store.addSweepMember(sweep.id, 0, {
      workspaceId: workspace.id,
      scenarioId: stored,
      scenarioVersion: 1,
      seed: 4,
      options: { steps: 3 },
      totalSteps: 3,
    });
    const resuming = await startTestServer({ store, resumeInterrupted: true });
    servers.push(resuming);
    closeAfter.push(() => store.close());
    const done = await waitForSweep(resuming, sweep.id, (entry) => entry.status !== 'running');
    expect(done).toMatchObject({ status: 'completed', completed: 2, failed: 0 });
    const members = (await call(resuming, `/api/sweeps/${sweep.id}/runs`)).json.runs;
    expect(members[0].run).toMatchObject({ id: orphan.id, status: 'completed', step: 3 });
    expect(members[1].run).toMatchObject({ seed: 5, status: 'completed' });
  });

  it('survives a restart on an embedded store folder: the sweep completes with every member once and the same report', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sandtable-sweep-'));
    try {
      await expectSweepSurvivesRestart(() => openStore({ directory }), 20);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 180_000);
});
