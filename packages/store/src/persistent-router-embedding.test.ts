import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddingTier, ModelRouter, OpenAIProvider, type RunEvent } from '@sandtable/core';
import { SimulatedModelServer, type SimulatedServerOptions } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store';
import { PersistentRouter } from './persistent-router';
import type { Store } from './store-types';
import { createStoredRun, persistRun, restoreRunTo, resumeRun } from './stored-run';
import { engineFactory } from './testing/model-world';

/** "walkout compensation": BM25 prefers the payroll page, embeddings the strike clause. */
const documents: Record<string, string> = {
  'payroll-policy.md':
    '# Overtime compensation\n\nOvertime is paid with the monthly payroll after a manager approves the hours.',
  'supply-agreement.md':
    '# Industrial action\n\nIf a strike or stoppage closes the port, the supplier owes no damages for late delivery while the stoppage lasts; it must notify compensation claims within 5 days.',
  'operations-note.md':
    '# Rotterdam\n\nDockworkers at the harbour have gone on strike before; a picket can shut the quay for weeks, and the damages are claimed later.',
};

const scenarioText = `
name: Resume without the embedding tier
seed: 4
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

function liveRouter(server: SimulatedModelServer, embeddings: boolean): ModelRouter {
  const provider = new OpenAIProvider({ id: 'simulated', baseUrl: server.openaiBaseUrl });
  return new ModelRouter({
    endpoints: [
      { id: 'chat', provider, model: 'simulated-model', maxConcurrency: 2, timeoutMs: 5_000 },
      { id: 'embedder', provider, model: 'simulated-embed', maxConcurrency: 2, timeoutMs: 5_000 },
    ],
    tiers: { fast: ['chat'], ...(embeddings ? { [embeddingTier]: ['embedder'] } : {}) },
  });
}

type AgentActedEvent = Extract<RunEvent, { type: 'agent-acted' }>;
const searches = (events: readonly RunEvent[]) =>
  events
    .filter(
      (event): event is AgentActedEvent => event.type === 'agent-acted' && event.tool === 'search_documents',
    )
    .map((event) => `${event.step} ${event.result.slice(0, 60)}`);
const notices = (events: readonly RunEvent[]) =>
  events.filter((event) => event.type === 'run-notice').map((event) => event.message);

describe('resuming a run that recorded embedding calls, with a configuration without the embedding tier', () => {
  let folder: string;
  let origin: string;
  let store: Store;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sandtable-resume-no-embedding-'));
    for (const [name, text] of Object.entries(documents)) await writeFile(join(folder, name), text);
    origin = join(folder, 'scenario.yaml');
    await writeFile(origin, scenarioText);
    store = await openStore({ url: 'memory:' });
  });

  afterAll(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('re-executes the committed steps from the recorded vectors, then ranks by BM25 with one notice saying why', async () => {
    const server = await SimulatedModelServer.start({ reply: searching });
    const hybrid = liveRouter(server, true);
    const { record } = await createStoredRun(store, { source: scenarioText, origin });
    const interrupted = await persistRun(store, record.id, { createRun: engineFactory(hybrid) });
    interrupted.persistence.subscribe((batch) => {
      if (batch.step === 2) interrupted.run.stop('interrupted');
    });
    await interrupted.persistence.start();
    expect(await store.getRun(record.id)).toMatchObject({ lastStep: 2 });
    hybrid.close();

    // The same server, configured without the embedding tier.
    const chatOnly = liveRouter(server, false);
    const resumed = await resumeRun(store, record.id, { createRun: engineFactory(chatOnly) });
    expect(resumed.router?.recordedOnlyTargets).toEqual([embeddingTier]);
    const result = await resumed.persistence.start();
    chatOnly.close();
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    const events = await store.eventsAfter(record.id, 0, 100_000);
    expect(searches(events)).toEqual([
      expect.stringMatching(/^1 found 3 passages \(supply-agreement\.md § Industrial action;/),
      expect.stringMatching(/^2 found 3 passages \(supply-agreement\.md § Industrial action;/),
      expect.stringMatching(/^3 found 2 passages \(payroll-policy\.md § Overtime compensation;/),
      expect.stringMatching(/^4 found 2 passages \(payroll-policy\.md § Overtime compensation;/),
    ]);
    expect(notices(events)).toEqual([
      'document search: the embedding tier failed at step 3 (PROVIDER_NOT_FOUND); documents are ranked by BM25 alone for the rest of the run',
    ]);
    // The refusal is recorded with the run, naming the cause, so a later restore replays it.
    const refused = (await store.modelCalls(record.id)).filter((call) => call.entry.error);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.entry.error?.message).toContain(
      'this run recorded embedding calls; configure an `embedding` tier',
    );
    const restored = await restoreRunTo(store, record.id, 4, { createRun: engineFactory(undefined) });
    const ending = restored.persistence.start();
    await restored.ready;
    restored.run.stop('inspected');
    expect((await ending).error).toBeUndefined();
    await server.close();
  });

  it('claims the embedding tier only when the recording holds embedding calls', () => {
    const chat = {
      hasTarget: (target: string) => target === 'fast',
      chat: () => Promise.reject(new Error('no')),
    };
    const empty = new PersistentRouter(store, 'none', chat, []);
    expect(empty.hasTarget(embeddingTier)).toBe(false);
    expect(empty.hasTarget('fast')).toBe(true);
    expect(empty.recordedOnlyTargets).toEqual([]);
  });
});
