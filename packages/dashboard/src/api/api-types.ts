/**
 * The shapes of the HTTP API's responses (docs/API.md), as the dashboard reads them. Fields the
 * dashboard can do without are optional so an older or newer server still renders.
 */

/** A run's lifecycle state. */
export type RunStatus = 'queued' | 'created' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

/** One saved version of a scenario. */
export interface ScenarioVersionSummary {
  version: number;
  createdAt?: string;
}

/** A scenario as the list shows it (`GET /api/scenarios`). */
export interface ScenarioSummary {
  id: string;
  name: string;
  latestVersion: number;
  createdAt?: string;
  updatedAt?: string;
}

/** A scenario with its latest text and its versions (`GET /api/scenarios/:id`). */
export interface Scenario extends ScenarioSummary {
  /** The latest version's YAML (or JSON) text. */
  source: string;
  versions: ScenarioVersionSummary[];
}

/** One version of a scenario with its source text. */
export interface ScenarioVersion {
  scenarioId: string;
  version: number;
  source: string;
  createdAt?: string;
}

/** One problem found validating a scenario, as `sandtable validate` prints it. */
export interface ValidationIssue {
  message: string;
  file?: string;
  /** Field path, e.g. `agents[2].traits.cooperation`. */
  path?: string;
  line?: number;
  column?: number;
  /** The CLI's line: `file:line:column: path: message`. */
  text?: string;
}

/** The answer of the validation route. */
export interface ValidationResult {
  ok: boolean;
  issues: ValidationIssue[];
  /** The format the text was read as (native, seed 003/004). */
  format?: string;
  notes?: string[];
}

/** A run (`GET /api/runs/:id`). */
export interface RunSummary {
  id: string;
  scenarioId?: string;
  scenarioName?: string;
  /** The scenario's name as the run was started (what the server sends today). */
  name?: string;
  scenarioVersion?: number;
  status: RunStatus;
  seed?: number;
  parameters?: Record<string, string | number | boolean>;
  /** Last committed step. */
  step: number;
  /** Steps the run is set to take. */
  steps: number;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
  parentRunId?: string;
  forkStep?: number;
  outcome?: string;
  reason?: string;
  totals?: {
    modelCalls?: number;
    promptTokens?: number;
    completionTokens?: number;
    costUsd?: number;
    events?: number;
    actions?: number;
    messages?: number;
    failures?: number;
  };
  /** Executing (or queued) in this server now: controls work. */
  live?: boolean;
  queuePosition?: number;
}

/** An agent of a run, as the console's agent list starts from before any event arrives. */
export interface RunAgent {
  id: string;
  name?: string;
  role?: string;
  brain?: string;
  status?: 'active' | 'paused' | 'terminated';
  muted?: boolean;
}

/** One recorded model request (`GET /api/runs/:id/history/model-calls`); hashes only, no prompts. */
export interface ModelCallRecord {
  endpointId?: string;
  model?: string;
  tier?: string;
  attempt?: number;
  hedge?: boolean;
  latencyMs: number;
  outcome: string;
  usage?: { promptTokens: number; completionTokens: number; cachedPromptTokens?: number };
  costUsd?: number;
  step?: number;
  agentId?: string;
}

/** One point of a run's metric series (`GET /api/runs/:id/metrics`). */
export interface MetricPoint {
  step: number;
  values: Record<string, number>;
}

/** Aggregate model-call statistics of a run. */
export interface ModelCallStats {
  calls: number;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  cost?: number;
  latency?: { p50?: number; p95?: number; p99?: number };
  byTier?: Record<string, { calls: number; cost?: number }>;
  failures?: number;
}

/** The executive brief's parts (core's `ExecutiveBrief`). */
export interface ExecutiveBrief {
  title?: string;
  question?: string;
  source?: 'rules' | 'model';
  model?: string;
  runLine?: string;
  headline: string;
  whatHappened?: string[];
  turningPoints?: Array<{ step: number; text: string }>;
  impacts?: Array<{ metric: string; text: string }>;
  positions?: Array<{ stakeholder: string; text: string }>;
  recommendations?: string[];
  confidence?: { level: string; text: string };
  caveats?: string[];
}

/** What a run's brief holds when the API offers one: the parts, the Markdown, or both. */
export interface RunBrief {
  runId?: string;
  markdown?: string;
  brief?: ExecutiveBrief;
  createdAt?: string;
}

/** A sweep's aggregate of one metric. */
export interface SweepMetricSummary {
  metric: string;
  mean: number;
  standardDeviation?: number;
  low?: number;
  high?: number;
  values?: number[];
}

/** A sweep over parameters × seeds; every member is a stored run (`GET /api/sweeps/:id/runs`). */
export interface SweepSummary {
  id: string;
  name?: string;
  scenarioName?: string;
  /** `running`, `completed`, `stopped` or `failed`. */
  status?: string;
  /** Members in the plan. */
  runs?: number;
  /** Members that have ended. */
  completed?: number;
  /** Ended members that did not complete. */
  failed?: number;
  /** Why it stopped or failed. */
  reason?: string;
  metrics?: SweepMetricSummary[];
}

/** Whether the server asks for a token, and its version. */
export interface ServerInfo {
  version?: string;
  authRequired?: boolean;
}

/** The world after a step (`GET /api/runs/:id/state`). */
export interface WorldSnapshot {
  step: number;
  globals: Record<string, unknown>;
  agents: Record<string, Record<string, unknown>> | Array<Record<string, unknown>>;
}

/** Every agent's belief positions after a step (`GET /api/runs/:id/beliefs?step=N&topic=T`). */
export interface BeliefPositionsAtStep {
  step: number;
  /** The run's topics (only `topic` when one was asked for); empty for a run without beliefs. */
  topics: string[];
  /** Agents with a position, in agent order: topic → position in [-1, 1]. */
  agents: Array<{ id: string; positions: Record<string, number> }>;
}

/** One agent's belief positions over a run (`GET /api/runs/:id/beliefs/series?agent=ID`). */
export interface BeliefSeries {
  agentId: string;
  topics: string[];
  /** A point per step where one of its positions changed, with all of them after that step. */
  points: Array<{ step: number; positions: Record<string, number> }>;
}
