import { createEngine, type RunEvent } from '@sandtable/core';
import { smallRumourScenario } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beliefPositionsAt, beliefSeriesOf } from './belief-history';
import { openStore } from './open-store';
import type { Store } from './store-types';
import type { RunFactory } from './stored-run';
import { createStoredRun, persistRun, resumeRun } from './stored-run';

/** A small rumour on a social feed: rule agents only, beliefs on two topics. */
const rumour = smallRumourScenario({ seed: 4, steps: 9, residents: 10 });

const rulesOnly: RunFactory = ({ scenario, record }) =>
  createEngine().createRun(scenario, { runId: record.id });

const strip = (events: readonly RunEvent[]) =>
  events.map(({ wallTime: _wallTime, ...rest }) => JSON.stringify(rest));

describe('belief history in the store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ url: 'memory:' });
  });
  afterAll(() => store.close());

  it('resumes a run with beliefs exactly: same events, same positions at every step', async () => {
    const straight = await createStoredRun(store, { source: rumour });
    await (await persistRun(store, straight.record.id, { createRun: rulesOnly })).persistence.start();

    const { record } = await createStoredRun(store, { source: rumour });
    const persisted = await persistRun(store, record.id, { createRun: rulesOnly });
    let checkpointed: Promise<void> | undefined;
    persisted.persistence.subscribe((batch) => {
      if (batch.step === 4) checkpointed = persisted.persistence.checkpoint();
    });
    expect(await persisted.persistence.start()).toMatchObject({ checkpointed: true });
    await checkpointed;
    expect(await store.getRun(record.id)).toMatchObject({ lastStep: 4 });
    const resumed = await resumeRun(store, record.id, { createRun: rulesOnly });
    expect((await resumed.persistence.start()).status).toBe('completed');

    const events = await store.eventsAfter(record.id, 0, 100_000);
    expect(strip(events)).toEqual(strip(await store.eventsAfter(straight.record.id, 0, 100_000)));
    expect(events.filter((event) => event.type === 'beliefs-changed').length).toBeGreaterThan(1);
    for (let step = 1; step <= 9; step++) {
      const again = await beliefPositionsAt(store, record.id, step);
      expect(again).toEqual(await beliefPositionsAt(store, straight.record.id, step));
      expect(again.agents).toHaveLength(12);
    }
    const series = await beliefSeriesOf(store, record.id, 'gossip-0001', { topic: 'rumour' });
    expect(series.topics).toEqual(['rumour']);
    expect(series.points[0]).toMatchObject({ step: 1 });
  });
});
