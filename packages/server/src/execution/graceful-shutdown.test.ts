import type { RunEvent } from '@sandtable/core';
import { openStore, type Store } from '@sandtable/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createTestServer, jsonBody, readJson, waitForRunStatus } from '../test-support';

const scenario = villageScenario({ agents: 20, steps: 40 });

function comparable(events: RunEvent[]): string[] {
  return events.map(({ wallTime: _wallTime, ...rest }) => JSON.stringify(rest));
}

describe('graceful shutdown and resume on start', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ url: 'memory:' });
  });
  afterAll(async () => {
    await store.close();
  });

  it('commits the step in progress, and the next server finishes the run exactly as an uninterrupted one', async () => {
    const first = await createTestServer({ store });
    const run = await readJson(await first.app.request('/api/runs', jsonBody({ scenario, seed: 4 })));
    const paused = await readJson(
      await first.app.request('/api/runs', jsonBody({ scenario, seed: 4, paused: true })),
    );
    await waitForRunStatus(first, paused.id, ['paused']);
    await first.app.request(`/api/runs/${paused.id}/step`, { method: 'POST' });
    // One step, then paused again.
    while (((await store.getRun(paused.id))?.lastStep ?? 0) < 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await waitForRunStatus(first, paused.id, ['paused']);
    // Shut down as soon as the running one has committed a step.
    while (((await store.getRun(run.id))?.lastStep ?? 0) < 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await first.close();

    const interrupted = await store.getRun(run.id);
    expect(interrupted).toMatchObject({ status: 'stopped', reason: 'server shutting down' });
    expect(interrupted?.lastStep).toBeGreaterThan(0);
    expect(interrupted?.lastStep).toBeLessThan(40);
    const stored = await store.eventsAfter(run.id, 0, 100_000);
    expect(stored.at(-2)?.type).toBe('step-completed');
    expect(stored.at(-1)?.type).toBe('run-stopped');

    expect(await store.getRun(paused.id)).toMatchObject({
      status: 'stopped',
      reason: 'server shutting down (run was paused)',
    });
    const second = await createTestServer({ store, resumeInterrupted: true });
    try {
      const resumed = await waitForRunStatus(second, run.id, ['completed', 'failed']);
      expect(resumed).toMatchObject({ status: 'completed', lastStep: 40 });
      // The run the user had paused is live again and still paused.
      expect(await readJson(await second.app.request(`/api/runs/${paused.id}`))).toMatchObject({
        status: 'paused',
        step: 1,
        live: true,
      });
      await second.app.request(`/api/runs/${paused.id}/stop`, jsonBody({}));

      const reference = await readJson(
        await second.app.request('/api/runs', jsonBody({ scenario, seed: 4 })),
      );
      await waitForRunStatus(second, reference.id, ['completed']);
      const events = await store.eventsAfter(run.id, 0, 100_000);
      expect(comparable(events)).toEqual(comparable(await store.eventsAfter(reference.id, 0, 100_000)));
    } finally {
      await second.close();
    }
  });
});
