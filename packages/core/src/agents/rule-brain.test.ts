import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import type { RunEvent, RunEventOf } from '../engine/run-events';
import { parseScenario } from '../scenario/scenario-loader';
import type { Observation } from './brain';

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

async function run(yaml: string, observe?: (observation: Observation) => void) {
  const scenario = parseScenario(yaml, { file: 'test.yaml' });
  const engine = createEngine(
    observe
      ? {
          brainFor: (agent, rules) => ({
            name: 'observer',
            synchronous: true,
            decide: (observation, context) => {
              observe(observation);
              return rules.decide(observation, context);
            },
          }),
        }
      : {},
  );
  const instance = engine.createRun(scenario);
  const events: RunEvent[] = [];
  instance.subscribe((event) => events.push(event));
  const result = await instance.start();
  return { result, events };
}

describe('RuleBrain', () => {
  it('lets an action’s utility read an agent parameter as that agent', async () => {
    const { events } = await run(`name: Giving
clock: { steps: 3 }
parameters:
  gift_size: { type: float, default: 2 }
agent_variables:
  coins: { type: float, default: 5 }
actions:
  - name: give
    description: Give a coin.
    parameters: { to: { type: agent } }
    effects: { self.coins: self.coins - 1.0, to.coins: to.coins + 1.0 }
    utility: 'to.role == "receiver" ? 2.0 : -2.0'
    message: Here are {{gift_size}} coins, {{target}}.
agents:
  - { id: giver, role: giver, traits: { activity: 1.0, sociability: 1.0 } }
  - { id: taker, role: receiver, actions: [wait] }
  - { id: bystander, role: bystander, actions: [wait] }
`);
    expect(ofType(events, 'agent-failed')).toEqual([]);
    const gifts = ofType(events, 'agent-acted').filter((event) => event.tool === 'give');
    expect(gifts).toHaveLength(3);
    expect(gifts.every((event) => event.arguments.to === 'taker')).toBe(true);
    const messages = ofType(events, 'message-sent');
    expect(messages.map((message) => [message.from, message.to, message.text])).toContainEqual([
      'giver',
      'taker',
      'Here are 2 coins, taker.',
    ]);
    // An agent whose actions list is [wait] gets no messaging tools either.
    expect(messages.every((message) => message.from === 'giver')).toBe(true);
  });

  it('does not show an agent its hidden (visible: false) variables', async () => {
    const seen: string[][] = [];
    await run(
      `name: Secrets
clock: { steps: 1 }
agent_variables:
  wealth: { type: float, default: 1 }
  true_loyalty: { type: float, default: 0.2, visible: false }
agents:
  - { id: a, role: spy, brain: observer }
`,
      (observation) => seen.push(Object.keys(observation.self.variables)),
    );
    expect(seen).toEqual([['wealth']]);
  });
});
