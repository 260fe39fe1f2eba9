import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import type { RunEvent } from '../engine/run-events';
import { resolveModelSetup } from '../model/model-config';
import type { ModelRouter } from '../model/router';
import type { Scenario } from '../scenario/scenario';
import { parseGroundedScenario } from '../scenario/scenario-loader';
import { personaReplyFromFacts } from '../testing/persona-replies';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import { isPersonaCall, PersonaModelCalls } from './persona-calls';

const examples = fileURLToPath(new URL('../../../../scenarios/examples/', import.meta.url));
// The shipped example company scenario, with its personas written by a model.
const file = join(examples, 'company-world-model-personas.yaml');
const text = readFileSync(join(examples, 'company-world.yaml'), 'utf8').replace(
  /^personas:\n/m,
  'personas:\n  writer: model\n  writer_tier: smart\n',
);

let server: SimulatedModelServer;
let router: ModelRouter;

beforeAll(async () => {
  // Gold Coast Beans Ltd is first given an invented volume, which the validation must feed back.
  server = await SimulatedModelServer.start({
    reply: (request) => personaReplyFromFacts(request, { inventFor: ['Gold Coast Beans Ltd'] }) ?? 'ok',
  });
  const setup = await resolveModelSetup({
    cwd: tmpdir(),
    environment: { SANDTABLE_MODEL_URL: server.openaiBaseUrl, SANDTABLE_MODEL: 'simulated-model' },
    probeTargets: [],
  });
  router = setup.router!;
});

afterAll(async () => {
  router?.close();
  await server?.close();
});

async function runEvents(scenario: Scenario, steps = 4): Promise<string[]> {
  const run = createEngine().createRun({ ...scenario, clock: { ...scenario.clock, steps } });
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  await run.start();
  return events.map(({ wallTime, ...rest }) => JSON.stringify(rest));
}

const generated = (scenario: Scenario) =>
  scenario.agents.filter((agent) => scenario.grounding?.personas.some((persona) => persona.id === agent.id));

describe('personas written by a model when a scenario is loaded (personas.writer: model)', () => {
  let written: Scenario;
  let fromData: Scenario;
  let requestsAfterFirstLoad = 0;
  const live = () => new PersonaModelCalls({ live: router });
  let calls: PersonaModelCalls;

  beforeAll(async () => {
    calls = live();
    written = await parseGroundedScenario(text, { file, personaModels: calls });
    requestsAfterFirstLoad = server.requests().length;
    fromData = await parseGroundedScenario(text.replace('  writer: model\n', ''), { file });
  });

  it('asks the model over HTTP for each persona and repairs a reply that invents a number', () => {
    const personas = written.grounding!.personas;
    expect(personas.length).toBeGreaterThan(4);
    expect(personas.every((persona) => persona.source.endsWith('; written by smart'))).toBe(true);
    expect(
      written.grounding!.warnings.filter((warning) => warning.code === 'WORLD_PERSONA_NOT_WRITTEN'),
    ).toEqual([]);
    // One call per persona, plus the repair round for Gold Coast Beans Ltd.
    expect(requestsAfterFirstLoad).toBe(personas.length + 1);
    const repair = server
      .requests()
      .find((request) => JSON.stringify(request.messages).includes('numbers not in the facts: 999'));
    expect(repair?.messages.at(-1)?.content).toContain('persona: numbers not in the facts: 999');
    const gold = written.agents.find((agent) => agent.name === 'Gold Coast Beans Ltd')!;
    expect(gold.persona).toBe(
      'Gold Coast Beans Ltd is a careful party that keeps its word when ports close.',
    );
    const calls = written.grounding!.personaCalls;
    expect(calls).toHaveLength(personas.length + 1);
    expect(calls.every(isPersonaCall)).toBe(true);
  });

  it('keeps names, volumes, prices and terms of the data; only behaviour changes', () => {
    const before = new Map(generated(fromData).map((agent) => [agent.id, agent]));
    expect(generated(written).map((agent) => agent.id)).toEqual([...before.keys()]);
    for (const agent of generated(written)) {
      const data = before.get(agent.id)!;
      expect(agent.name).toBe(data.name);
      expect(agent.persona).not.toBe(data.persona);
      const { price_floor: writtenFloor, ...rest } = agent.variables;
      const { price_floor: dataFloor, ...dataRest } = data.variables;
      expect(rest).toEqual(dataRest);
      if (typeof dataFloor === 'number' && dataFloor > 0)
        expect(writtenFloor).toBe(Math.round(dataFloor * 0.97));
    }
    const andes = written.grounding!.personas.find((persona) => persona.name === 'Andes Cocoa Cooperative')!;
    expect(andes.thresholds.lead_time_days).toBe(45);
    expect(andes.relationships[0]?.detail).toContain('contract HVF-2026-014');
  });

  it('loads the same scenario again without asking again (one run, several loads)', async () => {
    const again = await parseGroundedScenario(text, { file, personaModels: calls });
    expect(server.requests().length).toBe(requestsAfterFirstLoad);
    expect(again.agents).toEqual(written.agents);
    expect(again.grounding?.personaCalls).toEqual(written.grounding?.personaCalls);
  });

  it('rebuilds the same personas and the same run offline from the recorded calls', async () => {
    const offline = await parseGroundedScenario(text, {
      file,
      personaModels: PersonaModelCalls.recorded(written.grounding!.personaCalls),
    });
    expect(server.requests().length).toBe(requestsAfterFirstLoad);
    expect(offline.agents).toEqual(written.agents);
    expect(offline.grounding?.personas).toEqual(written.grounding?.personas);
    expect(await runEvents(offline)).toEqual(await runEvents(written));
  });

  it('falls back to the personas drawn from the data, with a named warning, when no model is configured', async () => {
    const scenario = await parseGroundedScenario(text, { file });
    expect(generated(scenario)).toEqual(generated(fromData));
    expect(scenario.grounding?.warnings).toContainEqual({
      code: 'WORLD_PERSONA_NOT_WRITTEN',
      file: 'personas',
      message: expect.stringContaining('personas.writer is "model" but no model serves "smart"'),
    });
    const events = await runEvents(scenario, 1);
    expect(events.some((event) => event.includes('WORLD_PERSONA_NOT_WRITTEN'))).toBe(true);
    // A run recorded without persona calls rebuilds the same way (and says the same).
    const replayed = await parseGroundedScenario(text, {
      file,
      personaModels: PersonaModelCalls.recorded([]),
    });
    expect(replayed.agents).toEqual(scenario.agents);
    expect(replayed.grounding?.warnings).toEqual(scenario.grounding?.warnings);
  });

  it('keeps the data-drawn persona of each one the model cannot write, with a warning each', async () => {
    const broken = await SimulatedModelServer.start({ reply: () => '{"persona": "short"}' });
    const setup = await resolveModelSetup({
      cwd: tmpdir(),
      environment: { SANDTABLE_MODEL_URL: broken.openaiBaseUrl, SANDTABLE_MODEL: 'simulated-model' },
      probeTargets: [],
    });
    try {
      const personaModels = new PersonaModelCalls({ live: setup.router! });
      const scenario = await parseGroundedScenario(
        text.replace('writer_tier: smart', 'writer_tier: smart\n  writer_attempts: 2'),
        {
          file,
          personaModels,
        },
      );
      expect(generated(scenario)).toEqual(generated(fromData));
      const warnings = scenario.grounding!.warnings.filter(
        (warning) => warning.code === 'WORLD_PERSONA_NOT_WRITTEN',
      );
      expect(warnings).toHaveLength(scenario.grounding!.personas.length);
      expect(warnings[0]?.message).toMatch(
        /: kept the persona drawn from the data \(PROVIDER_MALFORMED_REPLY: no valid reply after 2 attempts/,
      );
      expect(broken.requests().length).toBe(2 * scenario.grounding!.personas.length);
      // Replayed from its recording, the failure is the same, and so is every warning.
      const replayed = await parseGroundedScenario(
        text.replace('writer_tier: smart', 'writer_tier: smart\n  writer_attempts: 2'),
        { file, personaModels: PersonaModelCalls.recorded(scenario.grounding!.personaCalls) },
      );
      expect(replayed.grounding?.warnings).toEqual(scenario.grounding?.warnings);
      expect(replayed.agents).toEqual(scenario.agents);
    } finally {
      setup.router?.close();
      await broken.close();
    }
  });
});
