import {
  type CassetteEntry,
  type ChatRouter,
  isPersonaCall,
  PersonaModelCalls,
  parseGroundedScenario,
  type Run,
  type RunEvent,
  SandtableError,
  type Scenario,
} from '@sandtable/core';
import { PersistentRouter } from './persistent-router';
import { type CommittedListener, RunPersistence } from './run-persistence';
import type { ControlInput, RunRecord, RunSetup, ScenarioFormat, Store } from './store-types';

/** What {@link createStoredRun} takes: a scenario's text and how to run it. */
export interface StoredRunInput {
  /** @defaultValue the store's default workspace */
  workspaceId?: string;
  /** The scenario text (YAML or JSON), stored as a new version of the scenario of that name when it changed. */
  source: string;
  format?: ScenarioFormat;
  /** The file it came from: relative document and data paths resolve from it. */
  origin?: string;
  /** @defaultValue the scenario's seed */
  seed?: number;
  /** Parameter overrides (`--set`). */
  parameters?: Record<string, string | number | boolean>;
  setup?: RunSetup;
  /** @defaultValue a new id */
  id?: string;
  /**
   * The model that writes the personas of a scenario with `personas.writer: model`; the calls it
   * answers are stored with the run (as step 0), so resume and forks rebuild the same personas.
   */
  personaModels?: PersonaModelCalls;
}

/**
 * Validates a scenario, stores it (a new version only when its text changed) and creates the
 * run record. Returns the record and the validated scenario, ready for `createEngine().createRun`.
 * @throws {ScenarioError} when the text is not a valid scenario
 */
export async function createStoredRun(
  store: Store,
  input: StoredRunInput,
): Promise<{ record: RunRecord; scenario: Scenario }> {
  const setup = input.setup ?? {};
  const scenario = await parseGroundedScenario(input.source, {
    ...(input.origin ? { file: input.origin } : {}),
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
    ...(setup.steps !== undefined ? { steps: setup.steps } : {}),
    ...(setup.clock ? { clock: setup.clock } : {}),
    ...(input.parameters ? { parameters: input.parameters } : {}),
    ...(input.personaModels ? { personaModels: input.personaModels } : {}),
  });
  const workspaceId = input.workspaceId ?? (await store.defaultWorkspace()).id;
  const { scenario: stored, version } = await store.upsertScenarioByName(workspaceId, {
    name: scenario.name,
    description: scenario.description,
    source: input.source,
    format: input.format ?? (input.source.trimStart().startsWith('{') ? 'json' : 'yaml'),
    ...(input.origin ? { origin: input.origin } : {}),
  });
  const record = await store.createRun({
    ...(input.id ? { id: input.id } : {}),
    workspaceId,
    scenarioId: stored.id,
    scenarioVersion: version.version,
    name: scenario.name,
    seed: scenario.seed,
    parameters: input.parameters ?? {},
    options: setup,
    totalSteps: scenario.clock.steps,
  });
  await storePersonaCalls(store, record.id, scenario.grounding?.personaCalls ?? []);
  return { record, scenario };
}

/** Stores the calls that wrote a run's personas as its step-0 model calls (forks copy them). */
async function storePersonaCalls(store: Store, runId: string, entries: readonly CassetteEntry[]) {
  for (const entry of entries) {
    await store.recordModelCall(runId, {
      step: 0,
      agentId: entry.metadata?.agentId ?? null,
      target: entry.request.model,
      entry,
    });
  }
}

/**
 * Has the model write the personas of a stored run that has not started, when its scenario asks
 * for it (`personas.writer: model`) and none are stored yet: the server creates runs from the
 * scenario's text alone, so their personas are written when the run first launches. The calls are
 * stored as step 0, so {@link loadStoredScenario}, resume and forks rebuild the same personas
 * offline. Without a model the run keeps the data-drawn personas (and the warning saying so).
 * Returns the number of calls stored.
 */
export async function writeStoredRunPersonas(
  store: Store,
  record: RunRecord,
  personaModels: PersonaModelCalls,
): Promise<number> {
  const version = await store.getScenarioVersion(record.scenarioId, record.scenarioVersion);
  // Only a scenario that names a writer can ask; the rest skip a second world build.
  if (!version || !/\bwriter\b/.test(version.source)) return 0;
  const stored = (await store.modelCalls(record.id, { step: 0 })).filter((call) => isPersonaCall(call.entry));
  if (stored.length > 0) return 0;
  const scenario = await parseStoredScenario(version, record, personaModels);
  const calls = scenario.grounding?.personaCalls ?? [];
  await storePersonaCalls(store, record.id, calls);
  return calls.length;
}

/**
 * The validated scenario of a stored run, rebuilt from its scenario version, seed, parameter
 * overrides and setup — the same input the run was created from. Personas a model wrote are
 * rebuilt from the run's stored persona calls, never by asking a model again.
 * @throws {SandtableError} RUN_NOT_FOUND, SCENARIO_NOT_FOUND; {ScenarioError} when the stored text no longer validates
 */
export async function loadStoredScenario(store: Store, record: RunRecord): Promise<Scenario> {
  const version = await store.getScenarioVersion(record.scenarioId, record.scenarioVersion);
  if (!version) {
    throw new SandtableError(
      'SCENARIO_NOT_FOUND',
      `run ${record.id}: scenario ${record.scenarioId} version ${record.scenarioVersion} is missing`,
      { category: 'system' },
    );
  }
  const personaCalls = (await store.modelCalls(record.id, { step: 0 }))
    .map((call) => call.entry)
    .filter(isPersonaCall);
  return parseStoredScenario(version, record, PersonaModelCalls.recorded(personaCalls));
}

/** Parses a run's scenario version with the run's seed, parameter overrides and setup. */
function parseStoredScenario(
  version: { source: string; origin?: string | null },
  record: RunRecord,
  personaModels: PersonaModelCalls,
): Promise<Scenario> {
  const setup = record.options;
  return parseGroundedScenario(version.source, {
    personaModels,
    ...(version.origin ? { file: version.origin } : {}),
    seed: record.seed,
    ...(typeof setup.steps === 'number' ? { steps: setup.steps } : {}),
    ...(setup.clock === 'rounds' || setup.clock === 'events' ? { clock: setup.clock } : {}),
    parameters: record.parameters,
  });
}

/** What a caller gives to build the core run of a stored run (it owns the engine and model setup). */
export interface RunFactoryInput {
  scenario: Scenario;
  record: RunRecord;
  /**
   * Wraps the live model router (or none) so calls are served from the run's stored cassette
   * first and new ones are recorded. Pass the result as `models.router` to `createEngine`.
   */
  router: (live?: ChatRouter) => ChatRouter;
}

/** Builds the core run; typically `createEngine({ models: { router: router(live) } }).createRun(scenario, { runId: record.id })`. */
export type RunFactory = (input: RunFactoryInput) => Run;

/** A persisted run ready to start: call `persistence.start()`. */
export interface PersistedRun {
  record: RunRecord;
  scenario: Scenario;
  run: Run;
  persistence: RunPersistence;
  /** The run's model router, when the factory asked for one. */
  router: PersistentRouter | undefined;
}

/** Options of {@link persistRun}, {@link resumeRun} and {@link restoreRunTo}. */
export interface PersistOptions {
  createRun: RunFactory;
  /** Receives committed batches (the live steps only; committed ones are in the store). */
  onCommitted?: CommittedListener;
  /** @defaultValue the run's `options.snapshotEvery`, else 10 */
  snapshotEvery?: number;
}

async function prepare(
  store: Store,
  record: RunRecord,
  options: PersistOptions,
  replay: { steps: number; pauseAfter?: boolean; readOnly?: boolean } | undefined,
): Promise<PersistedRun> {
  const scenario = await loadStoredScenario(store, record);
  let router: PersistentRouter | undefined;
  const calls = replay ? await store.modelCalls(record.id) : [];
  const run = options.createRun({
    scenario,
    record,
    router: (live) => {
      router = new PersistentRouter(
        store,
        record.id,
        live,
        calls.map((call) => call.entry),
      );
      return router;
    },
  });
  const inputs = replay ? await store.controlInputs(record.id) : [];
  const persistence = new RunPersistence(store, record, run, {
    ...(options.snapshotEvery !== undefined ? { snapshotEvery: options.snapshotEvery } : {}),
    ...(replay?.readOnly ? { readOnly: true } : {}),
    ...(replay
      ? {
          replay: {
            steps: replay.steps,
            inputs,
            storedEvents: (step: number): Promise<RunEvent[]> => store.eventsOfSteps(record.id, step, step),
            ...(replay.pauseAfter ? { pauseAfter: true } : {}),
            onLive: () => {
              if (router) router.replayOnly = false;
            },
          },
        }
      : {}),
  });
  if (router && replay && replay.steps > 0) router.replayOnly = true;
  if (options.onCommitted) persistence.subscribe(options.onCommitted);
  return { record, scenario, run, persistence, router };
}

/**
 * Wraps a new stored run (from {@link createStoredRun}) for recording. Start it with
 * `persistence.start()`.
 */
export async function persistRun(
  store: Store,
  runId: string,
  options: PersistOptions,
): Promise<PersistedRun> {
  const record = await store.getRun(runId);
  if (!record)
    throw new SandtableError('RUN_NOT_FOUND', `run "${runId}" was not found`, { category: 'user' });
  if (record.lastStep > 0 || record.status !== 'created') {
    throw new SandtableError('RUN_ALREADY_STARTED', `run ${runId} has already started; resume it instead`, {
      category: 'user',
    });
  }
  return prepare(store, record, options, undefined);
}

/**
 * Continues an interrupted run exactly: rebuilds it from its stored scenario version, seed and
 * parameters; `persistence.start()` re-executes the committed steps silently (model calls
 * answered from the stored cassette, control inputs re-applied at their boundaries, every event
 * checked against the stored one: `RESUME_DIVERGED` when one differs), then continues live from
 * the first uncommitted step — model calls already recorded for it are reused, not paid again.
 * A stopped or failed run is reopened first ({@link Store.reopenRun}): its closing events go.
 * @throws {SandtableError} RUN_NOT_FOUND; RUN_NOT_RESUMABLE for a completed run
 */
export async function resumeRun(store: Store, runId: string, options: PersistOptions): Promise<PersistedRun> {
  let record = await store.getRun(runId);
  if (!record)
    throw new SandtableError('RUN_NOT_FOUND', `run "${runId}" was not found`, { category: 'user' });
  if (record.status === 'completed') {
    throw new SandtableError(
      'RUN_NOT_RESUMABLE',
      `run ${runId} has completed (${record.reason ?? 'no reason recorded'}); there is nothing left to run`,
      { category: 'user' },
    );
  }
  // Back to the last committed step: a stopped (Ctrl-C) or failed run loses its closing events,
  // a run that died paused its boundary events (its stored inputs regenerate them).
  record = await store.reopenRun(runId);
  return prepare(store, record, options, { steps: record.lastStep });
}

/**
 * Rebuilds a stored run positioned after step `step` (re-executed and verified like a resume),
 * paused there, writing nothing: for inspecting state, interviewing agents as they were, or
 * driving a fork. Await `ready` after calling `persistence.start()` (do not await start: it
 * resolves when the run ends). Stop the run when done.
 * @throws {SandtableError} RUN_NOT_FOUND; STEP_NOT_COMMITTED when the step is beyond the stored ones
 */
export async function restoreRunTo(
  store: Store,
  runId: string,
  step: number,
  options: PersistOptions,
): Promise<PersistedRun & { ready: Promise<void> }> {
  const record = await store.getRun(runId);
  if (!record)
    throw new SandtableError('RUN_NOT_FOUND', `run "${runId}" was not found`, { category: 'user' });
  if (!Number.isInteger(step) || step < 0 || step > record.lastStep) {
    throw new SandtableError(
      'STEP_NOT_COMMITTED',
      `run ${runId} has committed steps 1..${record.lastStep}; cannot restore to step ${step}`,
      { category: 'user' },
    );
  }
  const prepared = await prepare(store, record, options, { steps: step, pauseAfter: true, readOnly: true });
  return { ...prepared, ready: prepared.persistence.ready };
}

/** What {@link forkRun} takes. */
export interface ForkInput {
  /** The parent's committed step the child branches after. */
  atStep: number;
  /** Control inputs applied at the fork's boundary (changed variables, injected events, messages…). */
  inputs?: ControlInput[];
  /** @defaultValue a new id */
  id?: string;
  /** @defaultValue `<parent name> (fork at N)` */
  name?: string;
}

/**
 * Branches a run after step N: a new run with the parent's scenario version, seed and
 * parameters whose first N steps are copied from the parent, and whose changes are control
 * inputs applied at the boundary after step N (so the child's prefix stays exactly the parent's
 * and the child resumes deterministically). Start the child with {@link resumeRun}.
 * @throws {SandtableError} RUN_NOT_FOUND; STEP_NOT_COMMITTED
 */
export async function forkRun(store: Store, parentRunId: string, input: ForkInput): Promise<RunRecord> {
  const parent = await store.getRun(parentRunId);
  if (!parent)
    throw new SandtableError('RUN_NOT_FOUND', `run "${parentRunId}" was not found`, { category: 'user' });
  if (!Number.isInteger(input.atStep) || input.atStep < 0 || input.atStep > parent.lastStep) {
    throw new SandtableError(
      'STEP_NOT_COMMITTED',
      `run ${parentRunId} has committed steps 1..${parent.lastStep}; cannot fork at step ${input.atStep}`,
      { category: 'user' },
    );
  }
  const child = await store.createRun({
    ...(input.id ? { id: input.id } : {}),
    workspaceId: parent.workspaceId,
    scenarioId: parent.scenarioId,
    scenarioVersion: parent.scenarioVersion,
    name: input.name ?? `${parent.name} (fork at ${input.atStep})`,
    seed: parent.seed,
    parameters: parent.parameters,
    options: parent.options,
    totalSteps: parent.totalSteps,
    parentRunId,
    forkStep: input.atStep,
    status: 'created',
  });
  await store.copyRunPrefix(parentRunId, child.id, input.atStep);
  if (input.inputs && input.inputs.length > 0)
    await store.addControlInputs(child.id, input.atStep, input.inputs);
  const record = await store.getRun(child.id);
  return record!;
}
