import type { DecisionSource, MessageRecord } from '../engine/run-events';
import type { ToolCallRequest, ToolDefinition } from '../environments/tool';
import type { Recollection } from '../grounding/long-term-memory';
import type { Random } from '../random';
import type { AgentSpec, VariableValue } from '../scenario/scenario';
import type { ConstraintHit } from '../world/world-state';
import type { AgentRuntime } from './agent-runtime';

/**
 * Everything an agent perceives at the start of a step, built from the same pre-step state for
 * every agent. LLM brains render it into a prompt; the rule brain reads it directly.
 */
export interface Observation {
  step: number;
  steps: number;
  unit: string;
  scenario: { name: string; description: string; goal?: string };
  self: Pick<AgentSpec, 'id' | 'name' | 'role' | 'persona' | 'goals' | 'traits'> & {
    variables: Record<string, VariableValue>;
    /** Mood on the circumplex, with a word for it. */
    mood: { valence: number; arousal: number; label: string };
  };
  /** Global variables the agent may see. */
  world: Record<string, VariableValue>;
  inbox: MessageRecord[];
  /** Events fired this step that affect the agent. */
  events: Array<{ type: string; description: string }>;
  /** Last step's clamps and rejections on global variables and on this agent's variables. */
  constraintHits: ConstraintHit[];
  memory: string[];
  tools: ToolDefinition[];
  rooms: string[];
  /** Agents this one knows of and can address: everyone in small worlds, a sample in large ones. */
  contacts: Array<{ id: string; name: string; role: string }>;
  /** Per-environment views (feeds, prices, …), for the environments the agent is a member of. */
  environments: Record<string, Record<string, unknown>>;
  /** One line per event from environments the agent is not in, and scheduled events (the bridge digest). */
  digest: string[];
  /** The agent's beliefs per topic, when the scenario declares beliefs. */
  beliefs: Record<string, { position: number; confidence: number }>;
  /** Older memories recalled for this step (long-term memory), when the agent keeps one. */
  recalled?: Recollection;
}

/** A brain's choice for one step: tool calls, applied in order, and a one-line rationale. */
export interface Decision {
  calls: ToolCallRequest[];
  rationale: string;
  source: DecisionSource;
}

/** What a brain gets besides the observation. */
export interface DecisionContext {
  /** Aborted on timeout, stop or cancel; pass it to every network call. */
  signal: AbortSignal;
  /** Seeded for this (run, step, agent): the same every time the step is replayed. */
  random: Random;
  agent: AgentRuntime;
  /**
   * Restarts the decision's timeout from now. A model brain calls it when its call gets an
   * endpoint slot, so time spent queueing behind other agents for a busy endpoint is not counted.
   */
  restartTimeout?: () => void;
}

/**
 * Decides what an agent does. May return synchronously (the rule brain does, at no scheduling
 * cost) or a promise (model-backed brains). Throwing, rejecting or timing out becomes an
 * `agent-failed` record; the run goes on.
 */
export interface Brain {
  readonly name: string;
  /** True when `decide` never returns a promise; the engine then calls it inline, with no timer. */
  readonly synchronous?: boolean;
  decide(observation: Observation, context: DecisionContext): Decision | Promise<Decision>;
  /**
   * Answers an interviewer's question in character, from what the agent perceives now. Must not
   * change anything: no tool calls, no state, no run randomness. Brains without it get the rule
   * brain's factual answer.
   */
  interview?(observation: Observation, question: string, signal: AbortSignal): string | Promise<string>;
}
