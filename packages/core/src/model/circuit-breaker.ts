import type { Clock } from './clock';

/** The state of a {@link CircuitBreaker}. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @defaultValue 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through. @defaultValue 10000 */
  cooldownMs?: number;
}

/**
 * A per-endpoint circuit breaker. Closed: calls go through. After `failureThreshold` consecutive
 * failures it opens: the endpoint is skipped (the router moves to the next endpoint of the tier).
 * After `cooldownMs` it is half-open: one probe call goes through; success closes it, failure
 * opens it again for another cooldown.
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #clock: Clock;
  #failures = 0;
  #openedAt: number | undefined;
  #probeInFlight = false;

  constructor(clock: Clock, options: CircuitBreakerOptions = {}) {
    this.#clock = clock;
    this.#threshold = Math.max(1, options.failureThreshold ?? 5);
    this.#cooldownMs = options.cooldownMs ?? 10_000;
  }

  /** The state now (open turns half-open once the cooldown has passed). */
  get state(): CircuitState {
    if (this.#openedAt === undefined) return 'closed';
    return this.#clock.now() - this.#openedAt >= this.#cooldownMs ? 'half-open' : 'open';
  }

  /** Consecutive failures so far. */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Whether a call may go to the endpoint now. */
  allowsAttempt(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.#probeInFlight);
  }

  /** Marks the start of a call (in half-open state it becomes the one probe). */
  onAttemptStart(): void {
    if (this.state === 'half-open') this.#probeInFlight = true;
  }

  /** The endpoint answered: close the circuit. */
  onSuccess(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
    this.#probeInFlight = false;
  }

  /** The endpoint failed in a way that says it is unhealthy. */
  onFailure(): void {
    this.#failures += 1;
    const wasProbe = this.#probeInFlight;
    this.#probeInFlight = false;
    if (wasProbe || this.#failures >= this.#threshold) this.#openedAt = this.#clock.now();
  }

  /** The call ended without saying anything about the endpoint's health (aborted, bad request). */
  onNeutral(): void {
    this.#probeInFlight = false;
  }
}
