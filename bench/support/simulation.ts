/**
 * The simulated servers and virtual time, as the benchmarks use them. They belong to
 * `@sandtable/core/testing`; this file names them in one place.
 */

export type {
  ServerJob,
  ServerModel,
  ServerModelStats,
  ServerOutcome,
} from '@sandtable/core/testing';
export {
  type ApiServerProfile,
  apiProfile,
  type BoundJob,
  continuousBatchingProfile,
  createServerModel,
  distinctPrefixTokens,
  heavyTailApiProfile,
  type IterationServerProfile,
  PrefixCache,
  type PromptBlocks,
  type PromptLayout,
  type PromptTokens,
  profileServerOptions,
  renderPrompt,
  requestKey,
  runLowerBound,
  type ServerProfile,
  SimulatedServerProvider,
  serverProfiles,
  shareablePrefixes,
  simulatedDecision,
  slotServerProfile,
  stepLowerBound,
  VirtualClock,
} from '@sandtable/core/testing';
