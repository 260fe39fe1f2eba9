import type { CircuitBreakerOptions, CircuitState } from './circuit-breaker';
import type { Clock } from './clock';
import type { ModelPrice, RetryPolicy } from './retry';
import type { AttemptOutcome, AttemptRecord, ChatRequest, ChatResponse, ModelProvider } from './types';

export type { AttemptOutcome, AttemptRecord };

/** One model endpoint: a provider, the model name it serves, and how hard to drive it. */
export interface ModelEndpoint {
  /** Unique id, used in tiers, records and `router.chat('<id>', …)`. */
  id: string;
  provider: ModelProvider;
  /** The model name sent to the provider. */
  model: string;
  /** Most calls in flight at once (the adaptive limit stays at or below it). */
  maxConcurrency: number;
  /** Timeout of one attempt, in milliseconds (waiting for a slot does not count). */
  timeoutMs: number;
  /** For cost accounting; calls cost 0 without it. */
  price?: ModelPrice;
}

/**
 * A tier's ordered fallback chain. Each entry is one priority level: an endpoint id, or several ids
 * of equal priority that share the load (least outstanding requests first). Later levels are used
 * when every endpoint of the earlier ones has its circuit open.
 *
 * @example
 * const smart: TierChain = [['vllm-a', 'vllm-b'], 'openai'];
 */
export type TierChain = ReadonlyArray<string | readonly string[]>;

/** Hedging: send a second request when the first is slower than usual; the first answer wins. */
export interface HedgingOptions {
  /** @defaultValue false */
  enabled?: boolean;
  /** Send the hedge once the call has run longer than this percentile of recent latencies. @defaultValue 0.95 */
  percentile?: number;
  /** Successful calls an endpoint needs before it is hedged. @defaultValue 20 */
  minSamples?: number;
  /** Never hedge sooner than this, in milliseconds. @defaultValue 0 */
  minDelayMs?: number;
  /** At most this many hedges per call made (a budget on extra load). @defaultValue 0.1 */
  maxExtraFraction?: number;
}

/** Options of a {@link ModelRouter}. */
export interface ModelRouterOptions {
  endpoints: ModelEndpoint[];
  /** Tier name (`fast`, `smart`, anything) → fallback chain of endpoint ids. */
  tiers: Record<string, TierChain>;
  retry?: RetryPolicy;
  circuitBreaker?: CircuitBreakerOptions;
  /** Adapt each endpoint's in-flight limit (AIMD). @defaultValue true */
  adaptiveConcurrency?: boolean;
  hedging?: HedgingOptions;
  /** Check replies ({@link checkReply}) and retry unusable ones. @defaultValue true */
  checkReplies?: boolean;
  /** Source of randomness for backoff jitter. @defaultValue a generator seeded with `seed` */
  random?: () => number;
  /** Seed of the default `random`. @defaultValue 1 */
  seed?: number;
  /** @defaultValue the system clock */
  clock?: Clock;
  /** Called with every attempt record as soon as the attempt ends. */
  onAttempt?: (record: AttemptRecord) => void;
}

/** Who a call is for; recorded on every attempt. */
export interface ChatCallOptions {
  /** Aborting it aborts the HTTP request in flight and any wait. */
  signal?: AbortSignal;
  runId?: string;
  step?: number;
  agentId?: string;
  /** Check this call's reply ({@link checkReply}) and retry unusable ones. @defaultValue the router's `checkReplies` */
  checkReply?: boolean;
  /**
   * Called each time an attempt gets its endpoint slot, after any queueing and before the request
   * is sent: model brains restart their decision timeout here, so waiting for a busy endpoint's
   * slot does not count against it (the router's own per-attempt timeout bounds the call).
   */
  onSlot?: () => void;
}

/** The result of a routed call. */
export interface RoutedChatResponse {
  response: ChatResponse;
  /** The endpoint whose answer won. */
  endpointId: string;
  /** Every attempt made, in order, hedges included. */
  attempts: AttemptRecord[];
}

/** Counters over the router's life. Invariant once calls settle: calls = successes + failures; attempts = calls + retries. */
export interface RouterStats {
  calls: number;
  successes: number;
  failures: number;
  /** First attempts and retries (hedges not included). */
  attempts: number;
  retries: number;
  /** Extra requests sent as hedges. */
  hedges: number;
  /** Hedges that answered first. */
  hedgeWins: number;
}

/** What the router knows about one endpoint right now. */
export interface EndpointStatus {
  id: string;
  model: string;
  maxConcurrency: number;
  /** The adaptive in-flight limit. */
  limit: number;
  inFlight: number;
  queued: number;
  circuit: CircuitState;
  /** Paused by a retry-after until this time (epoch ms), or 0. */
  pausedUntil: number;
  /** p95 latency of recent successful calls, when known. */
  p95LatencyMs?: number;
}

/** What agents need of a router: the {@link ModelRouter}, or a recording/replaying stand-in. */
export interface ChatRouter {
  hasTarget(target: string): boolean;
  chat(target: string, request: ChatRequest, options?: ChatCallOptions): Promise<RoutedChatResponse>;
}
