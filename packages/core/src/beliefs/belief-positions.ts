import type { BeliefStore } from './belief-store';

/**
 * Per-agent belief positions over time, kept small: the engine emits a `beliefs-changed` event
 * at the end of a step only for the (agent, topic) positions whose rounded value changed since the
 * previous one (the run's first carries every position), and the positions after step N are the
 * fold of those events up to N.
 */

/** Decimals positions are rounded to in `beliefs-changed` events. */
export const beliefPositionDecimals = 4;

/** Agent id → topic → position in [-1, 1], rounded to {@link beliefPositionDecimals}. */
export type BeliefPositions = Record<string, Record<string, number>>;

const scale = 10 ** beliefPositionDecimals;

/** A position rounded to {@link beliefPositionDecimals} decimals (never −0). */
export function roundBeliefPosition(position: number): number {
  // `+ 0` turns −0 (a tiny negative rounded away) into 0, so equal positions compare equal.
  return Math.round(position * scale) / scale + 0;
}

/**
 * Remembers the positions last reported and answers what changed since, in agent order and
 * topic definition order (so the result, and the event made of it, is deterministic).
 *
 * @example
 * const log = new BeliefPositionLog();
 * const first = log.changes(store); // every agent's every position
 * const later = log.changes(store); // undefined when nothing moved by ≥ 0.00005
 */
export class BeliefPositionLog {
  private readonly reported = new Map<string, Map<string, number>>();

  /** The positions whose rounded value changed since the last call; undefined when none did. */
  changes(store: BeliefStore): BeliefPositions | undefined {
    let changed: BeliefPositions | undefined;
    for (const agentId of store.agentIds()) {
      const beliefs = store.beliefsOf(agentId);
      if (!beliefs) continue;
      let known = this.reported.get(agentId);
      if (!known) {
        known = new Map();
        this.reported.set(agentId, known);
      }
      for (const topic of store.topics()) {
        const position = beliefs.positions.get(topic);
        if (position === undefined) continue;
        const rounded = roundBeliefPosition(position);
        if (known.get(topic) === rounded) continue;
        known.set(topic, rounded);
        changed ??= {};
        changed[agentId] ??= {};
        changed[agentId][topic] = rounded;
      }
    }
    return changed;
  }
}

/** What folding needs of a `beliefs-changed` event. */
export interface BeliefPositionChange {
  step: number;
  positions: BeliefPositions;
}

/**
 * The positions after step `step`, folded from `beliefs-changed` payloads in sequence order
 * (later ones override earlier ones; those after `step` are ignored). Agents and topics keep the
 * order they first appeared in.
 */
export function foldBeliefPositions(changes: Iterable<BeliefPositionChange>, step: number): BeliefPositions {
  const positions: BeliefPositions = {};
  for (const change of changes) {
    if (change.step > step) continue;
    for (const [agentId, topics] of Object.entries(change.positions)) {
      positions[agentId] = { ...positions[agentId], ...topics };
    }
  }
  return positions;
}
