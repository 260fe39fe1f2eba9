/**
 * Configuration and result types of the {@link SimulatedModelServer}. Every behaviour is plain
 * data (or an optional function), so benchmark profiles can be written down and reused.
 */

import type { SimulatedEmbeddingOptions } from './simulated-embeddings';

/**
 * A failure the server can inject into one chat request:
 * - `rate-limited`: 429 with `retry-after` and `retry-after-ms` headers
 * - `server-error`: 500
 * - `unavailable`: 503 with `retry-after`
 * - `connection-reset`: the socket is destroyed without an answer
 * - `hang`: no answer at all until the client disconnects (or the server closes)
 * - `truncated-stream`: the reply stops halfway, without a finish reason or `[DONE]`
 * - `malformed-tool-arguments`: tool-call arguments (or JSON-mode text) that are not JSON and cannot be repaired
 * - `wrong-tool-name`: the tool call names a tool that was not offered
 * - `prose-around-json`: the JSON (or the tool call) comes wrapped in chatty prose inside a code fence
 * - `queue-full`: 503 without `retry-after`, as Ollama answers when its request queue is full
 */
export type FaultKind =
  | 'rate-limited'
  | 'server-error'
  | 'unavailable'
  | 'connection-reset'
  | 'hang'
  | 'truncated-stream'
  | 'malformed-tool-arguments'
  | 'wrong-tool-name'
  | 'prose-around-json'
  | 'queue-full';

/** Every fault kind, in the order rates are drawn. */
export const faultKinds: readonly FaultKind[] = [
  'rate-limited',
  'server-error',
  'unavailable',
  'connection-reset',
  'hang',
  'truncated-stream',
  'malformed-tool-arguments',
  'wrong-tool-name',
  'prose-around-json',
  'queue-full',
];

/**
 * A deterministic fault schedule over chat requests in arrival order (0-based index). For each
 * request: `sequence[index]` if the sequence reaches it; else `rate-limited` inside a burst; else
 * one draw from a generator seeded with `seed` against `rates`.
 *
 * @example
 * // 10% 500s, 5% hangs, a 429 burst over requests 20–29
 * const faults: FaultPlan = { seed: 7, rates: { 'server-error': 0.1, hang: 0.05 }, rateLimitBursts: [{ fromRequest: 20, count: 10 }] };
 */
export interface FaultPlan {
  /** @defaultValue 1 */
  seed?: number;
  /** Probability of each fault per request; they should sum to at most 1. */
  rates?: Partial<Record<FaultKind, number>>;
  /** Explicit faults for the first requests (`'none'` for a normal answer). */
  sequence?: ReadonlyArray<FaultKind | 'none'>;
  /** Ranges of requests that all get 429. */
  rateLimitBursts?: ReadonlyArray<{ fromRequest: number; count: number }>;
  /** The wait announced with 429 and 503, in milliseconds. @defaultValue 1000 */
  retryAfterMs?: number;
}

/**
 * How long the server thinks before answering (before the first byte of a successful reply).
 * `lognormal` draws from a seeded generator: median `medianMilliseconds`, spread `sigma`
 * (1.0–1.5 gives a heavy tail), capped at `maxMilliseconds`.
 */
export type LatencyProfile =
  | { kind: 'fixed'; milliseconds: number }
  | { kind: 'lognormal'; medianMilliseconds: number; sigma: number; maxMilliseconds?: number; seed?: number };

/** What a request looked like, as the reply and fault functions see it. */
export interface RequestContext {
  /** 0-based arrival order among chat requests. */
  index: number;
  request: SimulatedChatRequest;
}

/** A chat request the server received, normalised over both wire formats. */
export interface SimulatedChatRequest {
  api: 'openai' | 'anthropic';
  index: number;
  model: string;
  stream: boolean;
  /** Messages as role + text (system prompt first for Anthropic; tool results have role `tool`). */
  messages: Array<{ role: string; content: string }>;
  tools: Array<{ name: string; description?: string; parameters: Record<string, unknown> }>;
  /** `'auto'`, `'required'`, `'none'`, or the name of a forced tool. */
  toolChoice?: string;
  responseFormat?:
    | { type: 'json_object' }
    | { type: 'json_schema'; name: string; schema: Record<string, unknown> };
  /** The parsed request body exactly as sent. */
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** A tool call in a scripted reply; arguments may be an object or raw text. */
export interface SimulatedToolCall {
  name: string;
  arguments: string | Record<string, unknown>;
}

/** What the model "says": text, or a structured answer. */
export type SimulatedReply =
  | string
  | { text?: string; toolCalls?: SimulatedToolCall[]; finishReason?: 'stop' | 'length' | 'tool_calls' };

/** Options of the simulated server. Everything is optional. */
export interface SimulatedServerOptions {
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /** @defaultValue 0 (any free port) */
  port?: number;
  /** Model ids listed by `GET /v1/models` and `GET /api/tags`. @defaultValue `['simulated-model']` */
  models?: string[];
  /** Thinking time, fixed, lognormal, or a function of the request. @defaultValue no delay */
  latency?: LatencyProfile | ((context: RequestContext) => number);
  /** Delay between streamed chunks, in milliseconds. @defaultValue 0 */
  streamChunkDelayMs?: number;
  /** Which requests fail and how. @defaultValue none */
  faults?: FaultPlan | ((context: RequestContext) => FaultKind | 'none' | undefined);
  /** Answer 429 while more than `maxInFlight` chat requests are open (a server at capacity). */
  capacity?: { maxInFlight: number; retryAfterMs?: number };
  /**
   * The model's answer to a request. @defaultValue a valid call of the first offered tool built
   * from its JSON schema, JSON matching the response schema in JSON mode, or a short text
   */
  reply?: (request: SimulatedChatRequest) => SimulatedReply | Promise<SimulatedReply>;
  /** Report prompt-prefix cache hits as cached tokens. @defaultValue true */
  prefixCache?: boolean;
  /** How `POST /v1/embeddings` answers. @defaultValue 128-dimensional vectors, the default synonym groups */
  embeddings?: SimulatedEmbeddingOptions;
  /** Keep every chat request for {@link SimulatedModelServer.requests}. Turn off in benchmarks. @defaultValue true */
  recordRequests?: boolean;
}

/** Counters of what the server saw. */
export interface SimulatedServerStats {
  /** Every HTTP request, any path. */
  requests: number;
  /** Chat requests (`/v1/chat/completions` and `/v1/messages`). */
  chatRequests: number;
  /** Embedding requests (`/v1/embeddings`), failed ones included. */
  embeddingRequests: number;
  /** Responses sent to the end (any status). */
  completed: number;
  /** Chat replies sent to the end with status 200. */
  succeeded: number;
  /** Requests whose client went away before the response was complete. */
  disconnects: number;
  /** Chat requests open right now, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  /** 429s sent because the capacity was exceeded. */
  capacityRejections: number;
  /** How many times each fault was injected. */
  faults: Record<FaultKind, number>;
}
