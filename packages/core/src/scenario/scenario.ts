import type { BriefSettings, EvaluationDefinition } from '../analysis/analysis-schema';
import type { BeliefsDefinition } from '../beliefs/beliefs-schema';
import type { EnvironmentDefinition } from '../environments/environment-schemas';
import type { GameMasterSettings } from '../game-master/game-master-schema';
import type { MemoryDefinition } from '../grounding/grounding-schema';
import type { ScenarioGrounding } from '../grounding/scenario-grounding';
import type {
  ActionDefinition,
  Dynamic,
  Goal,
  ParameterDefinition,
  ScheduledEvent,
  TerminationCondition,
  VariableDefinition,
} from './scenario-schema';

/** A value a variable can hold. */
export type VariableValue = number | boolean | string | Array<number | boolean | string>;

/** One concrete agent, after populations are expanded and initial values drawn. */
export interface AgentSpec {
  id: string;
  name: string;
  role: string;
  persona: string;
  goals: Goal[];
  traits: Record<string, number>;
  /** `rules`, a tier name (`fast`, `smart`, …) or `provider/model`. */
  brain: string;
  /** Initial values of every agent variable. */
  variables: Record<string, VariableValue>;
  /** Tool names this agent may use; undefined means all. */
  actions?: string[];
  memoryWindow: number;
  /** Id of the population template this agent came from, when it came from one. */
  population?: string;
  /** Index of the agent's definition in the file, for error locations. */
  definitionIndex: number;
}

/** A metric after defaults. */
export interface MetricSpec {
  name: string;
  expression: string;
  description?: string;
  unit?: string;
}

/** A room with its members resolved to agent ids. */
export interface RoomSpec {
  name: string;
  description?: string;
  members: string[];
}

/**
 * A validated scenario, ready to run: defaults applied, parameters resolved, populations expanded,
 * selectors (`role:x`, `*`) resolved to agent ids.
 */
export interface Scenario {
  name: string;
  description: string;
  category: string;
  seed: number;
  goal?: string;
  /** Where the scenario was loaded from, when it came from a file. */
  source?: string;
  clock: { steps: number; unit: string; mode: 'rounds' | 'events'; minInterval: number; heartbeat: number };
  execution: { concurrency: number; decisionTimeoutMs: number; memoryWindow: number };
  parameterDefinitions: Record<string, ParameterDefinition>;
  /** Parameter values after `--set` overrides. */
  parameters: Record<string, number | boolean | string>;
  variables: Record<string, VariableDefinition>;
  agentVariables: Record<string, VariableDefinition>;
  dynamics: Dynamic[];
  actions: ActionDefinition[];
  agents: AgentSpec[];
  rooms: RoomSpec[];
  events: Array<ScheduledEvent & { affectsIds?: string[] }>;
  metrics: MetricSpec[];
  termination: TerminationCondition[];
  /** Social, market and economic environments. */
  environments: EnvironmentDefinition[];
  /** Belief topics and opinion-dynamics parameters, when the scenario tracks beliefs. */
  beliefs?: BeliefsDefinition;
  /** The game master block, when the scenario has one. */
  gameMaster?: GameMasterSettings;
  /**
   * The company world built from the scenario's `data` and `documents` (snapshot, document index,
   * generated personas, warnings); set by {@link loadScenario}, absent when parsing text alone.
   */
  grounding?: ScenarioGrounding;
  /** Long-term memory settings, when the scenario has a `memory` block. */
  memory?: MemoryDefinition;
  /**
   * True when the scenario names world files (`data`, `documents`, `personas`) but was parsed
   * from text without building them: it validates (personas stood in for) but cannot run.
   */
  worldNotBuilt?: boolean;
  /** The evaluation rubric, when the scenario has one. */
  evaluation?: EvaluationDefinition;
  /** What the executive brief focuses on, when the scenario says. */
  brief?: BriefSettings;
}
