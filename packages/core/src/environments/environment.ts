import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import type { ExpressionScope } from '../engine/expression-scope';
import type { MessageBus } from '../engine/message-bus';
import type { MessageRecord } from '../engine/run-events';
import type { Random } from '../random';
import type { Scenario } from '../scenario/scenario';
import type { ConstraintHit, StateChange, WorldState } from '../world/world-state';
import type { ToolCallRequest, ToolDefinition } from './tool';

/** What an environment may use while it works. */
export interface EnvironmentContext {
  step: number;
  scenario: Scenario;
  world: WorldState;
  scope: ExpressionScope;
  messages: MessageBus;
  agents: ReadonlyMap<string, AgentRuntime>;
}

/** The result of executing one tool call. */
export interface ActionOutcome {
  ok: boolean;
  /** A short human-readable result; on failure, the reason. */
  result: string;
  changes: StateChange[];
  hits: ConstraintHit[];
  /** Messages the action sends; the engine delivers them (or drops them for muted agents). */
  messages: Array<Omit<MessageRecord, 'step'>>;
}

/**
 * A place agents act in, exposing tools. The engine routes each tool call to the environment that
 * owns the tool; tool names are unique across a scenario's environments.
 */
export interface Environment {
  readonly name: string;
  /** The tools this agent may call now. */
  tools(agent: AgentRuntime, context: EnvironmentContext): ToolDefinition[];
  /** Applies one call. Must not throw for bad input: return `ok: false` with the reason. */
  execute(agent: AgentRuntime, call: ToolCallRequest, context: EnvironmentContext): ActionOutcome;
  /**
   * Asynchronous work before the acting agents' observations are built (`observe` is
   * synchronous): e.g. the documents environment embeds the agents' situation queries. Must not
   * change the world. Environments without it cost the step nothing.
   */
  beforeObserve?(agents: readonly AgentRuntime[], context: EnvironmentContext): Promise<void>;
  /**
   * Asynchronous work before the step's decided tool calls are applied (`execute` is
   * synchronous), given every call in the order it will be applied: e.g. the documents
   * environment embeds the step's `search_documents` queries in one batch. Must not change the world.
   */
  beforeExecute?(
    calls: ReadonlyArray<{ agent: AgentRuntime; call: ToolCallRequest }>,
    context: EnvironmentContext,
  ): Promise<void>;
  /** What this agent sees of the environment, added to its observation (undefined: nothing, e.g. not a member). */
  observe?(agent: AgentRuntime, context: EnvironmentContext): Record<string, unknown> | undefined;
  /**
   * Advances the environment at the end of a step. May return the world writes it made (through
   * `context.world.write`), so the engine records them as changes and constraint hits.
   */
  tick?(context: EnvironmentContext): void | { changes: StateChange[]; hits: ConstraintHit[] };
  /**
   * Moves a rule-based (tier 0) agent could make here, scored by the environment, which knows its
   * domain: the rule brain weighs them against the scenario's actions and waiting. Environments
   * without it are never used by rule agents. Must not change anything.
   */
  ruleCandidates?(
    agent: AgentRuntime,
    observation: Observation,
    context: EnvironmentContext,
    random: Random,
  ): RuleCandidate[];
}

/** A move a rule-based agent could make in an environment, with how much it appeals. */
export interface RuleCandidate {
  call: ToolCallRequest;
  /**
   * Comparable to the rule brain's goal scores (relative change of goal values, weighted): about 0
   * is as good as waiting, 0.1 a clear gain, 1 a large one; negative is worse than waiting.
   */
  score: number;
  /** Why, in a few words, for the agent's rationale. */
  note: string;
}

/** An outcome with nothing changed. */
export function emptyOutcome(ok: boolean, result: string): ActionOutcome {
  return { ok, result, changes: [], hits: [], messages: [] };
}
