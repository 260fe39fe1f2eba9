import type { GameMaster } from '../engine/game-master';
import { SandtableError, ScenarioError } from '../errors';
import type { ChatRouter } from '../model/run-recording';
import type { Scenario } from '../scenario/scenario';
import { formatPath } from '../scenario/source-map';
import type { GameMasterLogRecord } from './game-master-log';
import {
  GameMasterDefinition,
  type GameMasterDefinitionInput,
  type GameMasterSettings,
  gameMasterDefinitionOf,
} from './game-master-schema';
import { ModelGameMaster } from './model-game-master';
import { RuleGameMaster } from './rule-game-master';

/** Options of {@link gameMasterFor}. */
export interface GameMasterFactoryOptions {
  /** The run's model router; without it (or without a model for the brain) the rule-based game master runs. */
  router?: ChatRouter;
  /**
   * A game master block to use instead of the scenario's own `game_master`.
   * @defaultValue the scenario's `game_master` block
   */
  definition?: GameMasterDefinitionInput;
  /** Recorded with the game master's model calls. */
  runId?: string;
  /** Receives the model game master's log records (ENG003–ENG008). */
  onLog?: (record: GameMasterLogRecord) => void;
}

function settingsFrom(definition: GameMasterDefinitionInput): GameMasterSettings {
  const parsed = GameMasterDefinition.safeParse(definition);
  if (parsed.success) return parsed.data;
  throw new ScenarioError(
    parsed.error.issues.map((issue) => ({
      path: formatPath(['game_master', ...(issue.path as Array<string | number>)]),
      message: issue.message,
    })),
  );
}

/**
 * The game master for a scenario, or undefined when it has no `game_master` block. A model game
 * master when the router serves its `brain`; otherwise the rule-based one (when `rules_fallback`
 * is on, the default). Use it as the engine's factory.
 *
 * @throws {@link SandtableError} `GAME_MASTER_UNAVAILABLE` (category `user`) when no model serves
 * the brain and `rules_fallback` is false; {@link ScenarioError} for an invalid `definition`.
 * @example
 * const engine = createEngine({
 *   models: { router },
 *   gameMaster: (scenario) => gameMasterFor(scenario, { router }),
 * });
 */
export function gameMasterFor(
  scenario: Scenario,
  options: GameMasterFactoryOptions = {},
): GameMaster | undefined {
  const settings = options.definition ? settingsFrom(options.definition) : gameMasterDefinitionOf(scenario);
  if (!settings) return undefined;
  if (settings.brain === 'rules') return new RuleGameMaster({ scenario });
  if (options.router?.hasTarget(settings.brain)) {
    return new ModelGameMaster({
      router: options.router,
      scenario,
      settings,
      ...(options.runId ? { runId: options.runId } : {}),
      ...(options.onLog ? { onLog: options.onLog } : {}),
    });
  }
  const why = options.router
    ? `no model is configured for brain "${settings.brain}"`
    : `no model router was given for brain "${settings.brain}"`;
  if (settings.rules_fallback) return new RuleGameMaster({ scenario, reason: why });
  throw new SandtableError(
    'GAME_MASTER_UNAVAILABLE',
    `the game master needs a model but ${why}. Configure one in sandtable.config.yaml (or set SANDTABLE_MODEL_URL and SANDTABLE_MODEL; see \`sandtable doctor\`), or set game_master.rules_fallback: true to run the rule-based game master.`,
    { category: 'user' },
  );
}
