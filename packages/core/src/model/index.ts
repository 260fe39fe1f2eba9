/**
 * The model layer: providers (OpenAI-compatible, Anthropic), the tiered router with retries,
 * adaptive concurrency, circuit breakers and hedging, record/replay cassettes, configuration and
 * the doctor. See docs/decisions/0002-model-layer.md.
 */
export {
  AnthropicProvider,
  type AnthropicProviderOptions,
  mapAnthropicStopReason,
} from './anthropic-provider';
export { canonicalJson, hashRequest, hashResponse, sha256 } from './canonical-json';
export {
  Cassette,
  type CassetteEntry,
  type CassetteOutcome,
  type CassetteRequest,
  RecordingProvider,
  ReplayProvider,
} from './cassette';
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker';
export { type Clock, systemClock } from './clock';
export {
  type DoctorCheck,
  type DoctorOptions,
  type DoctorReport,
  type EndpointDiagnosis,
  formatDoctorReport,
  runDoctor,
} from './doctor';
export {
  type EmbeddedTexts,
  type EmbedOptions,
  embeddingBatchSize,
  embeddingRequest,
  embeddingTier,
  embedTexts,
  servesEmbeddings,
} from './embeddings';
export { EndpointLimiter, type EndpointLimiterOptions, type Permit } from './endpoint-limiter';
export { type JsonReadResult, parseJsonReply, parseToolArguments } from './json-reply';
export { LatencyTracker } from './latency-tracker';
export { BudgetedRouter, type ModelBudget } from './model-budget';
export {
  buildModelRouter,
  createProvider,
  describeModelConfig,
  type EnvironmentVariables,
  loadModelConfigFile,
  ModelConfigError,
  type ModelSetup,
  type ModelSetupOptions,
  modelConfigFileNames,
  modelConfigFromEnvironment,
  noModelNotice,
  parseModelConfig,
  resolveModelSetup,
} from './model-config';
export {
  type EndpointConfig,
  type ModelConfig,
  type ModelConfigFile,
  modelConfigFileSchema,
  type RouterTuning,
} from './model-config-schema';
export { defaultProbeTargets, type ProbeResult, type ProbeTarget, probeLocalServers } from './model-probe';
export { formatModelUsage, ModelUsage, type ModelUsageSummary } from './model-usage';
export { mapOpenAIFinishReason, OpenAIProvider, type OpenAIProviderOptions } from './openai-provider';
export { errorFromAbort, errorFromStatus, retryAfterFromHeaders } from './provider-errors';
export { redactUrl } from './redact';
export { checkReply } from './reply-check';
export {
  backoffDelay,
  costOf,
  isHealthFailure,
  isOverload,
  type ModelPrice,
  type RetryPolicy,
} from './retry';
export { ModelRouter } from './router';
export type {
  ChatCallOptions,
  EndpointStatus,
  HedgingOptions,
  ModelEndpoint,
  ModelRouterOptions,
  RoutedChatResponse,
  RouterStats,
  TierChain,
} from './router-types';
export { type ChatRouter, RecordingRouter, ReplayRouter, replayedResponse } from './run-recording';
export {
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedReply,
  type ScriptedResponse,
  type ScriptedToolCall,
} from './scripted-model';
export {
  chatStructured,
  type StructuredCallOptions,
  type StructuredResult,
  type ValueParser,
  zodParser,
} from './structured-call';
export {
  type AttemptOutcome,
  type AttemptRecord,
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  emptyUsage,
  type FinishReason,
  isProviderError,
  isRetryableCode,
  type ModelProvider,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
  type RequestMetadata,
  type ResponseFormat,
  type TokenUsage,
  type ToolCall,
  type ToolSchema,
} from './types';
