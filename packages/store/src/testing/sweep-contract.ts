import { expect, it } from 'vitest';
import type { Store } from '../store-types';

/**
 * The sweep half of the storage contract (sweeps and their member runs), called from
 * {@link describeStoreContract} inside its suite so it runs on every backend. `store` returns the
 * suite's open store.
 */
export function describeSweepContract(store: () => Store): void {
  async function newScenario(workspaceId: string) {
    return store().createScenario(workspaceId, {
      name: `sweep scenario ${Math.random().toString(36).slice(2)}`,
      source: 'name: x\n',
    });
  }

  it('stores a sweep, lists it newest first within its workspace, and changes its status', async () => {
    const workspace = await store().createWorkspace({ name: 'Sweeps' });
    const stranger = await store().createWorkspace({ name: 'Sweep stranger' });
    const { scenario, version } = await newScenario(workspace.id);
    const input = {
      workspaceId: workspace.id,
      scenarioId: scenario.id,
      scenarioVersion: version.version,
      name: 'pool sweep',
      definition: { seeds: [1, 2], grid: { regrowth: [1.05, 1.5] }, parallel: 2 },
      totalRuns: 4,
      parallel: 2,
    };
    const first = await store().createSweep(input);
    const second = await store().createSweep({ ...input, name: 'second' });
    expect(first).toMatchObject({
      name: 'pool sweep',
      status: 'running',
      totalRuns: 4,
      parallel: 2,
      reason: null,
      finishedAt: null,
      definition: input.definition,
    });
    expect(first.id).toMatch(/^sw_/);
    expect((await store().getSweep(first.id))?.definition).toEqual(input.definition);
    expect(await store().getSweep(first.id, { workspaceId: stranger.id })).toBeUndefined();
    expect((await store().listSweeps({ workspaceId: workspace.id })).map((sweep) => sweep.id)).toEqual([
      second.id,
      first.id,
    ]);
    expect(await store().listSweeps({ workspaceId: stranger.id })).toEqual([]);

    const finishedAt = new Date('2026-01-02T00:00:00.000Z');
    const stopped = await store().updateSweep(first.id, { status: 'stopped', reason: 'enough', finishedAt });
    expect(stopped).toMatchObject({ status: 'stopped', reason: 'enough', finishedAt });
    const running = await store().listSweeps({ workspaceId: workspace.id, status: 'running' });
    expect(running.map((sweep) => sweep.id)).toEqual([second.id]);
    expect((await store().listSweeps({ status: ['running', 'stopped'] })).map((sweep) => sweep.id)).toEqual(
      expect.arrayContaining([first.id, second.id]),
    );

    await expect(store().updateSweep('sw_missing', { status: 'failed' })).rejects.toMatchObject({
      code: 'SWEEP_NOT_FOUND',
    });
    await expect(store().createSweep({ ...input, scenarioVersion: 9 })).rejects.toMatchObject({
      code: 'SCENARIO_NOT_FOUND',
    });
    await expect(store().createSweep({ ...input, workspaceId: stranger.id })).rejects.toMatchObject({
      code: 'SCENARIO_NOT_FOUND',
    });
  });

  it('creates each member run once (also when asked twice at once), lists members in order and keeps their results', async () => {
    const workspace = await store().createWorkspace({ name: 'Sweep members' });
    const stranger = await store().createWorkspace({ name: 'Sweep members stranger' });
    const { scenario, version } = await newScenario(workspace.id);
    const sweep = await store().createSweep({
      workspaceId: workspace.id,
      scenarioId: scenario.id,
      scenarioVersion: version.version,
      name: 'members',
      definition: { seeds: [1, 2, 3] },
      totalRuns: 3,
      parallel: 1,
    });
    const runInput = (seed: number) => ({
      workspaceId: workspace.id,
      scenarioId: scenario.id,
      scenarioVersion: version.version,
      name: `member seed ${seed}`,
      seed,
      parameters: { regrowth: 1.5 },
      options: { steps: 4 },
      totalSteps: 4,
    });
    const second = await store().addSweepMember(sweep.id, 1, runInput(2));
    const [first, again] = await Promise.all([
      store().addSweepMember(sweep.id, 0, runInput(1)),
      store().addSweepMember(sweep.id, 0, runInput(1)),
    ]);
    expect(again.id).toBe(first.id);
    expect((await store().addSweepMember(sweep.id, 1, runInput(99))).id).toBe(second.id);
    expect(first).toMatchObject({
      status: 'created',
      seed: 1,
      parameters: { regrowth: 1.5 },
      options: { steps: 4 },
      totalSteps: 4,
    });
    // The members are ordinary runs of the workspace: exactly one run per member.
    const listed = await store().listRuns({ workspaceId: workspace.id });
    expect(listed.map((run) => run.id).sort()).toEqual([first.id, second.id].sort());

    const members = await store().listSweepMembers(sweep.id);
    expect(members.map((member) => [member.member, member.run.id, member.result])).toEqual([
      [0, first.id, null],
      [1, second.id, null],
    ]);
    expect(await store().listSweepMembers(sweep.id, { workspaceId: stranger.id })).toEqual([]);

    await store().updateRun(first.id, { status: 'completed', outcome: 'steps-exhausted' });
    const result = {
      status: 'completed' as const,
      outcome: 'steps-exhausted',
      steps: 4,
      finals: { pool: 101.25, 'actions.harvest': 12 },
    };
    await store().setSweepMemberResult(sweep.id, 0, result);
    const [kept, waiting] = await store().listSweepMembers(sweep.id, { workspaceId: workspace.id });
    expect(kept).toMatchObject({ member: 0, result, run: { id: first.id, status: 'completed' } });
    expect(waiting?.result).toBeNull();

    await expect(store().setSweepMemberResult(sweep.id, 7, result)).rejects.toMatchObject({
      code: 'SWEEP_NOT_FOUND',
    });
    await expect(store().addSweepMember('sw_missing', 0, runInput(1))).rejects.toMatchObject({
      code: 'SWEEP_NOT_FOUND',
    });
    await expect(
      store().addSweepMember(sweep.id, 2, { ...runInput(3), scenarioVersion: 5 }),
    ).rejects.toMatchObject({ code: 'SCENARIO_NOT_FOUND' });
    expect(await store().listSweepMembers(sweep.id)).toHaveLength(2);
  });

  it('lists only one sweep’s member runs with listRuns({ sweepId }), within the workspace and with the other filters', async () => {
    const workspace = await store().createWorkspace({ name: 'Sweep run filter' });
    const stranger = await store().createWorkspace({ name: 'Sweep run filter stranger' });
    const { scenario, version } = await newScenario(workspace.id);
    const sweepInput = {
      workspaceId: workspace.id,
      scenarioId: scenario.id,
      scenarioVersion: version.version,
      name: 'filtered',
      definition: { seeds: [1, 2] },
      totalRuns: 2,
      parallel: 1,
    };
    const runInput = (seed: number) => ({
      workspaceId: workspace.id,
      scenarioId: scenario.id,
      scenarioVersion: version.version,
      seed,
      totalSteps: 3,
    });
    const sweep = await store().createSweep(sweepInput);
    const other = await store().createSweep({ ...sweepInput, name: 'other' });
    const first = await store().addSweepMember(sweep.id, 0, runInput(1));
    const second = await store().addSweepMember(sweep.id, 1, runInput(2));
    const elsewhere = await store().addSweepMember(other.id, 0, runInput(1));
    const alone = await store().createRun(runInput(7));

    const ids = async (query: Parameters<Store['listRuns']>[0]) =>
      (await store().listRuns(query)).map((run) => run.id).sort();
    expect(await ids({ workspaceId: workspace.id, sweepId: sweep.id })).toEqual([first.id, second.id].sort());
    expect(await ids({ workspaceId: workspace.id, sweepId: other.id })).toEqual([elsewhere.id]);
    expect(await ids({ workspaceId: workspace.id })).toEqual(
      [first.id, second.id, elsewhere.id, alone.id].sort(),
    );
    expect(await ids({ workspaceId: stranger.id, sweepId: sweep.id })).toEqual([]);
    expect(await ids({ sweepId: 'sw_missing' })).toEqual([]);

    await store().updateRun(second.id, { status: 'completed' });
    expect(await ids({ sweepId: sweep.id, status: 'completed' })).toEqual([second.id]);
    expect(await ids({ sweepId: sweep.id, limit: 1 })).toHaveLength(1);
  });
}
