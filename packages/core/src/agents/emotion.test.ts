import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import type { RunEvent, RunEventOf } from '../engine/run-events';
import { parseScenario } from '../scenario/scenario-loader';
import type { Observation } from './brain';
import { baselineMood, describeMood, relaxMood, shiftMood } from './emotion';

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

const scenario = `name: Moods
clock: { steps: 6 }
agent_variables:
  savings: { type: float, default: 10, min: 0 }
actions:
  - name: spend
    description: Spend savings.
    available: self.savings > 0.0
    effects: { self.savings: self.savings - 6.0 }
agents:
  - { id: spender, role: citizen, brain: watcher, goals: [{ maximize: self.savings }] }
  - { id: bystander, role: citizen, brain: watcher, traits: { optimism: 0.9 }, actions: [wait] }
events:
  - { step: 2, type: flood, description: The river floods the town., affects: [spender], mood: { valence: -0.6, arousal: 0.6 } }
metrics:
  gloom: count(agents.map(a, a.mood.valence < 0.0))
`;

describe('emotional state', () => {
  it('is moved by events, limits and losses, relaxes toward baseline, and is visible to brains and expressions', async () => {
    const seen: Record<string, Observation['self']['mood'][]> = {};
    const engine = createEngine({
      brainFor: () => ({
        name: 'watcher',
        synchronous: true,
        decide: (observation) => {
          const list = seen[observation.self.id] ?? [];
          seen[observation.self.id] = list;
          list.push(observation.self.mood);
          return {
            calls: [
              {
                tool: observation.tools.some((tool) => tool.name === 'spend') ? 'spend' : 'wait',
                arguments: {},
              },
            ],
            rationale: 'test',
            source: 'scripted',
          };
        },
      }),
    });
    const run = engine.createRun(parseScenario(scenario));
    const events: RunEvent[] = [];
    run.subscribe((event) => events.push(event));
    await run.start();
    const spender = seen.spender ?? [];
    const bystander = seen.bystander ?? [];
    // The flood (step 2) hits the spender: its mood at step 2 is already worse than at step 1.
    expect(spender[1]!.valence).toBeLessThan(spender[0]!.valence - 0.4);
    expect(spender[1]!.label).toMatch(/anxious|distressed|downcast|despondent/);
    // Savings hit their minimum at step 2 (10 → 4 → 0): more gloom.
    expect(
      ofType(events, 'constraint-hit').some((hit) => hit.agentId === 'spender' && hit.bound === 'min'),
    ).toBe(true);
    // Once the shocks stop (savings gone, nothing left to lose), the spender's mood recovers.
    expect(spender.at(-1)!.valence).toBeGreaterThan(spender[2]!.valence);
    // The optimistic bystander stays pleasant, unaffected by an event that did not touch it.
    expect(bystander.every((mood) => mood.valence > 0.5)).toBe(true);
    // Mood is in the event log and readable by expressions.
    const completed = ofType(events, 'step-completed');
    expect(completed[1]?.metrics.gloom).toBe(1);
    expect(completed.at(-1)!.mood.valence).toBeGreaterThan(completed[1]!.mood.valence);
  });

  it('relaxes toward the baseline and names the circumplex quadrants', () => {
    const baseline = baselineMood({ optimism: 0.5, excitability: 0.2 });
    const mood = { ...baseline };
    shiftMood(mood, { valence: -0.9, arousal: 0.7 });
    expect(describeMood(mood)).toBe('distressed');
    for (let step = 0; step < 40; step++) relaxMood(mood, baseline);
    expect(mood.valence).toBeCloseTo(baseline.valence, 2);
    expect(describeMood({ valence: 0.7, arousal: 0.2 })).toBe('happy');
    expect(describeMood({ valence: 0.3, arousal: 0.8 })).toBe('excited');
  });
});
