import { describe, expect, it } from 'vitest';
import type { Decision } from '../agents/brain';
import { parseScenario } from '../scenario/scenario-loader';
import { createEngine } from './engine';
import type { RunEvent, RunEventOf } from './run-events';

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

/** One prize, three claimants; `min_interval: 1` puts every first activation in one window. */
function onePrize(mode: 'rounds' | 'events', seed: number) {
  return parseScenario(`
name: One prize
seed: ${seed}
clock: { steps: 3, mode: ${mode}, heartbeat: 1, min_interval: 1 }
variables:
  prize_left: { type: int, default: 1, min: 0, max: 1 }
agent_variables:
  prizes: { type: int, default: 0, min: 0 }
actions:
  - name: claim
    description: Claim the single prize.
    available: prize_left > 0
    effects:
      prize_left: prize_left - 1
      self.prizes: self.prizes + 1
agents:
  - { id: a, role: claimant, brain: greedy }
  - { id: b, role: claimant, brain: greedy }
  - { id: c, role: claimant, brain: greedy }
metrics:
  claimed: sum(agents.map(x, x.prizes))
`);
}

const claim: Decision = { calls: [{ tool: 'claim', arguments: {} }], rationale: 'mine', source: 'scripted' };

/**
 * Every agent claims the prize whenever it acts; decisions finish in the reverse of agent order
 * (c first, a last), so completion order is the opposite of the resolution order.
 */
async function race(mode: 'rounds' | 'events', seed: number) {
  const delays: Record<string, number> = { a: 30, b: 15, c: 1 };
  const run = createEngine({
    brainFor: (agent) => ({
      name: 'greedy',
      decide: async () => {
        await new Promise((resolve) => setTimeout(resolve, delays[agent.spec.id]));
        return claim;
      },
    }),
  }).createRun(onePrize(mode, seed));
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  const result = await run.start();
  expect(result.status).toBe('completed');
  const claims = ofType(events, 'agent-acted').filter((event) => event.tool === 'claim');
  const rejected = ofType(events, 'agent-failed').filter((event) => event.tool === 'claim');
  const metrics = ofType(events, 'step-completed').map((event) => event.metrics.claimed ?? Number.NaN);
  const strip = events.map(({ wallTime, ...rest }) => JSON.stringify(rest));
  return { claims, rejected, metrics, strip };
}

describe('a one-shot action under the event clock', () => {
  for (const mode of ['rounds', 'events'] as const) {
    it(`has one winner and rejects the others (${mode} clock)`, async () => {
      for (const seed of [1, 2, 3, 4]) {
        const { claims, rejected, metrics } = await race(mode, seed);
        expect(claims).toHaveLength(1);
        // Never more than one prize out, and it is out by the end.
        expect(Math.max(...metrics)).toBe(1);
        expect(metrics.at(-1)).toBe(1);
        // The two others lost the race in the winner's own step: the normal rejection, not a second prize.
        const winner = claims[0]!;
        const losers = rejected.filter((event) => event.step === winner.step);
        expect(losers.map((event) => event.agentId).sort()).toEqual(
          ['a', 'b', 'c'].filter((id) => id !== winner.agentId),
        );
        for (const loser of rejected) {
          expect(loser.reason).toBe('invalid-action');
          expect(loser.message).toMatch(/claim is not available to [abc] now|"claim" is not available/);
        }
      }
    });
  }

  it('gives the prize to the earliest activation, the same for the same seed', async () => {
    const winners: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const first = await race('events', seed);
      const again = await race('events', seed);
      expect(again.strip).toEqual(first.strip);
      const winner = first.claims[0]!;
      // Nothing is resolved before the winner's time: every loser of the same window comes later.
      for (const loser of first.rejected.filter((event) => event.step === winner.step))
        expect(loser.sequence).toBeGreaterThan(winner.sequence);
      winners.push(winner.agentId);
    }
    // The winner is the seeded first activation, not whoever answers first (c always answers first).
    expect(new Set(winners).size).toBeGreaterThan(1);
  });

  it('stays atomic and seed-determined when many agents race every step and replies arrive in any order', async () => {
    // A prize that comes back every step, twelve claimants, windows of 0.1: races in many windows.
    const scenario = (seed: number) => {
      const base = onePrize('events', seed);
      const template = base.agents[0]!;
      return {
        ...base,
        clock: { ...base.clock, steps: 6, minInterval: 0.1 },
        dynamics: [{ set: 'prize_left', to: '1' }],
        agents: Array.from({ length: 12 }, (_, index) => ({
          ...template,
          id: `claimant-${index}`,
          index,
        })),
      };
    };
    const jittered = async (seed: number) => {
      const run = createEngine({
        brainFor: () => ({
          name: 'greedy',
          // Real, unseeded jitter: completion order differs from run to run.
          decide: () =>
            new Promise<Decision>((resolve) => setTimeout(() => resolve(claim), Math.random() * 8)),
        }),
      }).createRun(scenario(seed));
      const events: RunEvent[] = [];
      run.subscribe((event) => events.push(event));
      await run.start();
      return events;
    };
    for (const seed of [3, 4]) {
      const first = await jittered(seed);
      const again = await jittered(seed);
      const strip = (events: RunEvent[]) => events.map(({ wallTime, ...rest }) => JSON.stringify(rest));
      expect(strip(again)).toEqual(strip(first));
      const claims = ofType(first, 'agent-acted').filter((event) => event.tool === 'claim');
      // One winner per step: the prize is back at each step's start and taken once.
      expect(claims.map((event) => event.step)).toEqual([1, 2, 3, 4, 5, 6]);
      const rejected = ofType(first, 'agent-failed').filter((event) => event.tool === 'claim');
      expect(rejected.length).toBeGreaterThan(6);
      expect(rejected.every((event) => event.reason === 'invalid-action')).toBe(true);
    }
  });
});
