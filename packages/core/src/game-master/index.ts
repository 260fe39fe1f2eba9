/**
 * The game master (seed 004): an engine-side authority over world variables. Its scenario block
 * ({@link GameMasterDefinition}), the factory the engine uses ({@link gameMasterFor}), the model
 * and rule-based game masters, and the seed-style console and JSONL log formatters.
 */
export { type GameMasterFactoryOptions, gameMasterFor } from './create-game-master';
export {
  type AgentResponse,
  describeResponse,
  GameMasterLedger,
  type GameMasterStepRecord,
  type GameMasterStepView,
} from './game-master-history';
export {
  agentNamesOf,
  formatGameMasterEvent,
  formatLogRecord,
  type GameMasterLogCode,
  type GameMasterLogOptions,
  type GameMasterLogRecord,
  gameMasterLogCodes,
  gameMasterLogRecords,
} from './game-master-log';
export { gameMasterStepPrompt, gameMasterSystemPrompt } from './game-master-prompt';
export {
  checkRuling,
  type RulingCheck,
  type RulingCheckStage,
  rulingJsonSchema,
  rulingKeys,
  typeProblem,
} from './game-master-reply';
export {
  GameMasterDefinition,
  type GameMasterDefinitionInput,
  type GameMasterSettings,
  gameMasterDefinitionOf,
} from './game-master-schema';
export { gameMasterAgentId, ModelGameMaster, type ModelGameMasterOptions } from './model-game-master';
export { RuleGameMaster, type RuleGameMasterOptions } from './rule-game-master';
