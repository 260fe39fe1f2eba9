import { SandtableError } from '../errors';

/** A tool the model may call, in OpenAI's tool schema (used for every provider). */
export interface ToolSchema {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** A tool call the model made. `arguments` is the raw JSON text exactly as the model sent it. */
export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model sent it; parse it with {@link parseToolArguments}. */
  arguments: string;
}

/** One message of a conversation, in a provider-neutral shape. */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string };

/**
 * Asks for JSON output: any JSON object, or JSON matching a schema. Providers that can decode
 * against a schema natively do so; the others are asked for JSON in the prompt.
 */
export type ResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

/** Who a model call is made for; recorded with the call and named when a cassette misses. */
export interface RequestMetadata {
  runId?: string;
  step?: number;
  agentId?: string;
}

/** One chat request, provider-neutral. */
export interface ChatRequest {
  /** The model name the endpoint knows (e.g. `llama3.1:8b`, `gpt-4o-mini`). */
  model: string;
  messages: ChatMessage[];
  tools?: ToolSchema[];
  /** @defaultValue `'auto'` when tools are given */
  toolChoice?: 'auto' | 'required' | 'none';
  responseFormat?: ResponseFormat;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  /** Aborting it cancels the HTTP request. */
  signal?: AbortSignal;
  /** Stream the reply (the result is the same assembled {@link ChatResponse}). @defaultValue false */
  stream?: boolean;
  /** Run, step and agent the call is made for. Not sent to the model and not part of any hash. */
  metadata?: RequestMetadata;
  /**
   * Asks for embeddings of these texts instead of a reply (`POST /embeddings` on OpenAI-compatible
   * servers); `messages` is then empty and the vectors come back in {@link ChatResponse.embeddings},
   * in input order. An embedding call is a model call like any other, so routing, retries,
   * recording and replay treat it the same (decision 0014).
   */
  embed?: { input: string[] };
}

/** Token counts of one call. `promptTokens` includes `cachedPromptTokens`. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens the server served from its prefix cache (0 when it does not say). */
  cachedPromptTokens: number;
}

/** Why the model stopped. */
export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';

/** One assembled reply. */
export interface ChatResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: TokenUsage;
  /** Wall time of the call as the provider measured it, in milliseconds. */
  latencyMs: number;
  finishReason: FinishReason;
  /** The model that answered, as the server named it. */
  model: string;
  /** One vector per input of an embedding request ({@link ChatRequest.embed}), in input order. */
  embeddings?: number[][];
}

/** Something that answers chat requests: an HTTP provider, a scripted model or a replay. */
export interface ModelProvider {
  readonly id: string;
  readonly kind: 'openai' | 'anthropic' | 'scripted' | 'replay';
  /**
   * Sends one request, with no retries of its own.
   * @throws {@link ProviderError} for every failure (rate limit, timeout, abort, bad reply, …).
   */
  chat(request: ChatRequest): Promise<ChatResponse>;
  /** Lists the models the endpoint serves. @throws {@link ProviderError} */
  listModels?(signal?: AbortSignal): Promise<string[]>;
}

/**
 * Every code a {@link ProviderError} can carry. See docs/decisions/0002-model-layer.md for what
 * each means and whether the router retries it.
 */
export type ProviderErrorCode =
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_CONNECTION'
  | 'PROVIDER_BAD_REQUEST'
  | 'PROVIDER_AUTH'
  | 'PROVIDER_NOT_FOUND'
  | 'PROVIDER_MALFORMED_REPLY'
  | 'PROVIDER_ABORTED'
  | 'PROVIDER_CIRCUIT_OPEN'
  | 'PROVIDER_SCRIPT_EXHAUSTED'
  | 'PROVIDER_BUDGET_EXCEEDED'
  | 'CASSETTE_MISS';

/** Codes whose failures are worth another attempt, by default. */
const retryableCodes: ReadonlySet<ProviderErrorCode> = new Set<ProviderErrorCode>([
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_CONNECTION',
  'PROVIDER_MALFORMED_REPLY',
  'PROVIDER_CIRCUIT_OPEN',
]);

/** True when failures with this code are retried by default. */
export function isRetryableCode(code: ProviderErrorCode): boolean {
  return retryableCodes.has(code);
}

/** Options of a {@link ProviderError}. */
export interface ProviderErrorOptions {
  /** @defaultValue whether the code is retryable ({@link isRetryableCode}) */
  retryable?: boolean;
  /** HTTP status, when the server answered. */
  status?: number;
  /** How long the server asked us to wait before trying again (from `retry-after(-ms)`). */
  retryAfterMs?: number;
  /** Id of the provider or endpoint that failed. */
  providerId?: string;
  cause?: unknown;
}

/**
 * A model call failed. `retryable` says whether trying again (maybe elsewhere) can help; the
 * router only retries retryable errors. When thrown by the router, `attempts` lists every attempt
 * made for the call.
 */
export class ProviderError extends SandtableError {
  declare readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly providerId?: string;
  /** Every attempt made for the call, set when the router gives up. */
  attempts?: readonly AttemptRecord[];

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(code, message, { category: 'provider', cause: options.cause });
    this.name = 'ProviderError';
    this.retryable = options.retryable ?? isRetryableCode(code);
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.providerId !== undefined) this.providerId = options.providerId;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      retryable: this.retryable,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.providerId === undefined ? {} : { providerId: this.providerId }),
      ...(this.attempts === undefined ? {} : { attempts: this.attempts.length }),
    };
  }
}

/** How one attempt ended. `hedge-lost`: the other request of a hedged pair answered first. */
export type AttemptOutcome = 'ok' | 'error' | 'aborted' | 'hedge-lost';

/** Provenance of one attempt (one HTTP request) of a call routed by the `ModelRouter`. */
export interface AttemptRecord {
  endpointId: string;
  model: string;
  /** The target the call named: a tier, or an endpoint id. */
  tier: string;
  /** 1-based attempt number; a hedge shares the number of the attempt it hedged. */
  attempt: number;
  /** True for the second request of a hedged pair. */
  hedge: boolean;
  /** When the request was sent (epoch ms). */
  startedAt: number;
  latencyMs: number;
  /** Backoff waited before this attempt, in milliseconds. */
  delayBeforeMs: number;
  /** Time spent waiting for a slot on the endpoint (limit or retry-after pause), in milliseconds. */
  queuedMs: number;
  outcome: AttemptOutcome;
  errorCode?: string;
  status?: number;
  usage: TokenUsage;
  costUsd: number;
  /** The request's sampling and output settings (absent for replayed calls). */
  parameters?: {
    temperature?: number;
    maxTokens?: number;
    seed?: number;
    toolChoice?: string;
    responseFormat?: string;
    /** Number of tools offered. */
    tools: number;
  };
  /** SHA-256 of the canonical request (without signal, stream, metadata). */
  promptSha256: string;
  /** SHA-256 of the canonical response content; absent when there was none. */
  responseSha256?: string;
  runId?: string;
  step?: number;
  agentId?: string;
}

/** True when the value is a {@link ProviderError}. */
export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/** Token usage of a call that produced nothing. */
export function emptyUsage(): TokenUsage {
  return { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 };
}
