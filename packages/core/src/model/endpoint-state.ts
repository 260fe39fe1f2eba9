import type { CircuitBreaker } from './circuit-breaker';
import type { EndpointLimiter, Permit } from './endpoint-limiter';
import type { LatencyTracker } from './latency-tracker';
import type { ModelEndpoint } from './router-types';

/** What the router keeps per endpoint: its limit, its circuit and its recent latencies. */
export interface EndpointState {
  endpoint: ModelEndpoint;
  limiter: EndpointLimiter;
  breaker: CircuitBreaker;
  latency: LatencyTracker;
}

/**
 * Picks the endpoint for the next attempt: the first priority level with an endpoint whose circuit
 * lets a call through; within it, one not yet failed in this call, then not paused by a
 * retry-after, then with the fewest outstanding requests, then the first in order.
 */
export function pickEndpoint(
  levels: EndpointState[][],
  failed: ReadonlySet<string>,
): EndpointState | undefined {
  for (const level of levels) {
    const candidates = level.filter((state) => state.breaker.allowsAttempt());
    if (candidates.length === 0) continue;
    return candidates
      .map((state, order) => ({ state, order }))
      .sort(
        (first, second) =>
          Number(failed.has(first.state.endpoint.id)) - Number(failed.has(second.state.endpoint.id)) ||
          Number(first.state.limiter.pausedUntil > 0) - Number(second.state.limiter.pausedUntil > 0) ||
          first.state.limiter.outstanding - second.state.limiter.outstanding ||
          first.order - second.order,
      )[0]?.state;
  }
  return undefined;
}

/**
 * A free slot for a hedge in the primary's priority level, least outstanding first. Hedges never
 * queue: undefined when no endpoint of the level has a slot free now.
 */
export function hedgeSlot(
  primary: EndpointState,
  levels: EndpointState[][],
): { state: EndpointState; permit: Permit } | undefined {
  const level = levels.find((candidates) => candidates.includes(primary)) ?? [primary];
  const ordered = level
    .filter((state) => state.breaker.allowsAttempt())
    .sort((first, second) => first.limiter.outstanding - second.limiter.outstanding);
  for (const state of ordered) {
    const permit = state.limiter.tryAcquire();
    if (permit) return { state, permit };
  }
  return undefined;
}
