import type {
  AttemptRecord,
  CassetteEntry,
  MessageRecord,
  Run,
  RunEvent,
  StateChange,
} from '@sandtable/core';

/** A control input as the run applied it (mute, inject, set variable, pause transitions). */
export type ControlInput = Parameters<Run['applyInput']>[0];
/** The hooks a run accepts for persistence. */
export type RunHooks = Parameters<Run['attach']>[0];

/** Which database a store talks to. */
export type StoreKind = 'pglite' | 'postgres';

/** A tenant: every scenario and run belongs to exactly one. */
export interface Workspace {
  id: string;
  name: string;
  createdAt: Date;
}

/** An API token's public half (the secret is never stored, only its SHA-256). */
export interface ApiToken {
  id: string;
  workspaceId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The format of a scenario version's text. */
export type ScenarioFormat = 'yaml' | 'json';

/** A scenario: a name over a list of immutable versions. */
export interface ScenarioRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  latestVersion: number;
  clonedFromId: string | null;
  clonedFromVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One immutable version of a scenario's text. */
export interface ScenarioVersion {
  scenarioId: string;
  version: number;
  format: ScenarioFormat;
  source: string;
  sourceSha256: string;
  /** The file it was read from, when it came from a file (relative document paths resolve from it). */
  origin: string | null;
  createdAt: Date;
}

/** What creating a scenario (or a new version of one) takes. */
export interface ScenarioInput {
  name: string;
  description?: string;
  source: string;
  /** @defaultValue 'yaml' */
  format?: ScenarioFormat;
  origin?: string;
}

/**
 * Where a stored run is. `running` after a crash means "interrupted": {@link Store.listRuns} with
 * `status: 'running'` is how a server finds runs to resume on start.
 */
export type StoredRunStatus =
  | 'created'
  | 'queued'
  | 'running'
  | 'paused'
  | 'completed'
  | 'stopped'
  | 'failed';

/** How a run was set up besides scenario and seed: what resume needs to rebuild it exactly. */
export interface RunSetup {
  /** Replaces the scenario's step count. */
  steps?: number;
  /** Replaces the scenario's clock mode. */
  clock?: 'rounds' | 'events';
  /** A snapshot every this many steps. @defaultValue 10 */
  snapshotEvery?: number;
  /** Anything else the caller needs to rebuild the run (e.g. model settings, never secrets). */
  [key: string]: unknown;
}

/** A stored run. */
export interface RunRecord {
  id: string;
  workspaceId: string;
  scenarioId: string;
  scenarioVersion: number;
  name: string;
  status: StoredRunStatus;
  seed: number;
  parameters: Record<string, string | number | boolean>;
  options: RunSetup;
  parentRunId: string | null;
  forkStep: number | null;
  /** The last committed step (0 before the first). */
  lastStep: number;
  /** The sequence number of the last committed event. */
  lastSequence: number;
  /** Steps the scenario asks for. */
  totalSteps: number;
  outcome: string | null;
  reason: string | null;
  error: { code: string; message: string } | null;
  /** Running counts: `events`, `messages`, `modelCalls`, `actions`, `failures`. */
  totals: Record<string, number>;
  createdAt: Date;
  startedAt: Date | null;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** What creating a run takes. */
export interface RunInput {
  /** @defaultValue a new random id */
  id?: string;
  workspaceId: string;
  scenarioId: string;
  scenarioVersion: number;
  /** @defaultValue the scenario's name */
  name?: string;
  seed: number;
  parameters?: Record<string, string | number | boolean>;
  options?: RunSetup;
  /** Steps the scenario asks for (after overrides). */
  totalSteps: number;
  /** @defaultValue 'created' */
  status?: StoredRunStatus;
  parentRunId?: string;
  forkStep?: number;
}

/** Fields {@link Store.updateRun} may change. */
export interface RunUpdate {
  status?: StoredRunStatus;
  startedAt?: Date;
  finishedAt?: Date;
  outcome?: string;
  reason?: string;
  error?: { code: string; message: string } | null;
}

/** Filters of {@link Store.listRuns}. */
export interface RunQuery {
  /** Only this workspace's runs (leave out only in trusted code, e.g. resuming on start). */
  workspaceId?: string;
  status?: StoredRunStatus | StoredRunStatus[];
  scenarioId?: string;
  parentRunId?: string;
  /** Only the member runs of this sweep (see {@link Store.listSweepMembers} for member order). */
  sweepId?: string;
  /** @defaultValue 100 */
  limit?: number;
  /** @defaultValue 0 */
  offset?: number;
}

/** An agent of a run as stored (its live state is in the steps). */
export interface AgentRecord {
  agentId: string;
  position: number;
  name: string;
  role: string;
  brain: string;
}

/** A message as stored: the `message-sent` event's fields plus its sequence number. */
export interface StoredMessage extends MessageRecord {
  sequence: number;
  muted: boolean;
}

/** A model call as stored: its cassette entry and where it was made. */
export interface StoredModelCall {
  ordinal: number;
  step: number | null;
  agentId: string | null;
  /** The tier, endpoint or `endpoint/model` the agent asked for. */
  target: string;
  entry: CassetteEntry;
  /**
   * Every attempt the router made for it (retries, hedges, failovers): endpoint, model, tokens,
   * latency, cost, outcome, prompt and response SHA-256. Empty for calls answered from the store.
   */
  attempts: AttemptRecord[];
  createdAt: Date;
}

/** A control input as applied at a step boundary. */
export interface StoredControlInput {
  ordinal: number;
  /** Applied at the boundary after this step (0: before step 1). */
  afterStep: number;
  input: ControlInput;
}

/** The world's variables: globals and each agent's. */
export interface WorldSnapshot {
  globals: Record<string, unknown>;
  agents: Record<string, Record<string, unknown>>;
}

/**
 * Everything one step produced, written by {@link Store.appendStep} in ONE transaction.
 * `events` are every event since the previous step's commit, through this step's `step-completed`,
 * in sequence order with no gaps.
 */
export interface StepWrite {
  events: RunEvent[];
  /** Variable changes of the step, in order. @defaultValue taken from the events */
  deltas?: StateChange[];
  /** @defaultValue taken from the `message-sent` events */
  messages?: StoredMessage[];
  /**
   * Control inputs applied at the boundary before this step, when not stored already
   * ({@link RunPersistence} stores each as it takes effect, with {@link Store.addControlInputs}).
   */
  inputs?: ControlInput[];
  /** The world after the step; stored every K steps. */
  snapshot?: WorldSnapshot;
  /** @defaultValue taken from the `step-completed` event */
  metrics?: Record<string, number>;
}

/** What {@link Store.finishRun} writes: the closing events and the final status, in one transaction. */
export interface RunFinish {
  events: RunEvent[];
  status: 'completed' | 'stopped' | 'failed';
  outcome: string;
  reason: string;
  error?: { code: string; message: string };
}

/** A committed step's row. */
export interface StepRecord {
  step: number;
  firstSequence: number;
  lastSequence: number;
  deltas: StateChange[];
  metrics: Record<string, number>;
  hasSnapshot: boolean;
  committedAt: Date;
}

/** Filters of {@link Store.messages}. */
export interface MessageQuery {
  /** Messages sent by or to this agent (direct, or in a room it is in is not resolved here). */
  agentId?: string;
  room?: string;
  fromStep?: number;
  toStep?: number;
  /** @defaultValue 1000 */
  limit?: number;
  /** Only messages with a sequence number above this. */
  afterSequence?: number;
}

/** An evaluation of a run (rubric scores, rule metrics…): free-form JSON the analysis work defines. */
export interface EvaluationRecord {
  id: string;
  runId: string;
  kind: string;
  body: unknown;
  createdAt: Date;
}

/** A brief of a run: Markdown (or other text) plus optional structured data. */
export interface BriefRecord {
  id: string;
  runId: string;
  format: string;
  body: string;
  data: unknown;
  createdAt: Date;
}

/** Where a sweep is: `running` until every member has ended (or it is stopped). */
export type SweepStatus = 'running' | 'completed' | 'stopped' | 'failed';

/**
 * A stored sweep: one scenario version over parameter settings × seeds, each member a stored
 * run. `definition` is the validated sweep the members are expanded from (the server defines it).
 */
export interface SweepRecord {
  id: string;
  workspaceId: string;
  scenarioId: string;
  scenarioVersion: number;
  name: string;
  status: SweepStatus;
  definition: Record<string, unknown>;
  /** Members the definition expands into. */
  totalRuns: number;
  /** Members in the run manager at once, at most. */
  parallel: number;
  /** Why it stopped or failed. */
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** What creating a sweep takes. */
export interface SweepInput {
  /** @defaultValue a new random id */
  id?: string;
  workspaceId: string;
  scenarioId: string;
  scenarioVersion: number;
  name: string;
  definition: Record<string, unknown>;
  totalRuns: number;
  parallel: number;
}

/** Fields {@link Store.updateSweep} may change. */
export interface SweepUpdate {
  status?: SweepStatus;
  reason?: string;
  finishedAt?: Date;
}

/** Filters of {@link Store.listSweeps}. */
export interface SweepQuery {
  /** Only this workspace's sweeps (leave out only in trusted code, e.g. resuming on start). */
  workspaceId?: string;
  status?: SweepStatus | SweepStatus[];
  /** @defaultValue 100 */
  limit?: number;
}

/** What a sweep keeps of a member run once it has ended. */
export interface SweepMemberResult {
  status: 'completed' | 'stopped' | 'failed';
  outcome: string | null;
  /** Steps committed. */
  steps: number;
  /** Metric → final value; for counts (actions, messages, failures, …) the run's total. */
  finals: Record<string, number>;
  /** Why it produced no result worth aggregating (a failed or stopped run). */
  error?: string;
}

/** One member of a sweep: its index in the plan, its run, and its result once recorded. */
export interface SweepMemberRecord {
  sweepId: string;
  member: number;
  run: RunRecord;
  result: SweepMemberResult | null;
}

/** An optional workspace scope: reads outside it behave as if the record did not exist. */
export interface Scope {
  workspaceId?: string;
}

/**
 * Sandtable's persistence. One implementation over drizzle serves PGlite and PostgreSQL; obtain it
 * with {@link openStore}. Every method is safe to call concurrently; writes that belong together
 * are one transaction. Reads given a {@link Scope} return `undefined` / `[]` for records of
 * another workspace (so an API can answer 404 without leaking existence).
 */
export interface Store {
  readonly kind: StoreKind;
  /** Where the data lives: a folder (PGlite), `memory`, or the URL without its password. */
  readonly location: string;
  /** Closes the connection (and releases the PGlite folder lock). */
  close(): Promise<void>;
  /** Runs a trivial query; rejects when the database is unreachable (for `/readyz`). */
  ping(): Promise<void>;

  // ---- workspaces and tokens -------------------------------------------------------------
  /** Creates a workspace. @throws {SandtableError} STORE_CONFLICT when the id exists */
  createWorkspace(input: { name: string; id?: string }): Promise<Workspace>;
  /** The `default` workspace, created on first use (the CLI's runs go there). */
  defaultWorkspace(): Promise<Workspace>;
  getWorkspace(id: string): Promise<Workspace | undefined>;
  listWorkspaces(): Promise<Workspace[]>;
  /**
   * Creates an API token for a workspace. The secret (`st_…`) is returned ONCE; only its SHA-256
   * is stored. @throws {SandtableError} WORKSPACE_NOT_FOUND
   */
  createToken(workspaceId: string, options?: { name?: string }): Promise<{ token: ApiToken; secret: string }>;
  /** The workspace a secret belongs to, or undefined for an unknown or revoked token. */
  verifyToken(secret: string): Promise<{ workspace: Workspace; token: ApiToken } | undefined>;
  listTokens(workspaceId: string): Promise<ApiToken[]>;
  /** Revokes a token; returns false when there was no such token. */
  revokeToken(tokenId: string, scope?: Scope): Promise<boolean>;

  // ---- scenarios --------------------------------------------------------------------------
  /** Creates a scenario with version 1. */
  createScenario(
    workspaceId: string,
    input: ScenarioInput,
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }>;
  /**
   * Adds a version (versions are immutable). When the text equals the latest version's, returns
   * that version instead of adding one. @throws {SandtableError} SCENARIO_NOT_FOUND
   */
  addScenarioVersion(
    scenarioId: string,
    input: Omit<ScenarioInput, 'name'> & { name?: string },
    scope?: Scope,
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }>;
  /** The scenario of that name in the workspace, creating it or adding a version when the text changed. */
  upsertScenarioByName(
    workspaceId: string,
    input: ScenarioInput,
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }>;
  getScenario(scenarioId: string, scope?: Scope): Promise<ScenarioRecord | undefined>;
  listScenarios(workspaceId: string): Promise<ScenarioRecord[]>;
  listScenarioVersions(scenarioId: string, scope?: Scope): Promise<ScenarioVersion[]>;
  /** One version, or the latest when `version` is left out. */
  getScenarioVersion(
    scenarioId: string,
    version?: number,
    scope?: Scope,
  ): Promise<ScenarioVersion | undefined>;
  /** Copies one version (default latest) into a new scenario whose version 1 is that text. @throws SCENARIO_NOT_FOUND */
  cloneScenario(
    scenarioId: string,
    options: { name: string; version?: number; workspaceId?: string },
    scope?: Scope,
  ): Promise<{ scenario: ScenarioRecord; version: ScenarioVersion }>;
  /** Hides a scenario from lists (its versions stay, runs keep pointing at them). */
  deleteScenario(scenarioId: string, scope?: Scope): Promise<boolean>;

  // ---- runs -------------------------------------------------------------------------------
  /** Creates a run. @throws SCENARIO_NOT_FOUND when the scenario version does not exist */
  createRun(input: RunInput): Promise<RunRecord>;
  getRun(runId: string, scope?: Scope): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  /** Changes status and timestamps. @throws RUN_NOT_FOUND */
  updateRun(runId: string, update: RunUpdate): Promise<RunRecord>;
  /** Stores the run's agents (once, before the first step). */
  putAgents(runId: string, agents: AgentRecord[]): Promise<void>;
  listAgents(runId: string): Promise<AgentRecord[]>;

  // ---- steps and history ------------------------------------------------------------------
  /**
   * Commits one step in ONE transaction: its events (one statement per table, whatever the
   * count), messages, deltas, metrics, the control inputs applied before it, an optional
   * snapshot, and the run's `last_step`/`last_sequence`/totals. Nothing is written when any part
   * fails. @throws {SandtableError} STORE_STEP_OUT_OF_ORDER when `step` is not `lastStep + 1` or
   * the events do not continue `lastSequence` without a gap; STORE_WRITE_FAILED when the
   * database refuses
   */
  appendStep(runId: string, step: number, write: StepWrite): Promise<void>;
  /**
   * Commits events emitted between steps ahead of the next step (a paused run's `run-paused`,
   * controls applied while paused, `run-resumed`), so they are visible at once. They count as
   * that next step's events (`eventsOfSteps`), and its deltas include theirs.
   * @throws {SandtableError} STORE_STEP_OUT_OF_ORDER when they do not continue `lastSequence`
   */
  appendBoundary(runId: string, events: RunEvent[]): Promise<void>;
  /**
   * Trims a run back to its last committed step — removes what was stored after it (closing
   * events, boundary events: resume regenerates them from the stored inputs) — and marks it
   * `running`, in one transaction. Makes a stopped or failed run resumable again: removes what was stored after its last
   * committed step (the closing events) and clears its outcome, in one transaction. Returns the
   * updated record. @throws RUN_NOT_FOUND
   */
  reopenRun(runId: string): Promise<RunRecord>;
  /** Commits the closing events (`run-completed`/`run-stopped`/`run-failed`) and the final status. */
  finishRun(runId: string, finish: RunFinish): Promise<RunRecord>;
  /**
   * Committed events with a sequence number above `sequence`, in order, at most `limit`
   * (default 1000). This is what SSE replays after `Last-Event-ID`.
   */
  eventsAfter(
    runId: string,
    sequence: number,
    limit?: number,
    filter?: { types?: RunEvent['type'][]; fromStep?: number; toStep?: number },
  ): Promise<RunEvent[]>;
  /** Committed events of steps `fromStep..toStep` (boundary events count with the step after them). */
  eventsOfSteps(runId: string, fromStep: number, toStep: number): Promise<RunEvent[]>;
  /** Committed steps, in order. */
  listSteps(runId: string, options?: { fromStep?: number; toStep?: number }): Promise<StepRecord[]>;
  /** Messages, in sequence order. */
  messages(runId: string, query?: MessageQuery): Promise<StoredMessage[]>;
  /**
   * The world after step `step` (0: the initial state is not stored; use step ≥ 1), from the
   * nearest snapshot at or before it plus the deltas after it. Undefined when the step is not
   * committed.
   */
  stateAt(runId: string, step: number): Promise<WorldSnapshot | undefined>;
  /** Records one model call as soon as it completes (outside any step transaction). */
  recordModelCall(
    runId: string,
    call: Omit<StoredModelCall, 'ordinal' | 'createdAt' | 'attempts'> & { attempts?: AttemptRecord[] },
  ): Promise<void>;
  /** Model calls in recording order. */
  modelCalls(runId: string, options?: { step?: number; agentId?: string }): Promise<StoredModelCall[]>;
  /** Control inputs in the order they were applied. */
  controlInputs(runId: string): Promise<StoredControlInput[]>;
  /**
   * Stores control inputs of the boundary after `afterStep` (as they take effect, or ahead of
   * time for a fork's changes). Resume re-applies those after the last committed step at that
   * boundary.
   */
  addControlInputs(runId: string, afterStep: number, inputs: ControlInput[]): Promise<void>;
  /** Metric series: `{ name: [{ step, value }] }`. */
  metricSeries(runId: string): Promise<Record<string, Array<{ step: number; value: number | null }>>>;
  /**
   * Copies a parent's first `steps` steps (events, messages, deltas, metrics, inputs, model calls
   * of those steps) into a child run, in one transaction: the child then resumes from there.
   */
  copyRunPrefix(parentRunId: string, childRunId: string, steps: number): Promise<void>;

  // ---- sweeps -----------------------------------------------------------------------------
  /** Creates a sweep (status `running`). @throws SCENARIO_NOT_FOUND when the scenario version does not exist */
  createSweep(input: SweepInput): Promise<SweepRecord>;
  getSweep(sweepId: string, scope?: Scope): Promise<SweepRecord | undefined>;
  /** Newest first. */
  listSweeps(query?: SweepQuery): Promise<SweepRecord[]>;
  /** Changes status, reason and finish time. @throws SWEEP_NOT_FOUND */
  updateSweep(sweepId: string, update: SweepUpdate): Promise<SweepRecord>;
  /**
   * Creates member `member`'s run and records it as that member, in one transaction. Idempotent:
   * when the member exists already its run is returned and nothing is created.
   * @throws SWEEP_NOT_FOUND; SCENARIO_NOT_FOUND
   */
  addSweepMember(sweepId: string, member: number, run: RunInput): Promise<RunRecord>;
  /** The members created so far, in member order, each with its run as stored now. */
  listSweepMembers(sweepId: string, scope?: Scope): Promise<SweepMemberRecord[]>;
  /** Records what the sweep keeps of a member whose run has ended. @throws SWEEP_NOT_FOUND */
  setSweepMemberResult(sweepId: string, member: number, result: SweepMemberResult): Promise<void>;

  // ---- analysis ---------------------------------------------------------------------------
  addEvaluation(runId: string, input: { kind: string; body: unknown }): Promise<EvaluationRecord>;
  listEvaluations(runId: string): Promise<EvaluationRecord[]>;
  addBrief(runId: string, input: { format: string; body: string; data?: unknown }): Promise<BriefRecord>;
  listBriefs(runId: string): Promise<BriefRecord[]>;
}
