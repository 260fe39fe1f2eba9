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
export { exampleFromSchema } from './simulated-behaviour';
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
