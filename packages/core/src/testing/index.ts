/**
 * `@sandtable/core/testing`: tools for testing scenarios and integrations without a real model.
 */
export {
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedReply,
  type ScriptedResponse,
  type ScriptedToolCall,
} from '../model/scripted-model';
export { type PersonaReplyOptions, personaReplyFromFacts } from './persona-replies';
export { type SmallRumourOptions, smallRumourScenario } from './rumour-scenario';
export * from './server-profiles';
export { exampleFromSchema } from './simulated-behaviour';
export {
  defaultSynonymGroups,
  type SimulatedEmbeddingOptions,
  simulatedEmbedding,
  synonymTable,
} from './simulated-embeddings';
export {
  SimulatedModelServer,
  type SimulatedServerBehaviour,
  startSimulatedModelServer,
} from './simulated-model-server';
export {
  type FaultKind,
  type FaultPlan,
  faultKinds,
  type LatencyProfile,
  type RequestContext,
  type SimulatedChatRequest,
  type SimulatedReply,
  type SimulatedServerOptions,
  type SimulatedServerStats,
  type SimulatedToolCall,
} from './simulated-server-types';
export * from './virtual-time/api-server-model';
export * from './virtual-time/create-server-model';
export * from './virtual-time/iteration-server-model';
export * from './virtual-time/lower-bound';
export * from './virtual-time/prefix-cache';
export * from './virtual-time/profile-server-options';
export * from './virtual-time/prompt-tokens';
export * from './virtual-time/server-model';
export * from './virtual-time/simulated-decision';
export * from './virtual-time/simulated-provider';
export * from './virtual-time/virtual-clock';
