import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../engine/engine';
import type { RunEvent, RunEventOf } from '../../engine/run-events';
import type { Scenario } from '../scenario';
import { detectFormat } from './detect-format';
import { normaliseScenarioData } from './normalise-scenario-data';
import { convertScenarioText } from './scenario-conversion';
import { convertSeed003 } from './seed-003-format';

const exampleFile = join(import.meta.dirname, '../../../../../scenarios/examples/seed-003-simulation.json');

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

describe("seed 003's SimulationConfig JSON", () => {
  it('converts onto the native model, naming what it dropped', async () => {
    const text = await readFile(exampleFile, 'utf8');
    expect(detectFormat(JSON.parse(text))).toBe('seed-003');
    const conversion = convertScenarioText(text, { file: exampleFile });
    expect(conversion.format).toBe('seed-003');
    expect(conversion.issues).toEqual([]);
    expect(conversion.notes).toEqual(
      expect.arrayContaining([
        'environments dropped (no native equivalent yet): social, market; agents act through the generic act action and messages.',
        'enrichment dropped (persona enrichment runs outside the engine).',
      ]),
    );
    expect(conversion.text).toContain(
      '#   - environments dropped (no native equivalent yet): social, market;',
    );
    const scenario = conversion.scenario as Scenario;
    expect(scenario.name).toBe('seed-003-simulation');
    expect(scenario.description).toMatch(/^The city of Harwick announces/);
    expect(scenario.goal).toMatch(/^Will public pressure make the health authority reverse/);
    expect(scenario.clock).toMatchObject({ steps: 12, unit: 'round' });
    expect(scenario.execution).toMatchObject({ concurrency: 8, memoryWindow: 20 });
    expect(scenario.agents).toHaveLength(6);
    expect(scenario.agents[1]).toMatchObject({
      id: 'mayor-elena-brandt',
      name: 'Mayor Elena Brandt',
      role: 'person',
      brain: 'fast',
      persona:
        'You are Mayor Elena Brandt. Mayor of Harwick, up for re-election next year. Publicly supportive of the hospital but dependent on regional funding.',
    });
    expect(scenario.variables.strike_called).toMatchObject({ type: 'bool', default: false });
    expect(scenario.variables.authority_budget_gap_musd).toMatchObject({ type: 'float', default: 4.5 });
    expect(scenario.events.map(({ step, type }) => [step, type])).toEqual([
      [3, 'policy_change'],
      [6, 'viral_post'],
      [9, 'metric_change'],
    ]);
    expect(scenario.rooms).toEqual([
      expect.objectContaining({ name: 'feed', members: scenario.agents.map((agent) => agent.id) }),
    ]);
  });

  it('runs with rule agents when no model is configured', async () => {
    const { scenario } = convertScenarioText(await readFile(exampleFile, 'utf8'), { file: exampleFile });
    const run = createEngine().createRun(scenario as Scenario);
    const events: RunEvent[] = [];
    run.subscribe((event) => events.push(event));
    const result = await run.start();
    expect(result.status).toBe('completed');
    expect(ofType(events, 'step-completed')).toHaveLength(12);
    expect(ofType(events, 'run-notice')[0]?.message).toContain('6 agents ask for brain "fast"');
    const acted = ofType(events, 'agent-acted').filter((event) => event.tool === 'act');
    expect(acted.length).toBeGreaterThan(30);
    expect(new Set(acted.map((event) => event.arguments.stance)).size).toBeGreaterThan(1);
    expect(ofType(events, 'event-fired').map((event) => event.step)).toEqual([3, 6, 9]);
    expect(ofType(events, 'message-sent').some((event) => event.room === 'feed')).toBe(true);
  });

  it('reads variables given as a list, renames names expressions cannot use, and reports bad input', () => {
    const { file, notes, issues } = convertSeed003({
      rounds: 4,
      entities: [{ name: 'Bank' }, { name: 'Bank' }],
      variables: [
        { name: 'oil price', value: 80, min: 0 },
        { name: 'mood', value: { calm: true } },
      ],
      scheduled_events: [{ round: 2, content: 'Rates rise', payload: { rate: 5 } }],
    });
    expect(issues).toEqual([]);
    expect(file.agents?.map((agent) => agent.id)).toEqual(['bank', 'bank-2']);
    expect(file.variables).toEqual({
      oil_price: { type: 'float', default: 80, min: 0 },
      mood: { type: 'string', default: '{"calm":true}' },
    });
    expect(file.events).toEqual([{ step: 2, type: 'scheduled', description: 'Rates rise' }]);
    expect(notes).toEqual(
      expect.arrayContaining([
        'variables.oil price: renamed oil_price (expressions need plain names).',
        expect.stringContaining('scheduled_events: fields payload dropped'),
      ]),
    );
    const broken = normaliseScenarioData({ rounds: 0, entities: [] });
    expect(broken.format).toBe('seed-003');
    expect(broken.issues.map((issue) => issue.message)).toEqual([
      'rounds must be a positive whole number',
      'entities must be a non-empty list',
    ]);
  });
});
