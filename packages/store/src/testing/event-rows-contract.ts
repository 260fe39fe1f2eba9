import type { RunEvent, RunEventOf } from '@sandtable/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store-types';

const wallTime = '2026-01-01T00:00:00.000Z';

/**
 * A step as a large run writes it: step-started, then `agents` agent-acted events with a message
 * after every seventh one and an agent failure now and then, a beliefs-changed report and
 * step-completed. The per-agent events are stored in chunks of up to 1,000 (several types mixed).
 */
function largeStep(first: number, step: number, agents: number): RunEvent[] {
  let sequence = first;
  const list: RunEvent[] = [{ sequence: sequence++, type: 'step-started', wallTime, step }];
  let actions = 0;
  for (let index = 0; index < agents; index++) {
    if (index % 97 === 5) {
      list.push({
        sequence: sequence++,
        type: 'agent-failed',
        wallTime,
        step,
        agentId: `a${index}`,
        reason: 'timeout',
        message: 'no answer\nin time',
      });
      continue;
    }
    actions += 1;
    list.push({
      sequence: sequence++,
      type: 'agent-acted',
      wallTime,
      step,
      agentId: `a${index}`,
      tool: 'withdraw',
      arguments: { amount: index },
      ok: true,
      result: 'done',
      rationale: `worried ${'"'}${index}${'"'}`,
      source: 'rules',
      changes: [{ agentId: `a${index}`, variable: 'cash', from: index, to: index + 1 }],
    });
    if (index % 7 === 0)
      list.push({
        sequence: sequence++,
        type: 'message-sent',
        wallTime,
        from: `a${index}`,
        room: 'square',
        text: `line\nbreak ${index} \\ é`,
        step,
      });
  }
  list.push({
    sequence: sequence++,
    type: 'beliefs-changed',
    wallTime,
    step,
    positions: { a0: { rumour: step / 10 } },
  });
  list.push({
    sequence: sequence++,
    type: 'step-completed',
    wallTime,
    step,
    metrics: { withdrawn: step },
    actions: { withdraw: actions },
    messages: 0,
    failures: list.filter((event) => event.type === 'agent-failed').length,
    mood: { valence: 0, arousal: 0 },
  });
  return list;
}

const sequences = (events: readonly RunEvent[]) => events.map((event) => event.sequence);
const texts = (events: readonly RunEvent[]) => events.map((event) => JSON.stringify(event));

/**
 * Reads of runs whose steps are large enough to be stored in several chunks (migration 0006):
 * every read — pages after any sequence, type and step filters, steps, boundaries, trimming and
 * forks — gives exactly the events written, as if each were a row of its own. Runs on every
 * backend (`event-rows.test.ts` on PGlite, `event-rows.int.test.ts` on PostgreSQL).
 */
export function describeEventRowsContract(
  name: string,
  open: () => Promise<Store>,
  close: (store: Store) => Promise<void> = (store) => store.close(),
): void {
  describe(`chunked events: ${name}`, () => {
    let store: Store;
    let runId: string;
    const written: RunEvent[] = [];
    let stepTwo: RunEvent[] = [];

    beforeAll(async () => {
      store = await open();
      const workspace = await store.createWorkspace({ name: 'Chunks' });
      const { scenario, version } = await store.createScenario(workspace.id, {
        name: 'chunks',
        source: 'name: chunks\n',
      });
      const run = await store.createRun({
        workspaceId: workspace.id,
        scenarioId: scenario.id,
        scenarioVersion: version.version,
        seed: 1,
        totalSteps: 3,
      });
      runId = run.id;
      const stepOne = largeStep(1, 1, 2_600);
      await store.appendStep(runId, 1, { events: stepOne });
      // Steering between steps: boundary events committed ahead, counted with step 2.
      const boundary: RunEvent[] = [
        { sequence: stepOne.length + 1, type: 'run-paused', wallTime, step: 1 },
        {
          sequence: stepOne.length + 2,
          type: 'state-changed',
          wallTime,
          step: 1,
          cause: 'control',
          changes: [{ variable: 'rate', from: 1, to: 2 }],
        },
        { sequence: stepOne.length + 3, type: 'run-resumed', wallTime, step: 1 },
      ];
      await store.appendBoundary(runId, boundary);
      stepTwo = largeStep(stepOne.length + boundary.length + 1, 2, 1_200);
      await store.appendStep(runId, 2, { events: stepTwo });
      written.push(...stepOne, ...boundary, ...stepTwo);
    });
    afterAll(() => close(store));

    it('pages through every event exactly, from any sequence, across chunk edges', async () => {
      const all: RunEvent[] = [];
      for (let after = 0; ; ) {
        const page = await store.eventsAfter(runId, after, 1000);
        all.push(...page);
        if (page.length < 1000) break;
        after = page.at(-1)!.sequence;
      }
      expect(texts(all)).toEqual(texts(written));
      for (const after of [0, 1, 999, 1000, 1001, 2345, written.length - 2])
        expect(sequences(await store.eventsAfter(runId, after, 3))).toEqual(
          sequences(written.slice(after, after + 3)),
        );
      expect(texts(await store.eventsAfter(runId, 1500, 1))).toEqual(texts([written[1500]!]));
      expect(await store.eventsAfter(runId, written.length, 10)).toEqual([]);
      expect(texts(await store.eventsAfter(runId, 0, 100_000))).toEqual(texts(written));
    });

    it('filters by type and step inside chunks, page by page', async () => {
      const messages = written.filter((event) => event.type === 'message-sent');
      const after = 500;
      expect(texts(await store.eventsAfter(runId, after, 7, { types: ['message-sent'] }))).toEqual(
        texts(messages.filter((event) => event.sequence > after).slice(0, 7)),
      );
      const failures = await store.eventsAfter(runId, 0, 1000, { types: ['agent-failed'], fromStep: 2 });
      expect(texts(failures)).toEqual(texts(stepTwo.filter((event) => event.type === 'agent-failed')));
      expect(
        (await store.eventsAfter(runId, 0, 1000, { types: ['beliefs-changed'] })).map(
          (event) => (event as { step?: number }).step,
        ),
      ).toEqual([1, 2]);
      expect(
        (await store.eventsAfter(runId, 0, 1000, { types: ['step-completed'], toStep: 1 })).map(
          (event) => (event as { step?: number }).step,
        ),
      ).toEqual([1]);
      // A page of a frequent type ends where the limit says, in the middle of a chunk.
      const acted = await store.eventsAfter(runId, 0, 1500, { types: ['agent-acted', 'step-started'] });
      expect(texts(acted)).toEqual(
        texts(
          written
            .filter((event) => event.type === 'agent-acted' || event.type === 'step-started')
            .slice(0, 1500),
        ),
      );
    });

    it('reads steps with their boundary events, trims after the last step, and forks whole', async () => {
      const firstStepLength = written.findIndex((event) => event.type === 'run-paused');
      expect(texts(await store.eventsOfSteps(runId, 1, 1))).toEqual(texts(written.slice(0, firstStepLength)));
      expect(texts(await store.eventsOfSteps(runId, 2, 2))).toEqual(texts(written.slice(firstStepLength)));
      const [step2] = await store.listSteps(runId, { fromStep: 2, toStep: 2 });
      expect(step2?.deltas[0]).toEqual({ variable: 'rate', from: 1, to: 2 });

      const parent = (await store.getRun(runId))!;
      const child = await store.createRun({
        workspaceId: parent.workspaceId,
        scenarioId: parent.scenarioId,
        scenarioVersion: parent.scenarioVersion,
        seed: 1,
        totalSteps: 3,
        parentRunId: runId,
        forkStep: 1,
      });
      await store.copyRunPrefix(runId, child.id, 1);
      expect(texts(await store.eventsAfter(child.id, 0, 100_000))).toEqual(
        texts(written.slice(0, firstStepLength)),
      );
      const completed = written[firstStepLength - 1] as RunEventOf<'step-completed'>;
      expect((await store.getRun(child.id))?.totals).toMatchObject({
        events: firstStepLength,
        actions: completed.actions.withdraw,
        failures: completed.failures,
      });

      await store.finishRun(runId, {
        events: [{ sequence: written.length + 1, type: 'run-stopped', wallTime, step: 2, reason: 'x' }],
        status: 'stopped',
        outcome: 'stopped',
        reason: 'x',
      });
      expect((await store.eventsAfter(runId, written.length - 1, 5)).map((event) => event.type)).toEqual([
        'step-completed',
        'run-stopped',
      ]);
      expect(await store.reopenRun(runId)).toMatchObject({ lastStep: 2, lastSequence: written.length });
      expect(texts(await store.eventsAfter(runId, 0, 100_000))).toEqual(texts(written));
    });
  });
}
