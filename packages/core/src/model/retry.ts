import type { ProviderError, TokenUsage } from './types';

/** How the router retries one call. */
export interface RetryPolicy {
  /** Attempts per call, the first included. @defaultValue 4 */
  maxAttempts?: number;
  /** Backoff before the first retry; doubles each retry. @defaultValue 200 */
  baseDelayMs?: number;
  /** Longest backoff. @defaultValue 5000 */
  maxDelayMs?: number;
  /** Longest `retry-after` the router honours by pausing an endpoint. @defaultValue 30000 */
  maxRetryAfterMs?: number;
  /**
   * Refusals (429, or 503/529 "busy") a call may retry beyond its `maxAttempts`: a server that
   * answers at once that it is busy has done no work and usually says when to come back, so under a
   * sustained rate limit a call should wait its turn rather than run out of attempts. @defaultValue 20
   */
  maxRefusals?: number;
}

/** A {@link RetryPolicy} with every field filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/** Fills in the defaults of a {@link RetryPolicy}. */
export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  return {
    maxAttempts: Math.max(1, policy.maxAttempts ?? 4),
    baseDelayMs: policy.baseDelayMs ?? 200,
    maxDelayMs: policy.maxDelayMs ?? 5000,
    maxRetryAfterMs: policy.maxRetryAfterMs ?? 30_000,
    maxRefusals: Math.max(0, policy.maxRefusals ?? 20),
  };
}

/**
 * The jittered exponential backoff before retry number `retry` (1 for the first retry):
 * `min(maxDelayMs, baseDelayMs × 2^(retry−1))`, scaled by a factor in [0.5, 1) drawn from `random`
 * ("equal jitter": never less than half, so retries stay spread without bunching at zero).
 */
export function backoffDelay(policy: ResolvedRetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return ceiling * (0.5 + 0.5 * random());
}

/** True when the server refused the call at once because it is busy (429, 503/529): no work was done. */
export function isRefusal(error: ProviderError): boolean {
  return (
    error.code === 'PROVIDER_RATE_LIMITED' ||
    (error.code === 'PROVIDER_UNAVAILABLE' && (error.status === 503 || error.status === 529))
  );
}

/** True when the failure means the endpoint is overloaded (429, 503, timeout): shrink its limit. */
export function isOverload(error: ProviderError): boolean {
  return (
    error.code === 'PROVIDER_RATE_LIMITED' ||
    error.code === 'PROVIDER_TIMEOUT' ||
    (error.code === 'PROVIDER_UNAVAILABLE' && (error.status === 503 || error.status === 529))
  );
}

/**
 * True when the failure says the endpoint is unhealthy (cannot connect, times out, 5xx): it counts
 * towards opening the circuit. Rate limits do not (the endpoint is alive, just busy), nor do
 * malformed replies (a model problem), nor bad requests.
 */
export function isHealthFailure(error: ProviderError): boolean {
  // A 503/529 is a busy server (Ollama answers 503 when its queue is full, without retry-after),
  // not a broken one: it shrinks the in-flight limit and is retried on the refusal budget, but
  // must not open the circuit (bench: 193, then 488 of 1,000 calls fell back otherwise). A broken
  // server shows as connection errors, timeouts or 500/502/504.
  const busy = error.status === 503 || error.status === 529;
  return (
    error.code === 'PROVIDER_CONNECTION' ||
    error.code === 'PROVIDER_TIMEOUT' ||
    (error.code === 'PROVIDER_UNAVAILABLE' && !busy)
  );
}

/** Price of an endpoint in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  /** @defaultValue `inputPerMillion` */
  cachedInputPerMillion?: number;
  outputPerMillion: number;
}

/** The cost of one call in US dollars (0 without a price). */
export function costOf(usage: TokenUsage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  const cached = Math.min(usage.cachedPromptTokens, usage.promptTokens);
  const uncached = usage.promptTokens - cached;
  return (
    (uncached * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      usage.completionTokens * price.outputPerMillion) /
    1_000_000
  );
}
