import { describe, expect, it } from 'vitest';
import { tinyWorldYaml } from '../__fixtures__/tiny-world';
import { parseScenario } from '../scenario/scenario-loader';
import { createEngine } from './engine';
import type { RunEvent, RunEventOf } from './run-events';

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

function eventWorld(options: {
  heartbeat: number;
  minInterval?: number;
  agents?: number;
  steps?: number;
  seed?: number;
}) {
  const yaml = tinyWorldYaml({ agents: options.agents ?? 6, steps: options.steps ?? 6 }).replace(
    /clock: \{ steps: (\d+) \}/,
    `clock: { steps: $1, mode: events, heartbeat: ${options.heartbeat}, min_interval: ${options.minInterval ?? 0.25} }`,
  );
  return parseScenario(yaml, options.seed === undefined ? {} : { seed: options.seed });
}

async function runOf(
  scenario: ReturnType<typeof eventWorld>,
  before?: (run: ReturnType<ReturnType<typeof createEngine>['createRun']>) => void,
) {
  const run = createEngine().createRun(scenario);
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  before?.(run);
  const result = await run.start();
  return { run, events, result };
}

describe('event-driven clock', () => {
  it('is deterministic from its seed, and a different seed gives a different run', async () => {
    const strip = (events: RunEvent[]) => events.map(({ wallTime, ...rest }) => JSON.stringify(rest));
    const first = await runOf(eventWorld({ heartbeat: 1 }));
    const again = await runOf(eventWorld({ heartbeat: 1 }));
    const other = await runOf(eventWorld({ heartbeat: 1, seed: 99 }));
    expect(first.result.status).toBe('completed');
    expect(strip(again.events)).toEqual(strip(first.events));
    expect(strip(other.events)).not.toEqual(strip(first.events));
  });

  it('acts agents in time order within a step, never twice within min_interval, at least every heartbeat', async () => {
    const { events } = await runOf(eventWorld({ heartbeat: 1, minInterval: 0.25, steps: 8 }));
    const acted = ofType(events, 'agent-acted').filter((event) => event.tool !== 'post_to_room');
    expect(acted.every((event) => typeof event.time === 'number')).toBe(true);
    for (const step of new Set(acted.map((event) => event.step))) {
      const times = acted.filter((event) => event.step === step).map((event) => event.time as number);
      expect(times.every((time) => time >= step - 1 && time < step)).toBe(true);
    }
    const byAgent = new Map<string, number[]>();
    for (const event of acted)
      byAgent.set(event.agentId, [...(byAgent.get(event.agentId) ?? []), event.time as number]);
    for (const times of byAgent.values()) {
      const distinct = [...new Set(times)].sort((a, b) => a - b);
      for (let index = 1; index < distinct.length; index++) {
        expect(distinct[index]! - distinct[index - 1]!).toBeGreaterThanOrEqual(0.25 - 1e-9);
      }
      // Agents in a shared room keep hearing each other, so they act more often than the heartbeat.
      expect(distinct.length).toBeGreaterThanOrEqual(7);
    }
  });

  it('wakes only the agents something reaches when there is no heartbeat', async () => {
    const scenario = eventWorld({ heartbeat: 0, steps: 4 });
    scenario.rooms = [];
    for (const agent of scenario.agents) agent.traits = { ...agent.traits, sociability: 0 };
    const { events } = await runOf(scenario, (run) => {
      run.subscribe((event) => {
        if (event.type === 'step-completed' && event.step === 2)
          run.injectMessage({ to: 'agent-0003', text: 'wake up' });
      });
    });
    const acted = ofType(events, 'agent-acted');
    // Everyone acts once at its first activation in step 1, then nothing reaches anyone…
    expect(new Set(acted.filter((event) => event.step === 1).map((event) => event.agentId)).size).toBe(6);
    expect(acted.filter((event) => event.step === 2)).toEqual([]);
    // …until the operator's message reaches agent-0003, who alone reacts in step 3.
    expect(acted.filter((event) => event.step >= 3).map((event) => event.agentId)).toEqual(['agent-0003']);
  });
});
