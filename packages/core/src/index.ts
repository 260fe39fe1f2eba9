/**
 * @sandtable/core — the simulation engine as a plain library: scenario format and loader, world
 * state, agents and brains, environments and tools, the scheduler and the run loop, events.
 * No HTTP server, database or UI.
 */
export type { AgentRuntime, AgentStatus } from './agents/agent-runtime';
export type { Brain, Decision, DecisionContext, Observation } from './agents/brain';
export { baselineMood, describeMood, type Mood } from './agents/emotion';
export {
  type ActionFormat,
  jsonActionSchema,
  ModelBrain,
  type ModelBrainOptions,
} from './agents/model-brain';
export {
  agentPrompt,
  buildDecisionMessages,
  defaultPromptBudget,
  estimateTokens,
  type PromptBudget,
  sharedPrompt,
} from './agents/prompt-builder';
export { RuleBrain, renderTemplate, ruleTraitDefaults } from './agents/rule-brain';
export * from './analysis/index';
export { InteractionGraph, type InteractionGraphOptions } from './analysis/interaction-graph';
export { type MetricTrajectory, RunRecorder } from './analysis/run-recorder';
export { renderRunSummary } from './analysis/run-summary';
export {
  type BeliefPositionChange,
  BeliefPositionLog,
  type BeliefPositions,
  beliefPositionDecimals,
  foldBeliefPositions,
  roundBeliefPosition,
} from './beliefs/belief-positions';
export { BeliefStore } from './beliefs/belief-store';
export { BeliefsDefinition } from './beliefs/beliefs-schema';
export {
  type CreateRunOptions,
  createEngine,
  type Engine,
  type EngineModels,
  type EngineOptions,
} from './engine/engine';
export { EventClock } from './engine/event-clock';
export { EventStream, type RunEventListener } from './engine/event-stream';
export type { GameMaster, GameMasterInput, GameMasterUpdate } from './engine/game-master';
export { type InjectedEvent, Run, type RunOptions, type RunResult, type RunStatus } from './engine/run';
export type {
  AgentFailureReason,
  DecisionSource,
  MessageRecord,
  RunEvent,
  RunEventOf,
  RunEventPayloads,
  RunEventType,
} from './engine/run-events';
export { wallClockFields } from './engine/run-events';
export { type PoolOptions, runPool, type TaskOutcome, TaskTimeoutError } from './engine/work-pool';
export {
  Bridge,
  type BridgeEvent,
  createEnvironments,
  type PublishingEnvironment,
} from './environments/bridge';
export { EconomicEnvironment } from './environments/economic-environment';
export type {
  ActionOutcome,
  Environment,
  EnvironmentContext,
  RuleCandidate,
} from './environments/environment';
export { EnvironmentDefinition, EnvironmentDefinitions } from './environments/environment-schemas';
export { MarketEnvironment } from './environments/market-environment';
export { MessagingEnvironment } from './environments/messaging-environment';
export { SocialEnvironment } from './environments/social-environment';
export {
  type ToolCallRequest,
  type ToolDefinition,
  toOpenAiTool,
  validateToolArguments,
} from './environments/tool';
export { formatValue, WorldActionsEnvironment } from './environments/world-actions-environment';
export {
  type ErrorCategory,
  ExpressionError,
  formatIssue,
  type Issue,
  isUserError,
  SandtableError,
  ScenarioError,
  type SourceLocation,
} from './errors';
export { type CompiledExpression, compileExpression, ExpressionChecker } from './expression';
export * from './game-master/index';
export { citationOf, type Passage } from './grounding/chunking';
export type { TableKind, TableMapping } from './grounding/column-mapping';
export { type PassageHit, PassageIndex } from './grounding/document-index';
export { DocumentSearchEnvironment } from './grounding/document-search-environment';
export { type DocumentsView, documentsEnvironmentName, type SeenPassage } from './grounding/documents-view';
export { type GroundingCode, GroundingError, type GroundingWarning } from './grounding/grounding-error';
export {
  DataDefinition,
  DocumentsDefinition,
  MemoryDefinition,
  PersonasDefinition,
} from './grounding/grounding-schema';
export { DocumentEmbedder, HybridDocumentSearchEnvironment } from './grounding/hybrid-document-search';
export { cosineSimilarity, hybridQuery, reciprocalRankFusion } from './grounding/hybrid-ranking';
export { LongTermMemory, type MemoryEntry, type Recollection } from './grounding/long-term-memory';
export { isPersonaCall, PersonaModelCalls, type PersonaModelSource } from './grounding/persona-calls';
export {
  type GeneratedPersona,
  generatePersonas,
  type PersonaRelationship,
  plannedRoles,
  roleAllocation,
} from './grounding/persona-generator';
export {
  type PersonaWriterOptions,
  personaCallPrefix,
  WrittenPersona,
  writePersonas,
} from './grounding/persona-writer';
export { prepareGrounding, type ScenarioGrounding } from './grounding/scenario-grounding';
export {
  type BuiltWorld,
  buildWorld,
  type DocumentSummary,
  type WorldFiles,
} from './grounding/world-builder';
export type { WorldSnapshot } from './grounding/world-snapshot';
export * from './model/index';
export { createRandom, deriveSeed, type Random } from './random';
export type { AgentSpec, MetricSpec, RoomSpec, Scenario, VariableValue } from './scenario/scenario';
export {
  type LoadScenarioOptions,
  loadScenario,
  parseGroundedScenario,
  parseScenario,
  type ScenarioValidation,
  validateScenarioText,
} from './scenario/scenario-loader';
export {
  type ScenarioFile,
  type ScenarioFileInput,
  ScenarioFileSchema,
  scenarioJsonSchema,
} from './scenario/scenario-schema';
export * from './scenario/seed-formats/index';
export { convertScenarioText, validateNativeText } from './scenario/seed-formats/scenario-conversion';
export * from './scenario/templates/index';
export type { ConstraintHit, StateChange } from './world/world-state';
export { WorldState } from './world/world-state';
