import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PersonaModelCalls, type RunEvent } from '@sandtable/core';
import { personaReplyFromFacts, SimulatedModelServer } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store';
import type { Store } from './store-types';
import { createStoredRun, forkRun, loadStoredScenario, persistRun, resumeRun } from './stored-run';
import { engineFactory, simulatedRouter } from './testing/model-world';

const examples = join(import.meta.dirname, '..', '..', '..', 'scenarios', 'examples');
// The shipped example company scenario with model-written personas; its data paths resolve from `origin`.
const origin = join(examples, 'company-world-model-personas.yaml');
const source = readFileSync(join(examples, 'company-world.yaml'), 'utf8').replace(
  /^personas:\n/m,
  'personas:\n  writer: model\n',
);

const strip = (events: readonly RunEvent[]) =>
  events.map(({ wallTime: _wallTime, ...rest }) => JSON.stringify(rest));

describe('a stored run with model-written personas', () => {
  let store: Store;
  let server: SimulatedModelServer;
  let personaModels: PersonaModelCalls;

  beforeAll(async () => {
    store = await openStore({ url: 'memory:' });
    server = await SimulatedModelServer.start({
      reply: (request) => personaReplyFromFacts(request, { inventFor: ['Andes Cocoa Cooperative'] }) ?? 'ok',
    });
    personaModels = new PersonaModelCalls({ live: await simulatedRouter(server) });
  });
  afterAll(async () => {
    await store.close();
    await server.close();
  });

  it('stores the persona calls as step 0, and resumes and forks with the same personas offline', async () => {
    const setup = { steps: 6 };
    const reference = await createStoredRun(store, { source, origin, setup, personaModels });
    const personas = reference.scenario.grounding!.personas;
    expect(personas.every((persona) => persona.source.endsWith('; written by smart'))).toBe(true);
    const stored = await store.modelCalls(reference.record.id, { step: 0 });
    // One call per persona and the repair of Andes Cocoa Cooperative's invented volume.
    expect(stored).toHaveLength(personas.length + 1);
    expect(stored.every((call) => call.agentId?.startsWith('persona:'))).toBe(true);
    const straight = await persistRun(store, reference.record.id, { createRun: engineFactory(undefined) });
    expect(straight.scenario.agents).toEqual(reference.scenario.agents);
    expect((await straight.persistence.start()).status).toBe('completed');
    const asked = server.requests().length;

    // The same scenario stored again (one process, one persona setup): nothing is asked again.
    const { record } = await createStoredRun(store, { source, origin, setup, personaModels });
    expect(server.requests().length).toBe(asked);
    const interrupted = await persistRun(store, record.id, { createRun: engineFactory(undefined) });
    interrupted.persistence.subscribe((batch) => {
      if (batch.step === 3) interrupted.run.stop('interrupted');
    });
    expect((await interrupted.persistence.start()).status).toBe('stopped');

    // Resume and fork rebuild the scenario from the store's persona calls: no model is asked.
    await server.close();
    const rebuilt = await loadStoredScenario(store, (await store.getRun(record.id))!);
    expect(rebuilt.agents).toEqual(reference.scenario.agents);
    expect(rebuilt.grounding?.warnings).toEqual(reference.scenario.grounding?.warnings);
    const resumed = await resumeRun(store, record.id, { createRun: engineFactory(undefined) });
    expect((await resumed.persistence.start()).status).toBe('completed');
    const referenceEvents = strip(await store.eventsAfter(reference.record.id, 0, 100_000));
    expect(strip(await store.eventsAfter(record.id, 0, 100_000))).toEqual(referenceEvents);

    const child = await forkRun(store, reference.record.id, { atStep: 2 });
    const forked = await resumeRun(store, child.id, { createRun: engineFactory(undefined) });
    expect(forked.scenario.agents).toEqual(reference.scenario.agents);
    expect((await forked.persistence.start()).status).toBe('completed');
    expect(strip(await store.eventsAfter(child.id, 0, 100_000))).toEqual(referenceEvents);
  });
});
