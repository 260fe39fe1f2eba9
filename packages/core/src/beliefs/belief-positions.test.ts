import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import type { RunEvent, RunEventOf } from '../engine/run-events';
import { parseScenario } from '../scenario/scenario-loader';
import { smallRumourScenario } from '../testing/rumour-scenario';
import { type BeliefPositions, foldBeliefPositions, roundBeliefPosition } from './belief-positions';
import type { BeliefStore } from './belief-store';

/** A small rumour on a social feed: rule agents post, like and repost, and beliefs move. */
const rumour = smallRumourScenario({ seed: 5, steps: 12, residents: 12, rumourEvent: true });

/** Every position of a belief store, rounded as the events round them. */
function roundedPositions(store: BeliefStore): BeliefPositions {
  const positions: BeliefPositions = {};
  for (const agentId of store.agentIds()) {
    positions[agentId] = {};
    for (const topic of store.topics())
      positions[agentId][topic] = roundBeliefPosition(store.position(agentId, topic) as number);
  }
  return positions;
}

async function recordRun(source: string) {
  const run = createEngine().createRun(parseScenario(source));
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  const truth = new Map<number, BeliefPositions>();
  run.attach({
    afterStep: (step) => {
      if (run.beliefs) truth.set(step, roundedPositions(run.beliefs));
    },
  });
  const result = await run.start();
  return { result, events, truth };
}

const beliefEvents = (events: RunEvent[]) =>
  events.filter((event): event is RunEventOf<'beliefs-changed'> => event.type === 'beliefs-changed');

describe('belief positions per step', () => {
  it('reconstructs every step’s positions from the beliefs-changed events, equal to the belief store’s', async () => {
    const { result, events, truth } = await recordRun(rumour);
    expect(result.status).toBe('completed');
    const changes = beliefEvents(events);
    // The first carries every agent's every position; later ones only what moved.
    expect(changes[0]?.step).toBe(1);
    expect(Object.keys(changes[0]!.positions)).toHaveLength(14);
    for (const topics of Object.values(changes[0]!.positions))
      expect(Object.keys(topics)).toEqual(['rumour', 'fares']);
    const later = changes.slice(1).flatMap((change) => Object.values(change.positions));
    expect(later.length).toBeGreaterThan(0);
    expect(later.reduce((sum, topics) => sum + Object.keys(topics).length, 0)).toBeLessThan(
      (changes.length - 1) * 14 * 2,
    );
    // Beliefs did move during the run, so the check below is not about a constant.
    expect(truth.get(12)).not.toEqual(truth.get(1));
    for (const [step, positions] of truth) expect(foldBeliefPositions(changes, step)).toEqual(positions);
    // One per step at most, just before that step's step-completed.
    for (const change of changes) {
      const index = events.indexOf(change);
      expect(events[index + 1]).toMatchObject({ type: 'step-completed', step: change.step });
    }
  });

  it('reports the same way on the event-driven clock', async () => {
    const { result, events, truth } = await recordRun(
      rumour.replace('clock: { steps: 12 }', 'clock: { steps: 12, mode: events }'),
    );
    expect(result.status).toBe('completed');
    const changes = beliefEvents(events);
    expect(changes[0]?.step).toBe(1);
    expect(truth.get(12)).not.toEqual(truth.get(1));
    for (const [step, positions] of truth) expect(foldBeliefPositions(changes, step)).toEqual(positions);
  });

  it('is deterministic: the same seed gives the same beliefs-changed events', async () => {
    const strip = (event: RunEvent) => ({ ...event, wallTime: '' });
    const first = beliefEvents((await recordRun(rumour)).events).map(strip);
    const again = beliefEvents((await recordRun(rumour)).events).map(strip);
    expect(again).toEqual(first);
  });

  it('emits nothing for a run without beliefs', async () => {
    const withoutBeliefs =
      rumour.slice(0, rumour.indexOf('beliefs:')) + rumour.slice(rumour.indexOf('events:'));
    const { events, result } = await recordRun(withoutBeliefs);
    expect(result.status).toBe('completed');
    expect(beliefEvents(events)).toEqual([]);
  });

  it('rounds to 4 decimals without a negative zero', () => {
    expect(roundBeliefPosition(0.123456)).toBe(0.1235);
    expect(Object.is(roundBeliefPosition(-0.00001), 0)).toBe(true);
  });
});
