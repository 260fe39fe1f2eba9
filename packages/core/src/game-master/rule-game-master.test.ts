import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import { type RunEvent, type RunEventOf, wallClockFields } from '../engine/run-events';
import type { ChatRouter } from '../model/run-recording';
import { parseScenario } from '../scenario/scenario-loader';
import { gameMasterFor } from './create-game-master';
import type { GameMasterDefinitionInput } from './game-master-schema';
import { ModelGameMaster } from './model-game-master';
import { RuleGameMaster } from './rule-game-master';

const spenders = parseScenario(
  `
name: Spenders
seed: 5
clock: { steps: 4 }
variables:
  tension: { type: float, default: 0.9, min: 0, max: 1 }
agent_variables:
  economic_strength: { type: float, default: 1000, min: 0 }
actions:
  - name: spend
    description: Spend big on the military.
    effects:
      self.economic_strength: self.economic_strength - 600.0
      tension: tension + 0.1
    utility: "1"
agents:
  - { id: agent-a, name: Agent A, role: player, traits: { activity: 1, sociability: 0 } }
  - { id: agent-b, name: Agent B, role: player, traits: { activity: 1, sociability: 0 }, variables: { economic_strength: 5000 } }
events:
  - { step: 2, type: border_clash, description: Soldiers clash at the border. }
`,
  { file: 'spenders.yaml' },
);

const definition: GameMasterDefinitionInput = {
  brain: 'gemini/gemini-1.5-flash',
  system_prompt: 'You are the game master.',
  simulation_plan: 'Let them spend.',
};

async function run(scenario = spenders) {
  const engine = createEngine({ gameMaster: (loaded) => gameMasterFor(loaded, { definition }) });
  const events: RunEvent[] = [];
  const created = engine.createRun(scenario);
  created.subscribe((event) => events.push(event));
  const result = await created.start();
  return { result, events };
}

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

function strip(events: RunEvent[]): string[] {
  return events.map((event) => {
    const copy: Record<string, unknown> = { ...event };
    for (const field of wallClockFields) delete copy[field];
    return JSON.stringify(copy);
  });
}

describe('gameMasterFor', () => {
  const router = (targets: string[]): ChatRouter => ({
    hasTarget: (target) => targets.includes(target),
    chat: () => Promise.reject(new Error('not called')),
  });

  it('chooses the model game master when the router serves the brain, the rule one otherwise', () => {
    expect(gameMasterFor(spenders)).toBeUndefined();
    expect(
      gameMasterFor(spenders, { definition, router: router(['gemini/gemini-1.5-flash']) }),
    ).toBeInstanceOf(ModelGameMaster);
    expect(gameMasterFor(spenders, { definition, router: router(['smart']) })).toBeInstanceOf(RuleGameMaster);
    expect(gameMasterFor(spenders, { definition })).toBeInstanceOf(RuleGameMaster);
    expect(
      gameMasterFor(spenders, { definition: { ...definition, brain: 'rules' }, router: router(['rules']) }),
    ).toBeInstanceOf(RuleGameMaster);
  });

  it('refuses to run without a model when rules_fallback is false', () => {
    expect(() => gameMasterFor(spenders, { definition: { ...definition, rules_fallback: false } })).toThrow(
      expect.objectContaining({ code: 'GAME_MASTER_UNAVAILABLE', category: 'user' }),
    );
    expect(() => gameMasterFor(spenders, { definition: { ...definition, system_prompt: '' } })).toThrow(
      /game_master\.system_prompt/,
    );
  });
});

describe('RuleGameMaster', () => {
  it('rules every step without changing anything the scenario does not', async () => {
    const { result, events } = await run();
    expect(result.status).toBe('completed');
    expect(ofType(events, 'state-changed').filter((event) => event.cause === 'game-master')).toEqual([]);
    const reasoning = ofType(events, 'game-master-reasoned');
    expect(reasoning.map((event) => event.gameMaster)).toEqual(['rules', 'rules', 'rules', 'rules']);
    expect(reasoning[0]?.reasoning).toMatch(
      /^Rule-based game master \(no model router was given for brain "gemini\/gemini-1\.5-flash"\)/,
    );
    expect(reasoning[0]?.reasoning).toContain('Step 1: Agent A spend(); Agent B spend().');
    expect(reasoning[0]?.reasoning).toContain(
      'Moved: Global tension 0.9 → 1 (+0.1); Agent A economic_strength 1000 → 400 (-600)',
    );
    expect(reasoning[0]?.reasoning).toContain('Constraint hits: Global tension attempted 1.1, clamped to 1.');
    expect(reasoning[1]?.reasoning).not.toContain('Rule-based game master');
    expect(reasoning[1]?.reasoning).toContain(
      'Constraint hits: Agent A economic_strength attempted -200, clamped to 0; Global tension attempted 1.1, clamped to 1.',
    );
    expect(reasoning[1]?.reasoning).toContain(
      'Events: border_clash — Soldiers clash at the border. No state updates',
    );
  });

  it('writes each agent a message from its action, changes, hits and variables', async () => {
    const { events } = await run();
    const messages = ofType(events, 'message-sent').filter((event) => event.from === 'game-master');
    expect(messages).toHaveLength(8);
    const stepTwo = messages.find((event) => event.step === 2 && event.to === 'agent-a')?.text ?? '';
    expect(stepTwo).toContain('Step 2 report for Agent A. You: spend().');
    expect(stepTwo).toContain('Changes to you: economic_strength 400 → 0 (-400).');
    expect(stepTwo).toContain('Your economic strength is at its minimum (0): it cannot go lower.');
    expect(stepTwo).toContain('Event: border_clash — Soldiers clash at the border.');
    expect(stepTwo).toContain('Limits reached: tension is at its maximum (1).');
    expect(stepTwo).toContain('Your position: economic_strength 0.');
    const other = messages.find((event) => event.step === 2 && event.to === 'agent-b')?.text ?? '';
    expect(other).not.toContain('minimum');
  });

  it('narrates each fired event and is deterministic', async () => {
    const first = await run();
    const narrative = ofType(first.events, 'event-fired').filter((event) => event.source === 'game-master');
    expect(narrative).toEqual([
      expect.objectContaining({
        step: 2,
        eventType: 'border_clash',
        description: 'In the wake of border_clash: Soldiers clash at the border. World now: tension 1.',
      }),
    ]);
    const second = await run();
    expect(strip(second.events)).toEqual(strip(first.events));
  });
});
