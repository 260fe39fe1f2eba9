import type { Scenario } from '../scenario/scenario';
import type { ConstraintHit, WorldState } from '../world/world-state';

/** What a game master reads at the end of a step. */
export interface GameMasterInput {
  step: number;
  scenario: Scenario;
  /** The world after this step's actions (a copy; call it only when needed, it is O(agents)). */
  state(): ReturnType<WorldState['snapshot']>;
  /** What each acting agent did or said this step, in agent order. */
  responses: Array<{
    agentId: string;
    name: string;
    actions: string[];
    /** The tool calls with their arguments (what the agent actually said and did). */
    calls?: Array<{ tool: string; arguments: Record<string, unknown> }>;
    rationale: string;
    failed?: string;
  }>;
  /** Clamps and rejections of this step. */
  constraintHits: ConstraintHit[];
  /** Events fired this step. */
  events: Array<{ type: string; description: string }>;
  /** Aborted when the run stops. */
  signal: AbortSignal;
}

/** A game master's ruling for one step (seed 004's JSON shape, with agent ids as keys). */
export interface GameMasterUpdate {
  /** New values of global variables; only those that changed. */
  globals?: Record<string, unknown>;
  /** New values of agent variables, by agent id (or name); only those that changed. */
  agents?: Record<string, Record<string, unknown>>;
  /** Events the game master declares, narrative only (effects come through the updates). */
  events?: Array<{ type: string; description: string; affects?: string[]; duration?: number }>;
  /** A personal message per agent, delivered next step. */
  messages?: Record<string, string>;
  reasoning?: string;
}

/**
 * The authority over world variables after agents act (seed 004): reads the step, returns state
 * updates, events and per-agent messages. The engine clamps every update like any other write,
 * reports the hits, and feeds them into the next step. Throwing fails the run (the seed's
 * fail-fast rule): retries and validation belong inside the game master.
 */
export interface GameMaster {
  readonly name: string;
  update(input: GameMasterInput): GameMasterUpdate | Promise<GameMasterUpdate>;
}
