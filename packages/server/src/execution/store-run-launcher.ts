import {
  type AttemptRecord,
  type ChatRouter,
  createEngine,
  type EngineOptions,
  type ModelRouter,
  PersonaModelCalls,
  ProviderError,
  type RunEvent,
  resolveModelSetup,
  type Scenario,
} from '@sandtable/core';
import {
  loadStoredScenario,
  type PersistOptions,
  persistRun,
  type RunRecord,
  restoreRunTo,
  resumeRun,
  type Store,
  writeStoredRunPersonas,
} from '@sandtable/store';
import { ApiError } from '../http/api-error';
import type { Logger } from '../operations/logger';
import { FairShareRouter } from './fair-share-router';
import type { LaunchedRun, LaunchOptions, RestoredRun, RunLauncher } from './run-manager';

/** Model settings shared by every run of a server. */
export interface ServerModels {
  /** A router to use instead of the configured one (tests, benchmarks). */
  router?: ChatRouter;
  /** No models at all, without looking for a configuration (rule agents only). @defaultValue false */
  disabled?: boolean;
  /** A model configuration file. @defaultValue sandtable.config.yaml, env vars, local servers */
  configPath?: string;
  /**
   * Calls in flight through the fair-share gate, all runs together.
   * @defaultValue the configured endpoints' combined `maxConcurrency`, else 16
   */
  capacity?: number;
}

/** Options of {@link StoreRunLauncher}. */
export interface StoreRunLauncherOptions {
  store: Store;
  logger: Logger;
  models?: ServerModels;
  /** Every model attempt (metrics). */
  onAttempt?: (record: AttemptRecord) => void;
  /** Engine options besides models (extra environments, custom brains). */
  engine?: Omit<EngineOptions, 'models'>;
}

/**
 * Builds a stored run's engine run and records it through the store (`persistRun` /
 * `resumeRun`): the scenario version, seed, parameters and overrides come from the record, so a
 * run launched again after a crash (or a fork child after its prefix was copied) re-executes its
 * committed steps silently and checked, with model calls answered from its stored cassette, then
 * goes on live.
 * Every run's model calls go through one {@link FairShareRouter}.
 */
export class StoreRunLauncher implements RunLauncher {
  private readonly options: StoreRunLauncherOptions;
  private shared: Promise<{ router: ChatRouter | undefined; owned?: ModelRouter }> | undefined;

  constructor(options: StoreRunLauncherOptions) {
    this.options = options;
  }

  /** The fair-share router over the configured models, set up on first need. */
  private sharedRouter(): Promise<{ router: ChatRouter | undefined; owned?: ModelRouter }> {
    this.shared ??= (async () => {
      const models = this.options.models ?? {};
      if (models.disabled) return { router: undefined };
      if (models.router) return { router: new FairShareRouter(models.router, models.capacity ?? 16) };
      const setup = await resolveModelSetup({
        ...(models.configPath ? { configPath: models.configPath } : {}),
        router: { ...(this.options.onAttempt ? { onAttempt: this.options.onAttempt } : {}) },
      });
      if (setup.notice) this.options.logger.info({ notice: setup.notice }, 'model setup');
      if (!setup.router) return { router: undefined };
      const capacity =
        models.capacity ??
        Math.max(
          1,
          setup.router.endpointStatus().reduce((sum, endpoint) => sum + endpoint.maxConcurrency, 0),
        );
      return { router: new FairShareRouter(setup.router, capacity), owned: setup.router };
    })();
    return this.shared;
  }

  /**
   * The server's configured models behind the shared fair-share gate — what runs use — for other
   * model work of the server (the model-written brief). Undefined when no model is configured.
   */
  async modelRouter(): Promise<ChatRouter | undefined> {
    return (await this.sharedRouter()).router;
  }

  async launch(
    record: RunRecord,
    onCommitted: (events: readonly RunEvent[]) => void,
    launchOptions: LaunchOptions = {},
  ): Promise<LaunchedRun> {
    const { store } = this.options;
    const fresh = record.status === 'created' && record.lastStep === 0;
    // A run created from text alone has its personas written (`personas.writer: model`) now.
    if (fresh) {
      const personaModels = new PersonaModelCalls({ live: async () => (await this.sharedRouter()).router });
      await writeStoredRunPersonas(store, record, personaModels);
    }
    const scenario = await loadStoredScenario(store, record);
    const live = usesModels(scenario) ? (await this.sharedRouter()).router : undefined;
    const options: PersistOptions = {
      createRun: ({ scenario: stored, record: current, router }) =>
        createEngine({ ...this.options.engine, models: { router: router(live) } }).createRun(stored, {
          runId: current.id,
        }),
      onCommitted: (batch) => onCommitted(batch.events),
    };
    // A fresh run records from step 1; anything else (a resume after a crash or shutdown, a
    // queued run, a fork child whose prefix was copied) re-executes its committed steps first.
    const prepared = fresh
      ? await persistRun(store, record.id, options)
      : await resumeRun(store, record.id, options);
    const { run, persistence } = prepared;
    if (launchOptions.startPaused || (launchOptions.pauseAfterReplay && record.lastStep === 0)) run.pause();
    else if (launchOptions.pauseAfterReplay) {
      const stopListening = run.subscribe((event) => {
        if (event.type === 'step-completed' && event.step === record.lastStep) {
          stopListening();
          run.pause();
        }
      });
    }
    return {
      run,
      done: persistence.start(),
      replaying: () => persistence.lastCommittedStep < record.lastStep,
      checkpoint: () => persistence.checkpoint(),
    };
  }

  /**
   * Rebuilds a stored run after its committed step `step`, writing nothing: the steps are
   * re-executed and checked against the stored events, model calls answered from the run's stored
   * cassette only. Once positioned, calls the cassette does not hold (an interview's question) go
   * to the server's models — unrecorded, so the stored run stays as it was. Close it when done.
   * @throws {ApiError} 500 RUN_RESTORE_FAILED when re-executing does not reproduce the stored run;
   * {SandtableError} STEP_NOT_COMMITTED
   */
  async restore(record: RunRecord, step: number): Promise<RestoredRun> {
    const { store } = this.options;
    // The same models as a launch, so the engine builds the same brains as the run had.
    const live = usesModels(await loadStoredScenario(store, record))
      ? (await this.sharedRouter()).router
      : undefined;
    let positioned = false;
    const prepared = await restoreRunTo(store, record.id, step, {
      createRun: ({ scenario, record: current, router }) =>
        createEngine({
          ...this.options.engine,
          models: { router: afterReplay(router(), live, () => positioned) },
        }).createRun(scenario, { runId: current.id }),
    });
    const { run } = prepared;
    // Positioned once paused at the boundary after `step`, or ended (the run's own end, or a divergence).
    const paused = new Promise<void>((resolve) => {
      const stopListening = run.subscribe((event) => {
        if (event.type !== 'run-paused') return;
        stopListening();
        resolve();
      });
    });
    const done = prepared.persistence.start();
    const ended = done.then((result) => result);
    await prepared.ready;
    const outcome =
      run.status === 'paused' ? undefined : await Promise.race([paused.then(() => undefined), ended]);
    positioned = true;
    if (outcome) {
      const result = outcome;
      if (result.error) {
        throw new ApiError(
          500,
          'RUN_RESTORE_FAILED',
          `run "${record.id}" could not be rebuilt to step ${step}: ${result.error.message}`,
        );
      }
    }
    return {
      run,
      step,
      async close() {
        run.stop('restored run closed');
        await done;
      },
    };
  }

  /** Closes the model router this launcher opened. */
  async close(): Promise<void> {
    const shared = await this.shared;
    shared?.owned?.close();
  }
}

/** Whether a scenario's run calls models (a model-backed agent or a game master). */
/** Agents or the game master think with a model, or documents may be ranked with embeddings. */
function usesModels(scenario: Scenario): boolean {
  return (
    scenario.agents.some((agent) => agent.brain !== 'rules') ||
    scenario.gameMaster !== undefined ||
    (scenario.grounding?.documents.size ?? 0) > 0
  );
}

/**
 * A restored run's router: the stored cassette answers everything; a call it does not hold fails
 * as a cassette miss while the run re-executes, and goes to `live` (unrecorded) once the run is
 * positioned.
 */
function afterReplay(
  recorded: ChatRouter,
  live: ChatRouter | undefined,
  positioned: () => boolean,
): ChatRouter {
  return {
    hasTarget: (target) => recorded.hasTarget(target) || (live?.hasTarget(target) ?? false),
    async chat(target, request, options) {
      try {
        return await recorded.chat(target, request, options);
      } catch (error) {
        if (live && positioned() && error instanceof ProviderError && error.code === 'CASSETTE_MISS')
          return live.chat(target, request, options);
        throw error;
      }
    },
  };
}
