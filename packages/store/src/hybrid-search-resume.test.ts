import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddingTier, ModelRouter, OpenAIProvider, type RunEvent } from '@sandtable/core';
import { SimulatedModelServer, type SimulatedServerOptions } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store';
import type { Store } from './store-types';
import { createStoredRun, persistRun, restoreRunTo, resumeRun } from './stored-run';
import { engineFactory } from './testing/model-world';

/** "walkout compensation": BM25 prefers the payroll page, embeddings the strike clause. */
const documents: Record<string, string> = {
  'payroll-policy.md':
    '# Overtime compensation\n\nOvertime is paid with the monthly payroll after a manager approves the hours.\n\n# Holidays\n\nStaff take 25 days of holiday a year.',
  'supply-agreement.md':
    '# Industrial action\n\nIf a strike or stoppage closes the port, the supplier owes no damages for late delivery while the stoppage lasts; it must notify compensation claims within 5 days.\n\n# Prices\n\nThe price per tonne is fixed for the contract year.',
  'operations-note.md':
    '# Rotterdam\n\nDockworkers at the harbour have gone on strike before; a picket can shut the quay for weeks, and the damages are claimed later.',
};

const scenarioText = `
name: Hybrid search resume
seed: 9
clock: { steps: 4 }
documents:
  files: [payroll-policy.md, supply-agreement.md, operations-note.md]
  passages: 1
agents:
  - id: buyer
    role: procurement
    brain: fast
    goals: [{ description: know what a dock strike costs us }]
`;

const searching: SimulatedServerOptions['reply'] = () => ({
  toolCalls: [{ name: 'search_documents', arguments: { query: 'walkout compensation' } }],
});

function liveRouter(server: SimulatedModelServer): ModelRouter {
  const provider = new OpenAIProvider({ id: 'simulated', baseUrl: server.openaiBaseUrl });
  return new ModelRouter({
    endpoints: [
      { id: 'chat', provider, model: 'simulated-model', maxConcurrency: 2, timeoutMs: 5_000 },
      { id: 'embedder', provider, model: 'simulated-embed', maxConcurrency: 2, timeoutMs: 5_000 },
    ],
    tiers: { fast: ['chat'], [embeddingTier]: ['embedder'] },
  });
}

const strip = (events: readonly RunEvent[]) =>
  events.map(({ wallTime: _wallTime, ...rest }) => JSON.stringify(rest));
type AgentActedEvent = Extract<RunEvent, { type: 'agent-acted' }>;

const searches = (events: readonly RunEvent[]) =>
  events
    .filter(
      (event): event is AgentActedEvent => event.type === 'agent-acted' && event.tool === 'search_documents',
    )
    .map((event) => event.result);

describe('a stored run with hybrid document search', () => {
  let folder: string;
  let origin: string;
  let store: Store;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sandtable-hybrid-resume-'));
    for (const [name, text] of Object.entries(documents)) await writeFile(join(folder, name), text);
    origin = join(folder, 'scenario.yaml');
    await writeFile(origin, scenarioText);
    store = await openStore({ url: 'memory:' });
  });

  afterAll(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('restores with the server off and resumes to the record of an uninterrupted run', async () => {
    const first = await SimulatedModelServer.start({ reply: searching });
    const live = liveRouter(first);
    const reference = await createStoredRun(store, { source: scenarioText, origin });
    const straight = await persistRun(store, reference.record.id, { createRun: engineFactory(live) });
    expect((await straight.persistence.start()).status).toBe('completed');
    const referenceEvents = await store.eventsAfter(reference.record.id, 0, 100_000);
    expect(searches(referenceEvents)).toHaveLength(4);
    for (const result of searches(referenceEvents))
      expect(result).toMatch(/\(supply-agreement\.md § Industrial/);
    const embedded = await store.modelCalls(reference.record.id);
    expect(embedded.some((call) => call.target === embeddingTier && call.entry.response?.embeddings)).toBe(
      true,
    );

    const { record } = await createStoredRun(store, { source: scenarioText, origin });
    const interrupted = await persistRun(store, record.id, { createRun: engineFactory(live) });
    interrupted.persistence.subscribe((batch) => {
      if (batch.step === 2) interrupted.run.stop('interrupted');
    });
    await interrupted.persistence.start();
    expect(await store.getRun(record.id)).toMatchObject({ lastStep: 2 });
    live.close();
    await first.close();

    // The server is gone: re-executing the committed steps needs the recorded embeddings only.
    const restored = await restoreRunTo(store, record.id, 2, { createRun: engineFactory(undefined) });
    const ending = restored.persistence.start();
    await restored.ready;
    restored.run.stop('inspected');
    await ending;

    const second = await SimulatedModelServer.start({ reply: searching });
    const resumedRouter = liveRouter(second);
    const resumed = await resumeRun(store, record.id, { createRun: engineFactory(resumedRouter) });
    expect((await resumed.persistence.start()).status).toBe('completed');
    resumedRouter.close();
    expect(strip(await store.eventsAfter(record.id, 0, 100_000))).toEqual(strip(referenceEvents));
    // Only steps 3 and 4 asked the new server: the passages' vectors came from the store.
    const inputs = second.embeddingRequests().map((request) => request.input.length);
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs).not.toContain(5);
    await second.close();
  });
});
