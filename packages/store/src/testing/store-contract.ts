import type { RunEvent } from '@sandtable/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store, WorldSnapshot } from '../store-types';
import { describeSweepContract } from './sweep-contract';

const wallTime = '2026-01-01T00:00:00.000Z';

/** A small, valid step's events: boundary events, actions, a message, a change, step-completed. */
export function sampleStepEvents(first: number, step: number, agentCount = 2): RunEvent[] {
  let sequence = first;
  const next = () => sequence++;
  const list: RunEvent[] = [];
  if (step === 1)
    list.push({
      sequence: next(),
      type: 'run-started',
      wallTime,
      scenario: 'contract',
      seed: 1,
      steps: 3,
      agents: agentCount,
      parameters: {},
    });
  list.push({ sequence: next(), type: 'step-started', wallTime, step });
  list.push({
    sequence: next(),
    type: 'state-changed',
    wallTime,
    step,
    cause: 'dynamics',
    changes: [{ variable: 'price', from: step - 1, to: step }],
  });
  for (let index = 0; index < agentCount; index++) {
    list.push({
      sequence: next(),
      type: 'agent-acted',
      wallTime,
      step,
      agentId: `a${index}`,
      tool: 'buy',
      arguments: { amount: index },
      ok: true,
      result: 'bought',
      rationale: 'cheap',
      source: 'rules',
      changes: [{ agentId: `a${index}`, variable: 'cash', from: 10 - step + 1, to: 10 - step }],
    });
  }
  list.push({
    sequence: next(),
    type: 'message-sent',
    wallTime,
    from: 'a0',
    to: 'a1',
    text: `hello ${step}`,
    step,
  });
  list.push({
    sequence: next(),
    type: 'message-sent',
    wallTime,
    from: 'a1',
    room: 'square',
    text: 'line\nbreak "quoted" \\ é',
    step,
  });
  list.push({
    sequence: next(),
    type: 'step-completed',
    wallTime,
    step,
    metrics: { price: step, ratio: step / 3 },
    actions: { buy: agentCount },
    messages: 2,
    failures: 0,
    mood: { valence: 0, arousal: 0 },
  });
  return list;
}

function snapshotAfter(step: number, agentCount = 2): WorldSnapshot {
  const agents: WorldSnapshot['agents'] = {};
  for (let index = 0; index < agentCount; index++) agents[`a${index}`] = { cash: 10 - step };
  return { globals: { price: step }, agents };
}

/**
 * The storage contract: one suite that every backend must pass unchanged (PGlite in
 * `*.test.ts`, PostgreSQL in `*.int.test.ts`). `open` returns a fresh, empty store; `close`
 * tears it down.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<Store>,
  close?: (store: Store) => Promise<void>,
): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      if (close) await close(store);
      else await store.close();
    });

    async function newRun(workspaceId: string, id?: string) {
      const { scenario, version } = await store.createScenario(workspaceId, {
        name: `scenario ${Math.random().toString(36).slice(2)}`,
        source: 'name: x\n',
      });
      return store.createRun({
        ...(id ? { id } : {}),
        workspaceId,
        scenarioId: scenario.id,
        scenarioVersion: version.version,
        seed: 7,
        parameters: { shock: 0.5 },
        options: { snapshotEvery: 2 },
        totalSteps: 3,
      });
    }

    it('hands out a token secret once and resolves it to its workspace; revoked or wrong secrets resolve to nothing', async () => {
      const workspace = await store.createWorkspace({ name: 'Tokens' });
      const { token, secret } = await store.createToken(workspace.id, { name: 'ci' });
      expect(secret).toMatch(/^st_[A-Za-z0-9_-]{32}$/);
      expect(JSON.stringify(await store.listTokens(workspace.id))).not.toContain(secret.slice(3));
      expect((await store.verifyToken(secret))?.workspace.id).toBe(workspace.id);
      expect(await store.verifyToken(`${secret}x`)).toBeUndefined();
      expect(await store.verifyToken('not-a-token')).toBeUndefined();
      const other = await store.createWorkspace({ name: 'Other' });
      expect(await store.revokeToken(token.id, { workspaceId: other.id })).toBe(false);
      expect(await store.revokeToken(token.id)).toBe(true);
      expect(await store.verifyToken(secret)).toBeUndefined();
      await expect(store.createToken('no-such-workspace')).rejects.toMatchObject({
        code: 'WORKSPACE_NOT_FOUND',
      });
      await expect(store.createWorkspace({ id: workspace.id, name: 'again' })).rejects.toMatchObject({
        code: 'STORE_CONFLICT',
      });
    });

    it("keeps scenario versions immutable, clones a version, and hides other workspaces' scenarios", async () => {
      const workspace = await store.createWorkspace({ name: 'Scenarios' });
      const stranger = await store.createWorkspace({ name: 'Stranger' });
      const created = await store.createScenario(workspace.id, {
        name: 'port',
        source: 'v: 1\n',
        origin: '/x/port.yaml',
      });
      expect(created.version.version).toBe(1);
      const same = await store.addScenarioVersion(created.scenario.id, {
        source: 'v: 1\n',
        origin: '/x/port.yaml',
      });
      expect(same.version.version).toBe(1);
      const second = await store.upsertScenarioByName(workspace.id, {
        name: 'port',
        source: 'v: 2\n',
        origin: '/x/port.yaml',
      });
      expect(second.scenario.id).toBe(created.scenario.id);
      expect(second.version.version).toBe(2);
      expect((await store.getScenarioVersion(created.scenario.id, 1))?.source).toBe('v: 1\n');
      expect((await store.getScenarioVersion(created.scenario.id))?.source).toBe('v: 2\n');
      expect(
        (await store.listScenarioVersions(created.scenario.id)).map((version) => version.version),
      ).toEqual([1, 2]);
      const clone = await store.cloneScenario(created.scenario.id, { name: 'port copy', version: 1 });
      expect(clone.version).toMatchObject({ version: 1, source: 'v: 1\n' });
      expect(clone.scenario).toMatchObject({ clonedFromId: created.scenario.id, clonedFromVersion: 1 });
      expect(await store.getScenario(created.scenario.id, { workspaceId: stranger.id })).toBeUndefined();
      expect(await store.listScenarioVersions(created.scenario.id, { workspaceId: stranger.id })).toEqual([]);
      await expect(
        store.addScenarioVersion(created.scenario.id, { source: 'v: 3\n' }, { workspaceId: stranger.id }),
      ).rejects.toMatchObject({ code: 'SCENARIO_NOT_FOUND' });
      expect(await store.deleteScenario(clone.scenario.id)).toBe(true);
      expect((await store.listScenarios(workspace.id)).map((scenario) => scenario.name)).toEqual(['port']);
      // A deleted scenario's versions stay readable for the runs that used them.
      expect((await store.getScenarioVersion(clone.scenario.id, 1))?.source).toBe('v: 1\n');
    });

    it('creates, lists and updates runs within their workspace only', async () => {
      const workspace = await store.createWorkspace({ name: 'Runs' });
      const stranger = await store.createWorkspace({ name: 'Runs stranger' });
      const run = await newRun(workspace.id);
      expect(run).toMatchObject({
        status: 'created',
        seed: 7,
        parameters: { shock: 0.5 },
        lastStep: 0,
        lastSequence: 0,
      });
      expect(await store.getRun(run.id, { workspaceId: stranger.id })).toBeUndefined();
      expect(await store.listRuns({ workspaceId: stranger.id })).toEqual([]);
      const started = await store.updateRun(run.id, { status: 'running', startedAt: new Date() });
      expect(started.status).toBe('running');
      expect(
        (await store.listRuns({ workspaceId: workspace.id, status: 'running' })).map((found) => found.id),
      ).toEqual([run.id]);
      await expect(store.updateRun('missing', { status: 'failed' })).rejects.toMatchObject({
        code: 'RUN_NOT_FOUND',
      });
      await expect(
        store.createRun({
          workspaceId: workspace.id,
          scenarioId: run.scenarioId,
          scenarioVersion: 9,
          seed: 1,
          totalSteps: 1,
        }),
      ).rejects.toMatchObject({ code: 'SCENARIO_NOT_FOUND' });
    });

    it('commits steps whole and reads back events exactly, messages by agent, room and step, and state at any step', async () => {
      const workspace = await store.createWorkspace({ name: 'History' });
      const run = await newRun(workspace.id);
      const written: RunEvent[] = [];
      for (let step = 1; step <= 3; step++) {
        const stepEvents = sampleStepEvents(written.length + 1, step);
        written.push(...stepEvents);
        await store.appendStep(run.id, step, {
          events: stepEvents,
          ...(step % 2 === 1 ? { snapshot: snapshotAfter(step) } : {}),
          ...(step === 2 ? { inputs: [{ kind: 'agent-control', agentId: 'a1', control: 'muted' }] } : {}),
        });
      }
      const stored = await store.eventsAfter(run.id, 0, 10_000);
      // Byte-identical, key order included: SSE replays what was published live.
      expect(stored.map((event) => JSON.stringify(event))).toEqual(
        written.map((event) => JSON.stringify(event)),
      );
      expect((await store.eventsAfter(run.id, 5, 3)).map((event) => event.sequence)).toEqual([6, 7, 8]);
      expect(await store.eventsAfter(run.id, written.length)).toEqual([]);
      expect(
        (await store.eventsAfter(run.id, 0, 100, { types: ['message-sent'], fromStep: 2 })).map(
          (event) => (event as { step?: number }).step,
        ),
      ).toEqual([2, 2, 3, 3]);
      await store.ping();
      expect((await store.eventsOfSteps(run.id, 2, 2)).map((event) => event.type)[0]).toBe('step-started');

      const record = await store.getRun(run.id);
      expect(record).toMatchObject({ lastStep: 3, lastSequence: written.length });
      expect(record?.totals).toMatchObject({ events: written.length, messages: 6, actions: 6, failures: 0 });

      expect((await store.messages(run.id, { agentId: 'a1' })).length).toBe(6);
      expect(
        (await store.messages(run.id, { room: 'square', fromStep: 2, toStep: 3 })).map(
          (message) => message.step,
        ),
      ).toEqual([2, 3]);
      const [direct] = await store.messages(run.id, { agentId: 'a0', toStep: 1 });
      expect(direct).toMatchObject({ from: 'a0', to: 'a1', text: 'hello 1', step: 1, muted: false });
      expect((await store.messages(run.id, { room: 'square', toStep: 1 }))[0]?.text).toBe(
        'line\nbreak "quoted" \\ é',
      );

      // Step 2 has no snapshot: it is step 1's plus step 2's deltas.
      expect(await store.stateAt(run.id, 2)).toEqual(snapshotAfter(2));
      expect(await store.stateAt(run.id, 3)).toEqual(snapshotAfter(3));
      expect(await store.stateAt(run.id, 4)).toBeUndefined();
      expect((await store.listSteps(run.id)).map((step) => [step.step, step.hasSnapshot])).toEqual([
        [1, true],
        [2, false],
        [3, true],
      ]);
      expect((await store.metricSeries(run.id)).price).toEqual([
        { step: 1, value: 1 },
        { step: 2, value: 2 },
        { step: 3, value: 3 },
      ]);
      expect(await store.controlInputs(run.id)).toEqual([
        { ordinal: 1, afterStep: 1, input: { kind: 'agent-control', agentId: 'a1', control: 'muted' } },
      ]);

      const finished = await store.finishRun(run.id, {
        events: [
          {
            sequence: written.length + 1,
            type: 'run-completed',
            wallTime,
            step: 3,
            outcome: 'max-steps',
            reason: 'done',
          },
        ],
        status: 'completed',
        outcome: 'max-steps',
        reason: 'done',
      });
      expect(finished).toMatchObject({ status: 'completed', lastSequence: written.length + 1 });
      expect(finished.finishedAt).toBeInstanceOf(Date);
    });

    it('refuses a step out of order or with a sequence gap and writes none of it', async () => {
      const workspace = await store.createWorkspace({ name: 'Atomic' });
      const run = await newRun(workspace.id);
      await store.appendStep(run.id, 1, { events: sampleStepEvents(1, 1) });
      const after = (await store.getRun(run.id))!.lastSequence;
      await expect(
        store.appendStep(run.id, 3, { events: sampleStepEvents(after + 1, 3) }),
      ).rejects.toMatchObject({
        code: 'STORE_STEP_OUT_OF_ORDER',
      });
      const gapped = sampleStepEvents(after + 1, 2);
      gapped[3] = { ...gapped[3]!, sequence: 999 } as RunEvent;
      await expect(store.appendStep(run.id, 2, { events: gapped })).rejects.toMatchObject({
        code: 'STORE_STEP_OUT_OF_ORDER',
      });
      // A database-level failure half-way (a duplicate metric name breaks the primary key after
      // the events were inserted) rolls back the events too.
      const events2 = sampleStepEvents(after + 1, 2);
      await expect(
        store.appendStep(run.id, 2, {
          events: events2,
          inputs: [{ kind: 'paused' }],
          metrics: { price: 1 },
          snapshot: { globals: {}, agents: {} },
          messages: [
            { sequence: events2[0]!.sequence, from: 'a', text: 'x', step: 2, muted: false },
            { sequence: events2[0]!.sequence, from: 'a', text: 'duplicate', step: 2, muted: false },
          ],
        }),
      ).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
      expect(await store.getRun(run.id)).toMatchObject({ lastStep: 1, lastSequence: after });
      expect(await store.eventsAfter(run.id, after)).toEqual([]);
      expect(await store.controlInputs(run.id)).toEqual([]);
      expect((await store.listSteps(run.id)).length).toBe(1);
      await store.appendStep(run.id, 2, { events: events2 });
      expect((await store.getRun(run.id))?.lastStep).toBe(2);
    });

    it('commits boundary events ahead of their step, and trims a run back to its last step on reopen', async () => {
      const workspace = await store.createWorkspace({ name: 'Boundary' });
      const run = await newRun(workspace.id);
      const first = sampleStepEvents(1, 1);
      await store.appendStep(run.id, 1, { events: first, snapshot: snapshotAfter(1) });
      let sequence = first.length + 1;
      const boundary: RunEvent[] = [
        { sequence: sequence++, type: 'run-paused', wallTime, step: 1 },
        { sequence: sequence++, type: 'variable-set', wallTime, step: 1, variable: 'price', value: 50 },
        {
          sequence: sequence++,
          type: 'state-changed',
          wallTime,
          step: 1,
          cause: 'control',
          changes: [{ variable: 'price', from: 1, to: 50 }],
        },
      ];
      await store.appendBoundary(run.id, boundary);
      expect((await store.getRun(run.id))?.lastSequence).toBe(sequence - 1);
      await expect(store.appendBoundary(run.id, boundary)).rejects.toMatchObject({
        code: 'STORE_STEP_OUT_OF_ORDER',
      });
      const second = sampleStepEvents(sequence, 2);
      await store.appendStep(run.id, 2, { events: second });
      // Step 2 owns the boundary events: they are its first events, and its deltas start with theirs.
      expect((await store.eventsOfSteps(run.id, 2, 2)).map((event) => event.type).slice(0, 2)).toEqual([
        'run-paused',
        'variable-set',
      ]);
      const [step2] = await store.listSteps(run.id, { fromStep: 2 });
      expect(step2).toMatchObject({ firstSequence: first.length + 1 });
      expect(step2?.deltas[0]).toEqual({ variable: 'price', from: 1, to: 50 });
      await store.appendBoundary(run.id, [
        { sequence: second.at(-1)!.sequence + 1, type: 'run-paused', wallTime, step: 2 },
      ]);
      await store.finishRun(run.id, {
        events: [
          { sequence: second.at(-1)!.sequence + 2, type: 'run-stopped', wallTime, step: 2, reason: 'x' },
        ],
        status: 'stopped',
        outcome: 'stopped',
        reason: 'x',
      });
      const reopened = await store.reopenRun(run.id);
      expect(reopened).toMatchObject({
        status: 'running',
        lastStep: 2,
        lastSequence: second.at(-1)!.sequence,
        outcome: null,
      });
      expect((await store.eventsAfter(run.id, 0, 1000)).at(-1)?.type).toBe('step-completed');
    });

    it('commits a step of 10,000 agents in one transaction', async () => {
      const workspace = await store.createWorkspace({ name: 'Large' });
      const run = await newRun(workspace.id);
      const stepEvents = sampleStepEvents(1, 1, 10_000);
      await store.appendStep(run.id, 1, { events: stepEvents, snapshot: snapshotAfter(1, 10_000) });
      expect((await store.getRun(run.id))?.lastSequence).toBe(stepEvents.length);
      expect((await store.eventsAfter(run.id, 10_000, 5)).map((event) => event.sequence)).toEqual([
        10_001, 10_002, 10_003, 10_004, 10_005,
      ]);
      expect((await store.stateAt(run.id, 1))?.agents.a9999).toEqual({ cash: 9 });
    });

    it('records model calls in completion order and forks a run prefix', async () => {
      const workspace = await store.createWorkspace({ name: 'Fork' });
      const parent = await newRun(workspace.id);
      let sequence = 1;
      for (let step = 1; step <= 3; step++) {
        const stepEvents = sampleStepEvents(sequence, step);
        sequence += stepEvents.length;
        await store.recordModelCall(parent.id, {
          step,
          agentId: 'a0',
          target: 'fast',
          entry: {
            key: String(step).repeat(64),
            request: { model: 'fast', messages: [{ role: 'user', content: `step ${step}` }] },
          },
        });
        await store.appendStep(parent.id, step, {
          events: stepEvents,
          snapshot: snapshotAfter(step),
          ...(step === 3 ? { inputs: [{ kind: 'resumed' }] } : {}),
        });
      }
      await Promise.all(
        [4, 5, 6].map((step) =>
          store.recordModelCall(parent.id, {
            step: 4,
            agentId: `a${step}`,
            target: 'fast',
            entry: { key: String(step).repeat(64), request: { model: 'fast', messages: [] } },
          }),
        ),
      );
      expect((await store.modelCalls(parent.id)).map((call) => call.ordinal)).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await store.modelCalls(parent.id, { step: 2 }))[0]?.entry.request.messages).toEqual([
        { role: 'user', content: 'step 2' },
      ]);

      const child = await store.createRun({
        workspaceId: workspace.id,
        scenarioId: parent.scenarioId,
        scenarioVersion: parent.scenarioVersion,
        seed: parent.seed,
        totalSteps: 3,
        parentRunId: parent.id,
        forkStep: 2,
      });
      await store.copyRunPrefix(parent.id, child.id, 2);
      const childRecord = await store.getRun(child.id);
      const parentSteps = await store.listSteps(parent.id, { toStep: 2 });
      expect(childRecord).toMatchObject({
        lastStep: 2,
        lastSequence: parentSteps[1]?.lastSequence,
        parentRunId: parent.id,
      });
      expect(childRecord?.totals).toMatchObject({ messages: 4, actions: 4, failures: 0 });
      expect(await store.eventsAfter(child.id, 0)).toEqual(await store.eventsOfSteps(parent.id, 1, 2));
      expect((await store.modelCalls(child.id)).map((call) => call.step)).toEqual([1, 2]);
      expect(await store.controlInputs(child.id)).toEqual([]);
      expect(await store.stateAt(child.id, 2)).toEqual(snapshotAfter(2));
      expect((await store.listRuns({ parentRunId: parent.id })).map((run) => run.id)).toEqual([child.id]);
      await expect(store.copyRunPrefix(parent.id, child.id, 9)).rejects.toMatchObject({
        code: 'STEP_NOT_COMMITTED',
      });
    });

    it('keeps evaluations and briefs per run', async () => {
      const workspace = await store.createWorkspace({ name: 'Analysis' });
      const run = await newRun(workspace.id);
      await store.addEvaluation(run.id, { kind: 'rubric', body: { score: 0.8 } });
      await store.addBrief(run.id, { format: 'markdown', body: '# Brief', data: { headline: 'ok' } });
      expect((await store.listEvaluations(run.id)).map((evaluation) => evaluation.body)).toEqual([
        { score: 0.8 },
      ]);
      expect((await store.listBriefs(run.id))[0]).toMatchObject({
        format: 'markdown',
        body: '# Brief',
        data: { headline: 'ok' },
      });
    });

    describeSweepContract(() => store);
  });
}
