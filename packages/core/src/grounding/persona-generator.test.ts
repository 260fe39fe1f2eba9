import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/scenario-loader';
import { DataDefinition, PersonasDefinition } from './grounding-schema';
import { generatePersonas } from './persona-generator';
import { type BuiltWorld, buildWorld } from './world-builder';
import type { WorldSnapshot } from './world-snapshot';

const examples = fileURLToPath(new URL('../../../../scenarios/examples/', import.meta.url));

describe('persona generator', () => {
  let snapshot: WorldSnapshot;
  let world: BuiltWorld;

  beforeAll(async () => {
    world = await buildWorld({ baseDirectory: examples, data: DataDefinition.parse({ files: ['company'] }) });
    snapshot = world.snapshot;
  });

  const generate = (category: string, settings: Record<string, unknown> = {}, seed = 1) =>
    generatePersonas(snapshot, {
      category,
      seed,
      settings: PersonasDefinition.parse(settings),
      takenIds: new Set(),
    });

  it('allocates roles by category: a commodity shock brings a trader and finance, a regulatory one a regulator', () => {
    const roles = (category: string) => generate(category).map((persona) => persona.definition.role);
    expect(roles('commodity')).toEqual([
      'supplier',
      'supplier',
      'supplier',
      'procurement',
      'commodity',
      'financial',
      'customer',
      'customer',
    ]);
    expect(roles('regulatory')).toEqual([
      'regulatory',
      'procurement',
      'financial',
      'supplier',
      'supplier',
      'supplier',
      'public',
    ]);
    expect(roles('unknown-category')).toEqual(roles('custom'));
  });

  it('draws traits, thresholds and relationships from the data, the same for the same seed', () => {
    const personas = generate('commodity');
    const gold = personas.find((persona) => persona.definition.name === 'Gold Coast Beans Ltd');
    const andes = personas.find((persona) => persona.definition.name === 'Andes Cocoa Cooperative');
    // More reliable suppliers cooperate more; the price floor sits just under the contract price.
    expect(andes?.definition.traits.cooperation).toBeGreaterThan(gold?.definition.traits.cooperation ?? 1);
    expect(andes?.thresholds.price_floor).toBeGreaterThan(7_500);
    expect(andes?.thresholds.price_floor).toBeLessThan(7_950);
    const procurement = personas.find((persona) => persona.definition.role === 'procurement');
    expect(
      procurement?.relationships.filter((relationship) => relationship.kind === 'buys-from'),
    ).toHaveLength(3);
    expect(generate('commodity', {}, 1)).toEqual(personas);
    expect(generate('commodity', {}, 2)).not.toEqual(personas);
  });

  it('caps and overrides roles from the scenario', () => {
    const personas = generate('commodity', {
      brain: 'fast',
      roles: { supplier: { count: 1, brain: 'smart' }, customer: { count: 0 }, auditor: {} },
    });
    expect(personas.map((persona) => [persona.definition.role, persona.definition.brain])).toEqual([
      ['supplier', 'smart'],
      ['procurement', 'fast'],
      ['commodity', 'fast'],
      ['financial', 'fast'],
      ['auditor', 'fast'],
    ]);
    // The largest supplier is kept when the count is capped.
    expect(personas[0]?.definition.name).toBe('Rio Cane Exporters');
  });

  it('samples a population of 5,000 consumers from the given distributions', () => {
    const scenario = parseScenario(
      `
name: Consumers
category: market
seed: 5
clock: { steps: 1 }
agents:
  - { id: analyst, role: financial }
personas:
  roles: { customer: { count: 0 }, supplier: { count: 0 } }
  population: { count: 5000, variables: { weekly_spend: { mean: 40, sd: 10 } } }
`,
      { grounding: { world, passagesPerObservation: 0 } },
    );
    const consumers = scenario.agents.filter((agent) => agent.role === 'consumer');
    expect(consumers).toHaveLength(5_000);
    expect(new Set(consumers.map((agent) => agent.name)).size).toBe(5_000);
    const spend = consumers.map((agent) => agent.variables.weekly_spend as number);
    const mean = spend.reduce((sum, value) => sum + value, 0) / spend.length;
    const sd = Math.sqrt(spend.reduce((sum, value) => sum + (value - mean) ** 2, 0) / spend.length);
    expect(mean).toBeGreaterThan(39.5);
    expect(mean).toBeLessThan(40.5);
    expect(sd).toBeGreaterThan(9.5);
    expect(sd).toBeLessThan(10.5);
    expect(scenario.agents.map((agent) => agent.role)).toEqual(
      expect.arrayContaining(['financial', 'commodity']),
    );
  });
});
