import type { AgentRuntime } from '../agents/agent-runtime';
import type { Brain } from '../agents/brain';
import { ModelBrain, type ModelBrainOptions } from '../agents/model-brain';
import type { Environment } from '../environments/environment';
import { SandtableError } from '../errors';
import { gameMasterFor } from '../game-master/create-game-master';
import type { GameMasterLogRecord } from '../game-master/game-master-log';
import { DocumentSearchEnvironment } from '../grounding/document-search-environment';
import { DocumentEmbedder, HybridDocumentSearchEnvironment } from '../grounding/hybrid-document-search';
import { LongTermMemory } from '../grounding/long-term-memory';
import { MemoryEmbedder } from '../grounding/long-term-memory-embedder';
import { wantsLongTermMemory } from '../grounding/scenario-grounding';
import { servesEmbeddings } from '../model/embeddings';
import { BudgetedRouter, type ModelBudget } from '../model/model-budget';
import type { ChatRouter } from '../model/run-recording';
import type { Scenario } from '../scenario/scenario';
import type { GameMaster } from './game-master';
import { Run } from './run';

/** Model settings for LLM-backed agents. */
export interface EngineModels {
  /** A {@link ModelRouter}, or a recording or replaying stand-in. */
  router: ChatRouter;
  /** Options passed to every {@link ModelBrain}. */
  brain?: Pick<ModelBrainOptions, 'actionFormat' | 'maxAttempts' | 'temperature' | 'budget'>;
  /** A cap on each run's model tokens or cost, and what happens past it. */
  spending?: ModelBudget;
}

/** Options for {@link createEngine}. */
export interface EngineOptions {
  /**
   * Model endpoints for agents whose `brain` names a tier (`fast`, `smart`, …), an endpoint id or
   * `endpoint/model`. Agents whose brain the router does not know run on the rule brain, and the
   * run says so once in a `run-notice`.
   */
  models?: EngineModels;
  /**
   * Supplies a brain for agents whose `brain` is not `rules`, before `models` is consulted (for
   * custom or scripted brains). `rules` is the run's rule brain, for fallbacks.
   */
  brainFor?: (agent: AgentRuntime, rules: Brain) => Brain | undefined;
  /** Extra environments every run gets. */
  environments?: () => Environment[];
  /**
   * A game master for a scenario, or undefined for none.
   * @defaultValue the scenario's `game_master` block: through `models` when its brain is served,
   * else the rule-based game master
   */
  gameMaster?: (scenario: Scenario) => GameMaster | undefined;
  /** Receives the model game master's log records (seed 004's ENG codes). */
  onGameMasterLog?: (record: GameMasterLogRecord) => void;
}

/** Options of one run. */
export interface CreateRunOptions {
  /** An id recorded with model calls (and, later, in the store). */
  runId?: string;
}

/** Creates runs of scenarios. */
export interface Engine {
  /** A new run, not yet started. `seed` is taken from the scenario (set it when loading). */
  createRun(scenario: Scenario, options?: CreateRunOptions): Run;
}

/**
 * The documents environment, when the scenario's documents gave any passages: hybrid (BM25 and
 * embeddings) when the router serves the embedding tier, BM25 alone otherwise.
 */
function groundingEnvironments(
  scenario: Scenario,
  router: ChatRouter | undefined,
  runId: string | undefined,
  warn: (message: string) => void,
): Environment[] {
  const grounding = scenario.grounding;
  if (!grounding || grounding.documents.size === 0) return [];
  if (router && servesEmbeddings(router)) {
    const embedder = new DocumentEmbedder(router, { warn, ...(runId ? { runId } : {}) });
    return [
      new HybridDocumentSearchEnvironment(grounding.documents, grounding.passagesPerObservation, embedder),
    ];
  }
  return [new DocumentSearchEnvironment(grounding.documents, grounding.passagesPerObservation)];
}

/**
 * Creates the engine.
 * @example
 * import { loadScenario, createEngine } from '@sandtable/core';
 * const scenario = await loadScenario('scenarios/port-strike.yaml', { seed: 7 });
 * const run = createEngine().createRun(scenario);
 * run.subscribe((event) => { if (event.type === 'step-completed') console.log(event.step, event.metrics); });
 * const result = await run.start();
 */
export function createEngine(options: EngineOptions = {}): Engine {
  return {
    createRun(scenario, runOptions = {}) {
      if (scenario.worldNotBuilt) {
        throw new SandtableError(
          'WORLD_NOT_BUILT',
          `scenario "${scenario.name}" builds its world from files (data, documents, personas), but they were not read: load it with loadScenario or parseGroundedScenario`,
          { category: 'user' },
        );
      }
      const unserved = new Map<string, number>();
      let memoryEmbedder: MemoryEmbedder | undefined;
      const modelBrains = new Map<string, ModelBrain>();
      const spending = options.models?.spending;
      const router =
        options.models && spending
          ? new BudgetedRouter(options.models.router, spending, (message) => {
              run.notify(message);
              if (spending.onExceeded === 'stop') run.stop(message);
            })
          : options.models?.router;
      const gameMaster = options.gameMaster
        ? options.gameMaster(scenario)
        : gameMasterFor(scenario, {
            ...(router ? { router } : {}),
            ...(runOptions.runId ? { runId: runOptions.runId } : {}),
            ...(options.onGameMasterLog ? { onLog: options.onGameMasterLog } : {}),
          });
      const run: Run = new Run(scenario, {
        ...(gameMaster ? { gameMaster } : {}),
        environments: [
          ...(options.environments?.() ?? []),
          ...groundingEnvironments(scenario, router, runOptions.runId, (message) => run.notify(message)),
        ],
        brainFor(agent, rules) {
          // The one per-agent hook a run offers at creation: long-term memory is attached here.
          if (wantsLongTermMemory(scenario.memory, agent.spec.brain)) {
            // Hybrid recall for individual agents when the router serves the embedding tier
            // (population members stay on BM25, as in document search: they are many).
            if (agent.spec.population === undefined && router && servesEmbeddings(router))
              memoryEmbedder ??= new MemoryEmbedder(router, {
                warn: (message) => run.notify(message),
                ...(runOptions.runId ? { runId: runOptions.runId } : {}),
              });
            agent.longTermMemory = new LongTermMemory(
              {
                ...(scenario.memory ? { recall: scenario.memory.recall, block: scenario.memory.block } : {}),
              },
              agent.spec.population === undefined ? memoryEmbedder : undefined,
            );
          }
          if (agent.spec.brain === 'rules') return undefined;
          const custom = options.brainFor?.(agent, rules);
          if (custom) return custom;
          const target = agent.spec.brain;
          if (options.models && router?.hasTarget(target)) {
            let brain = modelBrains.get(target);
            if (!brain) {
              brain = new ModelBrain({
                ...options.models.brain,
                router,
                target,
                fallback: rules,
                runSeed: scenario.seed,
                ...(runOptions.runId ? { runId: runOptions.runId } : {}),
              });
              modelBrains.set(target, brain);
            }
            return brain;
          }
          unserved.set(target, (unserved.get(target) ?? 0) + 1);
          return undefined;
        },
        get notices() {
          return [
            ...[...unserved].map(
              ([brain, count]) =>
                `${count} agent${count === 1 ? '' : 's'} ask for brain "${brain}" but no model is configured for it; ` +
                'they run on the rule brain. Configure a model in sandtable.config.yaml or set SANDTABLE_MODEL_URL and SANDTABLE_MODEL (see `sandtable doctor`).',
            ),
            // World files that could not be used: the run goes on without them, and says so.
            ...(scenario.grounding?.warnings ?? []).map(
              (warning) => `world file ${warning.file}: ${warning.code}: ${warning.message}`,
            ),
          ];
        },
      });
      return run;
    },
  };
}
