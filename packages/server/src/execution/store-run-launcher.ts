import {
  type AttemptRecord,
  type ChatRouter,
  createEngine,
  type EngineOptions,
  type ModelRouter,
  type RunEvent,
  resolveModelSetup,
} from '@sandtable/core';
import {
  loadStoredScenario,
  type PersistOptions,
  persistRun,
  type RunRecord,
  resumeRun,
  type Store,
} from '@sandtable/store';
import type { Logger } from '../operations/logger';
import { FairShareRouter } from './fair-share-router';
import type { LaunchedRun, LaunchOptions, RunLauncher } from './run-manager';

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
    const scenario = await loadStoredScenario(store, record);
    const needsModels =
      scenario.agents.some((agent) => agent.brain !== 'rules') || scenario.gameMaster !== undefined;
    const live = needsModels ? (await this.sharedRouter()).router : undefined;
    const options: PersistOptions = {
      createRun: ({ scenario: stored, record: current, router }) =>
        createEngine({ ...this.options.engine, models: { router: router(live) } }).createRun(stored, {
          runId: current.id,
        }),
      onCommitted: (batch) => onCommitted(batch.events),
    };
    // A fresh run records from step 1; anything else (a resume after a crash or shutdown, a
    // queued run, a fork child whose prefix was copied) re-executes its committed steps first.
    const prepared =
      record.status === 'created' && record.lastStep === 0
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
    };
  }

  /** Closes the model router this launcher opened. */
  async close(): Promise<void> {
    const shared = await this.shared;
    shared?.owned?.close();
  }
}
