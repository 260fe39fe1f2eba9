import { createRandom } from '../random';
import { consensus, meanPosition, polarization } from './belief-aggregates';
import type { BeliefsDefinition } from './beliefs-schema';
import type { Exposure } from './exposure';
import { boundedConfidenceMove, clamp, updatedConfidence, updatedTrust } from './opinion-dynamics';

/** One agent's belief state (seed 003's `BeliefState`). */
export interface AgentBeliefs {
  /** Topic → position in [-1, 1]. */
  positions: Map<string, number>;
  /** Topic → confidence in [0, 1]. */
  confidence: Map<string, number>;
  /** Other agent id → trust in [0, 1]; agents never met have the initial trust. */
  trust: Map<string, number>;
  /** Content hashes seen, oldest first. */
  history: Set<string>;
}

/** What one exposure did to one agent's beliefs. */
export interface BeliefChange {
  step: number;
  agentId: string;
  topic: string;
  author: string;
  hash: string;
  engagement: Exposure['engagement'];
  position: { from: number; to: number };
  confidence: { from: number; to: number };
  trust: { from: number; to: number };
}

/** Summary of one topic over a population. */
export interface BeliefAggregate {
  topic: string;
  mean: number;
  /** Variance of positions: 0 when all agree, 1 for two equal camps at −1 and +1. */
  polarization: number;
  /** Share of agents within ε of the mean. */
  consensus: number;
  meanConfidence: number;
  agents: number;
}

/** A JSON-safe copy of a store, for persistence and resume. */
export interface BeliefSnapshot {
  agents: Array<{
    id: string;
    positions: Record<string, number>;
    confidence: Record<string, number>;
    trust: Record<string, number>;
    history: string[];
  }>;
}

/** An agent as the store needs it. */
export interface BelievingAgent {
  id: string;
  role: string;
}

/**
 * Every agent's beliefs on every topic of a run, updated from exposures with the bounded-confidence
 * rule (see `opinion-dynamics.ts`):
 *
 * - a `read` of content the agent has already seen (same hash) changes nothing;
 * - content without a stance, by the agent itself, or on an unknown topic only enters the history;
 * - otherwise the position moves toward the stance when |stance − position| < ε, at rate
 *   μ × trust(author) × engagement weight × (1 − damping × confidence); then trust in the author and
 *   confidence are updated from the distance before the move.
 *
 * Initial positions are drawn per (topic, agent) from a seeded normal(mean, spread), clamped to
 * [-1, 1], so they do not depend on agent order or on other topics.
 */
export class BeliefStore {
  private readonly states = new Map<string, AgentBeliefs>();
  private readonly order = new Map<string, number>();
  private readonly topicNames: string[];

  constructor(
    readonly definition: BeliefsDefinition,
    agents: readonly BelievingAgent[],
    seed: number,
  ) {
    this.topicNames = definition.topics.map((topic) => topic.name);
    agents.forEach((agent, index) => {
      this.order.set(agent.id, index);
      const positions = new Map<string, number>();
      const confidence = new Map<string, number>();
      for (const topic of definition.topics) {
        const initial = topic.roles[agent.role] ?? topic.initial;
        const random = createRandom(seed, ['beliefs', topic.name, agent.id]);
        const drawn = initial.spread === 0 ? initial.mean : random.normal(initial.mean, initial.spread);
        positions.set(topic.name, clamp(drawn, -1, 1));
        confidence.set(topic.name, definition.confidence.initial);
      }
      this.states.set(agent.id, { positions, confidence, trust: new Map(), history: new Set() });
    });
  }

  /** Topic names, in definition order. */
  topics(): readonly string[] {
    return this.topicNames;
  }

  /** Ids of the agents holding beliefs, in agent order. */
  agentIds(): string[] {
    return [...this.order.keys()];
  }

  /** An agent's beliefs; undefined for unknown agents. Read-only by convention. */
  beliefsOf(agentId: string): AgentBeliefs | undefined {
    return this.states.get(agentId);
  }

  /** An agent's position on a topic; undefined when either is unknown. */
  position(agentId: string, topic: string): number | undefined {
    return this.states.get(agentId)?.positions.get(topic);
  }

  /** How much `agentId` trusts `other`; the initial trust until they have met. */
  trust(agentId: string, other: string): number {
    return this.states.get(agentId)?.trust.get(other) ?? this.definition.trust.initial;
  }

  /**
   * Sets a position, e.g. from a scenario event or an operator. Values are clamped to [-1, 1].
   * @returns false when the agent or topic is unknown
   */
  setPosition(agentId: string, topic: string, position: number): boolean {
    const state = this.states.get(agentId);
    if (!state?.positions.has(topic) || !Number.isFinite(position)) return false;
    state.positions.set(topic, clamp(position, -1, 1));
    return true;
  }

  /**
   * Applies a step's exposures and returns what changed. Exposures apply grouped by agent in agent
   * order, and in the given order within one agent, so the result never depends on the order in
   * which environments reported them across agents. Exposures of unknown agents are ignored.
   */
  applyExposures(step: number, exposures: readonly Exposure[]): BeliefChange[] {
    const sorted = exposures
      .map((exposure, index) => ({ exposure, index, agent: this.order.get(exposure.agentId) }))
      .filter(
        (entry): entry is { exposure: Exposure; index: number; agent: number } => entry.agent !== undefined,
      )
      .sort((first, second) => first.agent - second.agent || first.index - second.index);
    const changes: BeliefChange[] = [];
    for (const { exposure } of sorted) {
      const change = this.applyOne(step, exposure);
      if (change) changes.push(change);
    }
    return changes;
  }

  private remember(state: AgentBeliefs, hash: string): void {
    state.history.delete(hash);
    state.history.add(hash);
    if (state.history.size > this.definition.history_limit) {
      const oldest = state.history.values().next().value;
      if (oldest !== undefined) state.history.delete(oldest);
    }
  }

  private engagementWeight(exposure: Exposure, stance: number): number {
    const weights = this.definition.engagement;
    switch (exposure.engagement) {
      case 'read':
        return weights.read;
      case 'liked':
        return weights.liked;
      case 'reposted':
        return weights.reposted;
      case 'replied': {
        const reply = exposure.replyStance;
        const against =
          reply !== undefined &&
          (Math.sign(reply) * Math.sign(stance) < 0 || Math.abs(reply - stance) >= this.definition.epsilon);
        return against ? weights.replied_against : weights.replied;
      }
      default: {
        const unreachable: never = exposure.engagement;
        return unreachable;
      }
    }
  }

  private applyOne(step: number, exposure: Exposure): BeliefChange | undefined {
    const state = this.states.get(exposure.agentId);
    if (!state) return undefined;
    if (exposure.engagement === 'read' && state.history.has(exposure.hash)) return undefined;
    this.remember(state, exposure.hash);
    const { stance } = exposure;
    const position = state.positions.get(exposure.topic);
    if (
      position === undefined ||
      stance === undefined ||
      !Number.isFinite(stance) ||
      exposure.author === exposure.agentId
    )
      return undefined;
    const target = clamp(stance, -1, 1);
    const { epsilon, mu } = this.definition;
    const confidence = state.confidence.get(exposure.topic) ?? this.definition.confidence.initial;
    const trust = state.trust.get(exposure.author) ?? this.definition.trust.initial;
    const rate =
      mu *
      trust *
      this.engagementWeight(exposure, target) *
      (1 - this.definition.confidence.damping * confidence);
    const distance = Math.abs(target - position);
    const nextPosition = boundedConfidenceMove(position, target, epsilon, rate);
    const nextTrust = updatedTrust(trust, distance, epsilon, this.definition.trust.learning_rate);
    const nextConfidence = updatedConfidence(
      confidence,
      distance,
      epsilon,
      this.definition.confidence.learning_rate,
    );
    state.positions.set(exposure.topic, nextPosition);
    state.trust.set(exposure.author, nextTrust);
    state.confidence.set(exposure.topic, nextConfidence);
    if (nextPosition === position && nextTrust === trust && nextConfidence === confidence) return undefined;
    return {
      step,
      agentId: exposure.agentId,
      topic: exposure.topic,
      author: exposure.author,
      hash: exposure.hash,
      engagement: exposure.engagement,
      position: { from: position, to: nextPosition },
      confidence: { from: confidence, to: nextConfidence },
      trust: { from: trust, to: nextTrust },
    };
  }

  /** Positions of the given agents (all, in agent order, when left out) on a topic. */
  positions(topic: string, agentIds?: readonly string[]): number[] {
    const ids = agentIds ?? [...this.order.keys()];
    const values: number[] = [];
    for (const id of ids) {
      const value = this.states.get(id)?.positions.get(topic);
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  /** Mean, polarization (variance), consensus (share within ε of the mean) and mean confidence. */
  aggregate(topic: string, agentIds?: readonly string[]): BeliefAggregate {
    const ids = agentIds ?? [...this.order.keys()];
    const positions = this.positions(topic, ids);
    let confidenceSum = 0;
    for (const id of ids) confidenceSum += this.states.get(id)?.confidence.get(topic) ?? 0;
    return {
      topic,
      mean: meanPosition(positions),
      polarization: polarization(positions),
      consensus: consensus(positions, this.definition.epsilon),
      meanConfidence: positions.length > 0 ? confidenceSum / positions.length : 0,
      agents: positions.length,
    };
  }

  /** Per topic: `belief.<topic>.mean`, `.polarization`, `.consensus`, `.confidence`. */
  metrics(agentIds?: readonly string[]): Record<string, number> {
    const values: Record<string, number> = {};
    for (const topic of this.topicNames) {
      const aggregate = this.aggregate(topic, agentIds);
      values[`belief.${topic}.mean`] = aggregate.mean;
      values[`belief.${topic}.polarization`] = aggregate.polarization;
      values[`belief.${topic}.consensus`] = aggregate.consensus;
      values[`belief.${topic}.confidence`] = aggregate.meanConfidence;
    }
    return values;
  }

  /** What an agent knows of its own beliefs, for its observation: topic → position and confidence. */
  viewFor(agentId: string): Record<string, { position: number; confidence: number }> {
    const state = this.states.get(agentId);
    const view: Record<string, { position: number; confidence: number }> = {};
    if (!state) return view;
    for (const topic of this.topicNames) {
      view[topic] = {
        position: round(state.positions.get(topic) ?? 0),
        confidence: round(state.confidence.get(topic) ?? 0),
      };
    }
    return view;
  }

  /** A JSON-safe copy of every agent's beliefs, in agent order. */
  snapshot(): BeliefSnapshot {
    return {
      agents: [...this.states].map(([id, state]) => ({
        id,
        positions: Object.fromEntries(state.positions),
        confidence: Object.fromEntries(state.confidence),
        trust: Object.fromEntries([...state.trust].sort(([first], [second]) => compareText(first, second))),
        history: [...state.history],
      })),
    };
  }

  /** Replaces the beliefs of the agents in a snapshot (for resume); unknown agents are ignored. */
  restore(snapshot: BeliefSnapshot): void {
    for (const saved of snapshot.agents) {
      const state = this.states.get(saved.id);
      if (!state) continue;
      for (const [topic, value] of Object.entries(saved.positions))
        if (state.positions.has(topic)) state.positions.set(topic, value);
      for (const [topic, value] of Object.entries(saved.confidence))
        if (state.confidence.has(topic)) state.confidence.set(topic, value);
      state.trust = new Map(Object.entries(saved.trust));
      state.history = new Set(saved.history);
    }
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function compareText(first: string, second: string): number {
  return first < second ? -1 : first > second ? 1 : 0;
}
