import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type AttemptRecord,
  agentNamesOf,
  Cassette,
  type ChatRouter,
  createEngine,
  describeModelConfig,
  formatGameMasterEvent,
  formatLogRecord,
  formatModelUsage,
  gameMasterDefinitionOf,
  gameMasterLogRecords,
  ModelUsage,
  PersonaModelCalls,
  parseGroundedScenario,
  RecordingRouter,
  ReplayRouter,
  type Run,
  resolveModelSetup,
  type Scenario,
  ScenarioError,
} from '@sandtable/core';
import { createStoredRun, openStore, type PersistedRun, persistRun, type Store } from '@sandtable/store';
import type { CommandIo } from '../command-io';
import { createLiveDisplay } from '../live-display';
import { createRunId, RunOutput } from '../run-output';
import { parseSetOptions } from '../set-options';

/** Options of `sandtable run`. */
export interface RunCommandOptions {
  steps?: number;
  seed?: number;
  out: string;
  set: string[];
  json?: boolean;
  /** Keep a cassette of every model reply in the run folder. */
  record?: boolean;
  /** Answer model calls from this cassette instead of a model server. */
  replay?: string;
  /** A model configuration file (default: sandtable.config.yaml, then env vars, then local servers). */
  modelConfig?: string;
  /** Replaces the scenario's clock mode. */
  clock?: 'rounds' | 'events';
  /** Cap on model tokens for the run. */
  maxTokens?: number;
  /** Cap on model cost for the run, in USD. */
  maxCost?: number;
  /** What happens past a cap. @defaultValue 'downgrade' */
  onBudget?: 'downgrade' | 'stop';
  /**
   * Store the run (embedded store, or PostgreSQL with `DATABASE_URL`) so `sandtable resume` can
   * continue it. `--no-store` sets it to false; callers that leave it out (replay) do not store.
   */
  store?: boolean;
  /** The embedded store's folder. @defaultValue `$SANDTABLE_HOME/store` or `~/.local/share/sandtable/store` */
  data?: string;
}

/**
 * Opens the store for a command. When the embedded store is held by another process (a server,
 * another run), a run goes on unstored with a note rather than failing.
 * @throws {SandtableError} STORE_UNAVAILABLE (bad `DATABASE_URL`, unreadable folder), and STORE_LOCKED when `required`
 */
export async function openCommandStore(
  options: { data?: string },
  io: CommandIo,
  required = false,
): Promise<Store | undefined> {
  try {
    return await openStore(options.data ? { directory: options.data } : {});
  } catch (error) {
    if (required || (error as { code?: string }).code !== 'STORE_LOCKED') throw error;
    io.err(`note: this run is not stored (${(error as Error).message})`);
    return undefined;
  }
}

/**
 * The model setup of one `run` or `replay`, opened at most once and shared by the scenario load
 * (personas a model writes, `personas.writer: model`) and the run, so the persona calls are
 * recorded with the run's (`--record`, the store) and replayed from them.
 */
export class CommandModels {
  readonly usage = new ModelUsage();
  /** The run folder, once open: attempts are logged there too. */
  output: RunOutput | undefined;
  /** The `--record` cassette's router, when recording. */
  recording: RecordingRouter | undefined;
  /** The model configuration as the run folder describes it. */
  description: unknown = null;
  /** What writes the scenario's personas: this setup live, or the replayed cassette's persona calls. */
  readonly personaModels: PersonaModelCalls;
  readonly #options: RunCommandOptions;
  readonly #io: CommandIo;
  #router: Promise<ChatRouter | undefined> | undefined;

  /** @param cassette - with `--replay`: the recording every call is answered from */
  constructor(options: RunCommandOptions, io: CommandIo, cassette?: Cassette) {
    this.#options = options;
    this.#io = io;
    if (cassette) {
      this.#router = Promise.resolve(new ReplayRouter(cassette));
      this.description = { replay: options.replay };
      this.personaModels = PersonaModelCalls.recorded(cassette.entries);
    } else {
      this.personaModels = new PersonaModelCalls({ live: () => this.router() });
    }
  }

  /** Attempts made before the run folder opened (writing personas while the scenario loaded). */
  readonly #pending: AttemptRecord[] = [];

  /** Counts an attempt and logs it in the run folder (once it is open). */
  readonly onAttempt = (record: AttemptRecord): void => {
    this.usage.add(record);
    if (this.output) this.output.recordAttempt(record);
    else this.#pending.push(record);
  };

  /** Opens the run folder to the attempt log, with the attempts made before it. */
  attach(output: RunOutput): void {
    this.output = output;
    for (const record of this.#pending.splice(0)) output.recordAttempt(record);
  }

  /** The router (live, recording with `--record`, or the replay), or undefined when no model is configured. */
  router(): Promise<ChatRouter | undefined> {
    this.#router ??= this.#open();
    return this.#router;
  }

  async #open(): Promise<ChatRouter | undefined> {
    const setup = await resolveModelSetup({
      ...(this.#options.modelConfig ? { configPath: this.#options.modelConfig } : {}),
      router: { onAttempt: this.onAttempt },
    });
    if (!setup.router) return undefined;
    if (setup.notice) this.#io.err(`note: ${setup.notice}`);
    this.description = setup.config ? describeModelConfig(setup.config) : null;
    if (!this.#options.record) return setup.router;
    this.recording = new RecordingRouter(setup.router);
    return this.recording;
  }
}

/**
 * Whether a live run should open the model setup: an agent or the game master thinks with a
 * model, or the world has documents and a model configuration was named (its `embedding` tier
 * then ranks passages by hybrid search). Rule-only runs otherwise never probe for a model server.
 */
export function usesModels(scenario: Scenario, configNamed: boolean): boolean {
  if (scenario.agents.some((agent) => agent.brain !== 'rules')) return true;
  const gameMaster = gameMasterDefinitionOf(scenario);
  if (gameMaster && gameMaster.brain !== 'rules') return true;
  return configNamed && (scenario.grounding?.documents.size ?? 0) > 0;
}

/** What a finished `runScenario` reports. */
export interface RunOutcome {
  exitCode: number;
  directory: string;
}

/** Reads and validates a scenario file, keeping its text for the run folder. */
export async function readScenario(
  file: string,
  overrides: {
    seed?: number;
    steps?: number;
    clock?: 'rounds' | 'events';
    parameters?: Record<string, string | number | boolean>;
  },
  personaModels?: PersonaModelCalls,
): Promise<{ scenario: Scenario; text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ScenarioError([{ file, message: `cannot read scenario: ${reason}` }], { cause: error });
  }
  return {
    scenario: await parseGroundedScenario(text, {
      ...overrides,
      file,
      ...(personaModels ? { personaModels } : {}),
    }),
    text,
  };
}

/**
 * Runs a validated scenario and writes its folder. Shared by `run` and `replay`; `models` is the
 * setup the scenario was loaded with (a new one from `options` when left out).
 * Exit codes: 0 done, 2 run failed, 130 interrupted.
 */
export async function runScenario(
  scenario: Scenario,
  scenarioText: string,
  options: RunCommandOptions,
  io: CommandIo,
  models?: CommandModels,
): Promise<RunOutcome> {
  const store = options.store === true ? await openCommandStore(options, io) : undefined;
  try {
    const setup =
      models ??
      new CommandModels(options, io, options.replay ? await Cassette.load(options.replay) : undefined);
    return await runScenarioWith(store, scenario, scenarioText, options, io, setup);
  } finally {
    await store?.close();
  }
}

async function runScenarioWith(
  store: Store | undefined,
  scenario: Scenario,
  scenarioText: string,
  options: RunCommandOptions,
  io: CommandIo,
  models: CommandModels,
): Promise<RunOutcome> {
  // Ids have one-second resolution: a second run of the same scenario and seed within that second
  // gets a suffix rather than colliding with the first in the store or its folder.
  const base = createRunId(scenario.name, scenario.seed);
  let runId = base;
  for (
    let attempt = 2;
    (store && (await store.getRun(runId))) || existsSync(join(options.out, runId));
    attempt++
  )
    runId = `${base}-${attempt}`;
  const directory = resolve(join(options.out, runId));
  const { usage, onAttempt } = models;
  const needsModels = usesModels(scenario, options.modelConfig !== undefined);
  // A replay always answers from its cassette; a live run opens the model only when the scenario
  // needs it (the scenario load may have opened it already, to write personas).
  const router = options.replay || needsModels ? await models.router() : undefined;
  const spending =
    options.maxTokens !== undefined || options.maxCost !== undefined
      ? {
          ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
          ...(options.maxCost !== undefined ? { maxCostUsd: options.maxCost } : {}),
          onExceeded: options.onBudget ?? 'downgrade',
        }
      : undefined;
  // With a store, the run's model calls go through its persistent router (each call stored as it
  // completes, so `sandtable resume` never pays for one twice).
  const buildRun = (wrap?: (live?: ChatRouter) => ChatRouter) => {
    const engineRouter = router && wrap ? wrap(router) : router;
    return createEngine({
      ...(engineRouter
        ? {
            models: {
              router: options.replay ? countingRouter(engineRouter, onAttempt) : engineRouter,
              ...(spending ? { spending } : {}),
            },
          }
        : {}),
      onGameMasterLog: (record) => models.output?.appendLine('game-master.jsonl', formatLogRecord(record)),
    }).createRun(scenario, { runId });
  };
  let persisted: PersistedRun | undefined;
  if (store) {
    const { record } = await createStoredRun(store, {
      personaModels: models.personaModels,
      id: runId,
      source: scenarioText,
      ...(scenario.source ? { origin: resolve(scenario.source) } : {}),
      seed: scenario.seed,
      parameters: parseSetOptions(options.set),
      setup: {
        ...(options.steps !== undefined ? { steps: options.steps } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
        ...(options.maxCost !== undefined ? { maxCost: options.maxCost } : {}),
        ...(options.onBudget ? { onBudget: options.onBudget } : {}),
      },
    });
    persisted = await persistRun(store, record.id, { createRun: ({ router: wrap }) => buildRun(wrap) });
    io.err(`Run ${runId} is stored in ${store.location}; if it is interrupted: sandtable resume ${runId}`);
  }
  return await executeRun(persisted?.run ?? buildRun(), {
    scenarioText,
    options,
    io,
    directory,
    runId,
    usage,
    // Persona calls alone (rule agents) are recorded too: replay rebuilds the personas from them.
    recording: models.recording,
    modelDescription: models.description,
    persisted,
    setOutput: (opened) => models.attach(opened),
  });
}

/** What {@link executeRun} needs besides the run. */
export interface ExecuteRunContext {
  scenarioText: string;
  options: Pick<RunCommandOptions, 'json'>;
  io: CommandIo;
  directory: string;
  runId: string;
  usage: ModelUsage;
  recording?: RecordingRouter | undefined;
  modelDescription: unknown;
  /** The run's persistence, when it is stored: started instead of the bare run. */
  persisted?: PersistedRun | undefined;
  setOutput: (output: RunOutput) => void;
}

/**
 * Runs a built run with the live display, its folder and Ctrl-C handling. Shared by `run` and
 * `resume`. Exit codes: 0 done, 2 run failed, 130 interrupted.
 */
export async function executeRun(run: Run, context: ExecuteRunContext): Promise<RunOutcome> {
  const { scenarioText, options, io, directory, runId, usage, recording, modelDescription, persisted } =
    context;
  const { scenario } = run;
  const opened = await RunOutput.open(directory, run, {
    runId,
    scenarioText,
    scenarioFile: scenario.source ?? null,
    seed: scenario.seed,
    steps: scenario.clock.steps,
    parameters: scenario.parameters,
    models: modelDescription,
  });
  context.setOutput(opened);
  const display = options.json ? undefined : createLiveDisplay({ tty: io.isTty, write: io.out });
  if (scenario.gameMaster) {
    // Seed 004's observability: the game master's reasoning, state changes, events and limits,
    // on the console and as JSONL records with its ENG codes.
    const logOptions = {
      agentNames: agentNamesOf(scenario),
      gameMaster: { name: 'game master', brain: scenario.gameMaster.brain },
    };
    run.subscribe((event) => {
      for (const record of gameMasterLogRecords(event, logOptions))
        opened.appendLine('game-master.jsonl', formatLogRecord(record));
      if (!options.json) for (const line of formatGameMasterEvent(event, logOptions)) io.out(line);
    });
  }
  if (options.json) run.subscribe((event) => io.out(JSON.stringify(event)));
  else run.subscribe((event) => display?.onEvent(event));

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.err('\nStopping after the current step (Ctrl-C again to quit at once)…');
    run.stop('interrupted (Ctrl-C)');
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    const result = persisted ? await persisted.persistence.start() : await run.start();
    display?.close();
    const modelUsage = usage.summary();
    await opened.finish(run, result, {
      ...(modelUsage.attempts > 0 ? { modelUsage } : {}),
      ...(recording ? { cassette: recording.cassette } : {}),
    });
    if (modelUsage.attempts > 0 && !options.json) io.out(formatModelUsage(modelUsage));
    if (result.status === 'failed') {
      const failure = (result as { error?: { code: string; message: string } }).error;
      const why = failure ? `${failure.code}: ${failure.message}` : result.reason;
      io.err(`Run failed: ${why}\nOutput: ${directory}`);
      return { exitCode: 2, directory };
    }
    if (result.status === 'stopped') {
      io.err(`Stopped after step ${result.steps}; partial output (the completed steps) is in ${directory}`);
      if (persisted) io.err(`Continue it with: sandtable resume ${runId}`);
      return { exitCode: 130, directory };
    }
    if (!options.json) io.out(`Output: ${directory}`);
    return { exitCode: 0, directory };
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

/** Reports replayed calls the way the router reports live ones. */
function countingRouter(router: ChatRouter, onAttempt: (record: AttemptRecord) => void): ChatRouter {
  return {
    hasTarget: (target) => router.hasTarget(target),
    async chat(target, request, options) {
      const routed = await router.chat(target, request, options);
      for (const attempt of routed.attempts) onAttempt(attempt);
      return routed;
    },
  };
}

/** `sandtable run FILE`. Exit codes: 0 done, 1 bad input, 2 run failed, 130 interrupted. */
export async function runCommand(file: string, options: RunCommandOptions, io: CommandIo): Promise<number> {
  const models = new CommandModels(
    options,
    io,
    options.replay ? await Cassette.load(options.replay) : undefined,
  );
  const { scenario, text } = await readScenario(
    file,
    {
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      parameters: parseSetOptions(options.set),
    },
    models.personaModels,
  );
  return (await runScenario(scenario, text, options, io, models)).exitCode;
}
