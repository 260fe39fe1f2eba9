import type { Run, RunEvent } from '@sandtable/core';
import type { SimulatedModelServer } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommittedBatch } from '../run-persistence';
import type { Store } from '../store-types';
import { createStoredRun, forkRun, persistRun, restoreRunTo, resumeRun } from '../stored-run';
import {
  engineFactory,
  harbourTownFile,
  harbourTownText,
  simulatedRouter,
  startDeterministicModelServer,
} from './model-world';

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * The persistence contract: commit before publish, clean failure, exact resume (steered,
 * interrupted, paused), divergence detection, restore and fork — against any backend
 * (PGlite in `run-persistence.test.ts`, PostgreSQL in `run-persistence.int.test.ts`).
 */
export function describePersistenceContract(
  name: string,
  open: () => Promise<Store>,
  close: (store: Store) => Promise<void> = (store) => store.close(),
): void {
  describe(`persisted runs: ${name}`, () => {
    let store: Store;
    let server: SimulatedModelServer;

    beforeAll(async () => {
      store = await open();
      server = await startDeterministicModelServer();
    });
    afterAll(async () => {
      await close(store);
      await server.close();
    });

    const strip = (events: readonly RunEvent[]) =>
      events.map(({ wallTime: _wallTime, ...rest }) => JSON.stringify(rest));

    async function allEvents(runId: string): Promise<RunEvent[]> {
      return store.eventsAfter(runId, 0, 100_000);
    }

    /** The same operator session every time: controls sent right after steps 2, 3 and 5 are committed. */
    function steer(run: Run, batch: CommittedBatch): void {
      if (batch.step === 2) {
        run.muteAgent('fisher-0001');
        run.setVariable('price', 30);
        run.injectEvent({
          type: 'rumour',
          description: 'Buyers say the market is closing.',
          effects: { price: 'price - 5.0' },
        });
      }
      if (batch.step === 3) {
        run.pause();
        setTimeout(() => {
          run.setVariable('stock', 150);
          run.resume();
        }, 5);
      }
      if (batch.step === 5) run.injectMessage({ to: 'skipper-0001', text: 'Come back to port.' });
    }

    /** A store whose `appendStep` misbehaves at one step. */
    function faultyStore(inner: Store, atStep: number, fault: 'throw' | 'hang'): Store {
      return new Proxy(inner, {
        get(target, property, receiver) {
          if (property === 'appendStep') {
            return (runId: string, step: number, write: Parameters<Store['appendStep']>[2]) => {
              if (step === atStep)
                return fault === 'throw'
                  ? Promise.reject(new Error('disk full'))
                  : new Promise<void>(() => undefined);
              return target.appendStep(runId, step, write);
            };
          }
          return Reflect.get(target, property, receiver);
        },
      });
    }

    it('commits each step before publishing it, and the store then holds exactly what the run emitted', async () => {
      const order: string[] = [];
      const watched = new Proxy(store, {
        get(target, property, receiver) {
          if (property === 'appendStep')
            return async (...args: Parameters<Store['appendStep']>) => {
              await target.appendStep(...args);
              order.push(`commit ${args[1]}`);
            };
          return Reflect.get(target, property, receiver);
        },
      });
      const { record } = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const before = server.stats().chatRequests;
      const persisted = await persistRun(watched, record.id, {
        createRun: engineFactory(await simulatedRouter(server)),
        onCommitted: (batch) => order.push(`publish ${batch.step ?? 'end'}`),
      });
      const live: RunEvent[] = [];
      const snapshots = new Map<number, unknown>();
      persisted.run.subscribe((event) => {
        live.push(event);
        if (event.type === 'step-completed') snapshots.set(event.step, persisted.run.world.snapshot());
      });
      const result = await persisted.persistence.start();
      expect(result.status).toBe('completed');
      expect(order.slice(0, 4)).toEqual(['commit 1', 'publish 1', 'commit 2', 'publish 2']);
      expect(order.at(-1)).toBe('publish end');

      expect((await allEvents(record.id)).map((event) => JSON.stringify(event))).toEqual(
        live.map((event) => JSON.stringify(event)),
      );
      for (const step of [1, 4, 7, 8])
        expect(await store.stateAt(record.id, step)).toEqual(snapshots.get(step));
      const stored = await store.getRun(record.id);
      expect(stored).toMatchObject({
        status: 'completed',
        outcome: 'max-steps',
        lastStep: 8,
        lastSequence: live.length,
      });
      // Two model-backed skippers, eight steps: every call was recorded as it completed.
      const calls = await store.modelCalls(record.id);
      expect(calls).toHaveLength(16);
      // Provenance: each call's attempts, with hashes and token counts.
      expect(calls[0]?.attempts[0]).toMatchObject({
        tier: 'fast',
        outcome: 'ok',
        promptSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        usage: { promptTokens: expect.any(Number) },
      });
      expect(server.stats().chatRequests - before).toBe(16);
      expect((await store.listAgents(record.id)).map((agent) => agent.agentId).slice(0, 3)).toEqual([
        'skipper-0001',
        'skipper-0002',
        'fisher-0001',
      ]);
    });

    it('fails the run cleanly when a step cannot be committed, storing none of that step', async () => {
      const { record } = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const persisted = await persistRun(faultyStore(store, 3, 'throw'), record.id, {
        createRun: engineFactory(await simulatedRouter(server)),
      });
      const result = await persisted.persistence.start();
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('STORE_WRITE_FAILED');
      const stored = await store.getRun(record.id);
      expect(stored).toMatchObject({ status: 'failed', lastStep: 2, error: { code: 'STORE_WRITE_FAILED' } });
      const events = await allEvents(record.id);
      expect(events.filter((event) => event.type === 'step-completed').map((event) => event.step)).toEqual([
        1, 2,
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'run-failed', sequence: stored!.lastSequence });
      expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
      // Once the store takes writes again the failed run resumes from step 3 to the end.
      const resumed = await resumeRun(store, record.id, {
        createRun: engineFactory(await simulatedRouter(server)),
      });
      expect(await resumed.persistence.start()).toMatchObject({ status: 'completed', steps: 8 });
      const whole = await allEvents(record.id);
      expect(whole.map((event) => event.sequence)).toEqual(whole.map((_, index) => index + 1));
      expect(whole.filter((event) => event.type === 'run-failed')).toEqual([]);
      expect(await store.getRun(record.id)).toMatchObject({ status: 'completed', lastStep: 8, error: null });
      await expect(
        resumeRun(store, record.id, { createRun: engineFactory(undefined) }),
      ).rejects.toMatchObject({
        code: 'RUN_NOT_RESUMABLE',
      });
    });

    it('resumes an interrupted, steered run to the same record as an uninterrupted one, paying no model call twice', async () => {
      const router = await simulatedRouter(server);
      const reference = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const referenceRequests = server.stats().chatRequests;
      const straight = await persistRun(store, reference.record.id, { createRun: engineFactory(router) });
      straight.persistence.subscribe((batch) => steer(straight.run, batch));
      expect((await straight.persistence.start()).status).toBe('completed');
      const callsPerRun = server.stats().chatRequests - referenceRequests;

      const { record } = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const start = server.stats().chatRequests;
      // Step 6 is never committed: as if the process died after its model calls came back.
      const doomed = await persistRun(faultyStore(store, 6, 'hang'), record.id, {
        createRun: engineFactory(router),
      });
      doomed.persistence.subscribe((batch) => steer(doomed.run, batch));
      void doomed.persistence.start();
      await new Promise<void>((resolve) => {
        const poll = setInterval(async () => {
          if ((await store.modelCalls(record.id, { step: 6 })).length === 2) {
            clearInterval(poll);
            resolve();
          }
        }, 10);
      });
      expect(await store.getRun(record.id)).toMatchObject({ status: 'running', lastStep: 5 });

      const resumed = await resumeRun(store, record.id, { createRun: engineFactory(router) });
      const result = await resumed.persistence.start();
      expect(result).toMatchObject({ status: 'completed', steps: 8 });
      expect(strip(await allEvents(record.id))).toEqual(strip(await allEvents(reference.record.id)));
      // Steps 1–5 came from the stored cassette and step 6's two calls were reused: only 7 and 8 were asked.
      expect(resumed.router).toMatchObject({ replayed: 12, live: 4 });
      expect(server.stats().chatRequests - start).toBe(callsPerRun);
      expect(
        (await store.controlInputs(record.id)).map((stored) => [stored.afterStep, stored.input.kind]),
      ).toEqual([
        [2, 'event'],
        [2, 'agent-control'],
        [2, 'variable'],
        [3, 'paused'],
        [3, 'variable'],
        [3, 'resumed'],
        [5, 'message'],
      ]);
    });

    it('commits a pause and the steering done while paused at once, and resumes a run that died paused', async () => {
      const { record } = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const persisted = await persistRun(store, record.id, {
        createRun: engineFactory(await simulatedRouter(server)),
      });
      const batches: CommittedBatch[] = [];
      persisted.persistence.subscribe((batch) => {
        batches.push(batch);
        if (batch.step === 2) persisted.run.pause();
      });
      void persisted.persistence.start();
      await waitFor(async () => batches.some((batch) => batch.kind === 'boundary'));
      expect(batches.at(-1)?.events.map((event) => event.type)).toEqual(['run-paused']);
      expect((await allEvents(record.id)).at(-1)?.type).toBe('run-paused');
      expect((await store.getRun(record.id))?.status).toBe('paused');
      persisted.run.setVariable('stock', 42);
      await waitFor(async () => batches.filter((batch) => batch.kind === 'boundary').length === 2);
      expect(batches.at(-1)?.events.map((event) => event.type)).toEqual(['variable-set', 'state-changed']);
      expect(await store.getRun(record.id)).toMatchObject({
        lastStep: 2,
        lastSequence: batches.at(-1)?.events.at(-1)?.sequence,
      });

      // The process dies while paused; resume re-applies the pause and the change at the same boundary.
      const committed = await allEvents(record.id);
      const resumed = await resumeRun(store, record.id, {
        createRun: engineFactory(await simulatedRouter(server)),
      });
      expect((await resumed.persistence.start()).status).toBe('completed');
      const final = await allEvents(record.id);
      expect(strip(final.slice(0, committed.length))).toEqual(strip(committed));
      // Step 3's deltas include the change made while paused, so state at step 3 starts from 42.
      const step3 = (await store.listSteps(record.id, { fromStep: 3, toStep: 3 }))[0];
      expect(step3?.deltas[0]).toEqual({ variable: 'stock', from: expect.any(Number), to: 42 });
    });

    it('refuses to resume a run whose re-execution differs from what was stored', async () => {
      const { record } = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const doomed = await persistRun(faultyStore(store, 3, 'hang'), record.id, {
        createRun: engineFactory(await simulatedRouter(server)),
      });
      void doomed.persistence.start();
      await waitFor(async () => (await store.getRun(record.id))?.lastStep === 2);
      const before = await allEvents(record.id);
      // The skippers now run on rules (no model): step 1 re-executes differently.
      const resumed = await resumeRun(store, record.id, {
        createRun: ({ scenario, record: stored }) =>
          engineFactory(undefined)({
            scenario: { ...scenario, agents: scenario.agents.map((agent) => ({ ...agent, brain: 'rules' })) },
            record: stored,
            router: () => ({ hasTarget: () => false, chat: () => Promise.reject(new Error('no')) }),
          }),
      });
      const result = await resumed.persistence.start();
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('RESUME_DIVERGED');
      expect(result.error?.message).toMatch(/re-executing step 1/);
      expect(await allEvents(record.id)).toEqual(before);
      expect((await store.getRun(record.id))?.status).toBe('running');
    });

    it('restores a run to step N without writing, and forks it there into a child that shares N steps and then diverges', async () => {
      const router = await simulatedRouter(server);
      const { record } = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const parent = await persistRun(store, record.id, { createRun: engineFactory(router) });
      await parent.persistence.start();
      const requests = server.stats().chatRequests;

      const restored = await restoreRunTo(store, record.id, 4, { createRun: engineFactory(router) });
      const ending = restored.persistence.start();
      await restored.ready;
      expect(restored.run.world.snapshot()).toEqual(await store.stateAt(record.id, 4));
      restored.run.stop('inspected');
      await ending;
      expect(server.stats().chatRequests).toBe(requests);
      expect((await store.getRun(record.id))?.status).toBe('completed');

      const child = await forkRun(store, record.id, {
        atStep: 4,
        inputs: [{ kind: 'variable', variable: 'stock', value: 20 }],
      });
      expect(child).toMatchObject({ parentRunId: record.id, forkStep: 4, lastStep: 4 });
      const continued = await resumeRun(store, child.id, { createRun: engineFactory(router) });
      expect((await continued.persistence.start()).status).toBe('completed');
      const parentSteps = await store.listSteps(record.id);
      const childSteps = await store.listSteps(child.id);
      const prefixEnd = parentSteps[3]!.lastSequence;
      expect(strip((await allEvents(child.id)).slice(0, prefixEnd))).toEqual(
        strip((await allEvents(record.id)).slice(0, prefixEnd)),
      );
      expect(childSteps[4]?.metrics.stock).not.toBe(parentSteps[4]?.metrics.stock);
      expect((await store.stateAt(child.id, 5))?.globals.stock).toBeLessThan(40);

      // A fork with a changed parameter: the storm of step 4 hits harder in the child only.
      const harder = await forkRun(store, record.id, {
        atStep: 2,
        inputs: [{ kind: 'parameters', values: { storm_damage: 90 } }],
      });
      const stormy = await resumeRun(store, harder.id, { createRun: engineFactory(router) });
      expect((await stormy.persistence.start()).status).toBe('completed');
      const stormEvent = (runEvents: RunEvent[]) =>
        runEvents.find((event) => event.type === 'state-changed' && event.cause === 'event');
      const parentStorm = stormEvent(await allEvents(record.id));
      const childStorm = stormEvent(await allEvents(harder.id));
      expect(parentStorm?.type === 'state-changed' && parentStorm.changes[0]).toMatchObject({
        variable: 'stock',
      });
      const drop = (event: RunEvent | undefined) =>
        event?.type === 'state-changed'
          ? Number(event.changes[0]?.from) - Number(event.changes[0]?.to)
          : Number.NaN;
      expect(drop(parentStorm)).toBeCloseTo(20);
      expect(drop(childStorm)).toBeCloseTo(90);
      expect(() => stormy.run.setParameters({ storm_damage: 'lots' })).toThrow(/is a number, not a string/);
    });

    it('checkpoints a run: the step in progress commits, the run stays resumable, and resuming finishes it as if never stopped', async () => {
      const router = await simulatedRouter(server);
      const straight = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      await (
        await persistRun(store, straight.record.id, { createRun: engineFactory(router) })
      ).persistence.start();

      const { record } = await createStoredRun(store, { source: harbourTownText, origin: harbourTownFile });
      const persisted = await persistRun(store, record.id, { createRun: engineFactory(router) });
      let checkpointed: Promise<void> | undefined;
      persisted.persistence.subscribe((batch) => {
        if (batch.step === 3) checkpointed = persisted.persistence.checkpoint();
      });
      const result = await persisted.persistence.start();
      await checkpointed;
      expect(result).toMatchObject({ checkpointed: true });
      expect(await store.getRun(record.id)).toMatchObject({
        status: 'running',
        lastStep: 3,
        finishedAt: null,
      });
      expect((await allEvents(record.id)).at(-1)?.type).toBe('step-completed');
      const resumed = await resumeRun(store, record.id, { createRun: engineFactory(router) });
      expect((await resumed.persistence.start()).status).toBe('completed');
      expect(strip(await allEvents(record.id))).toEqual(strip(await allEvents(straight.record.id)));
    });
  });
}
