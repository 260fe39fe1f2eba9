import type { AgentRuntime } from '../agents/agent-runtime';
import type { Brain } from '../agents/brain';
import type { Environment } from '../environments/environment';
import type { Scenario } from '../scenario/scenario';
import type { GameMaster } from './game-master';
import { Run } from './run';

/** Options for {@link createEngine}. */
export interface EngineOptions {
  /**
   * Supplies a brain for agents whose `brain` is not `rules` (a tier such as `fast`, or
   * `provider/model`). Return undefined when none is available: the agent then runs on the rule
   * brain and the run says so in a `run-notice`.
   */
  brainFor?: (agent: AgentRuntime) => Brain | undefined;
  /** Extra environments every run gets. */
  environments?: () => Environment[];
  /** A game master for a scenario, or undefined for none. */
  gameMaster?: (scenario: Scenario) => GameMaster | undefined;
}

/** Creates runs of scenarios. */
export interface Engine {
  /** A new run, not yet started. `seed` is taken from the scenario (set it when loading). */
  createRun(scenario: Scenario): Run;
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
    createRun(scenario) {
      const unserved = new Map<string, number>();
      const gameMaster = options.gameMaster?.(scenario);
      const run = new Run(scenario, {
        ...(gameMaster ? { gameMaster } : {}),
        ...(options.environments ? { environments: options.environments() } : {}),
        brainFor(agent) {
          if (agent.spec.brain === 'rules') return undefined;
          const brain = options.brainFor?.(agent);
          if (!brain) unserved.set(agent.spec.brain, (unserved.get(agent.spec.brain) ?? 0) + 1);
          return brain;
        },
        get notices() {
          return [...unserved].map(
            ([brain, count]) =>
              `${count} agent${count === 1 ? '' : 's'} ask for brain "${brain}" but no model is configured; ` +
              'they run on the rule brain. Configure a model in sandtable.config.yaml or set SANDTABLE_MODEL_URL and SANDTABLE_MODEL.',
          );
        },
      });
      return run;
    },
  };
}
