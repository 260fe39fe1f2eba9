import { abortedError, type Clock } from './clock';

/** Options of an {@link EndpointLimiter}. */
export interface EndpointLimiterOptions {
  /** The most calls in flight at once; the adaptive limit never goes above it. */
  maxConcurrency: number;
  /** Adapt the limit to overload signals. When false the limit stays at `maxConcurrency`. @defaultValue true */
  adaptive?: boolean;
}

/** A slot for one call. Release it exactly once when the call ends (further calls are ignored). */
export interface Permit {
  /** The limiter's decrease epoch when the permit was granted. */
  readonly epoch: number;
  release(): void;
}

interface Waiter {
  resolve(permit: Permit): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * The in-flight limit of one endpoint, adapted to overload: it starts at `maxConcurrency`, halves on
 * an overload signal (429, 503, timeout; at most once per round of calls that were already in
 * flight), then slow-starts back: each window of one limit's worth of successes doubles it, up to
 * `maxConcurrency`; never below 1. Recovery is not gated on latency: LLM latencies spread
 * several-fold with output length alone, and with a latency gate (the earlier additive increase) one
 * burst of 429s left the limit halved for the rest of a run (decision 0005). A `retry-after` pauses the endpoint until that time. Waiters
 * are served first come, first served.
 */
export class EndpointLimiter {
  readonly maxConcurrency: number;
  readonly #clock: Clock;
  readonly #adaptive: boolean;
  readonly #waiters: Waiter[] = [];
  #limit: number;
  #inFlight = 0;
  #epoch = 0;
  #successStreak = 0;
  #pausedUntil = 0;
  #wakeHandle: unknown;
  #closed = false;

  constructor(clock: Clock, options: EndpointLimiterOptions) {
    this.#clock = clock;
    this.maxConcurrency = Math.max(1, Math.floor(options.maxConcurrency));
    this.#limit = this.maxConcurrency;
    this.#adaptive = options.adaptive ?? true;
  }

  /** The current in-flight limit. */
  get limit(): number {
    return this.#limit;
  }

  /** Calls holding a permit now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Calls waiting for a permit. */
  get queued(): number {
    return this.#waiters.length;
  }

  /** In flight + waiting: what least-outstanding-requests balancing compares. */
  get outstanding(): number {
    return this.#inFlight + this.#waiters.length;
  }

  /** Until when (epoch ms) the endpoint is paused by a `retry-after`; 0 when not paused. */
  get pausedUntil(): number {
    return this.#pausedUntil > this.#clock.now() ? this.#pausedUntil : 0;
  }

  /**
   * Waits for a slot.
   * @throws {@link ProviderError} `PROVIDER_ABORTED` when the signal fires while waiting or the limiter is closed.
   */
  acquire(signal?: AbortSignal): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(abortedError());
    if (this.#closed) return Promise.reject(abortedError('the model router was closed'));
    const permit = this.#waiters.length === 0 ? this.tryAcquire() : undefined;
    if (permit) return Promise.resolve(permit);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const position = this.#waiters.indexOf(waiter);
          if (position >= 0) this.#waiters.splice(position, 1);
          reject(abortedError());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#dispatch();
    });
  }

  /** A slot now, or undefined when none is free (hedges use this: they never queue). */
  tryAcquire(): Permit | undefined {
    if (this.#closed || this.#inFlight >= this.#limit || this.pausedUntil > 0) return undefined;
    this.#inFlight += 1;
    let released = false;
    return {
      epoch: this.#epoch,
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        this.#dispatch();
      },
    };
  }

  /**
   * A call succeeded: slow start — each window of `limit` successes doubles the limit, up to the
   * maximum. `latencyMs` is accepted for callers that report it; recovery does not depend on it.
   */
  recordSuccess(_latencyMs?: number): void {
    if (!this.#adaptive || this.#limit >= this.maxConcurrency) return;
    this.#successStreak += 1;
    if (this.#successStreak >= this.#limit) {
      this.#successStreak = 0;
      this.#limit = Math.min(this.maxConcurrency, this.#limit * 2);
      this.#dispatch();
    }
  }

  /**
   * The endpoint is overloaded (429, 503, timeout): halve the limit, unless it was already halved
   * since this call's permit was granted (one burst of failures halves once). A `retryAfterMs`
   * pauses the endpoint for that long.
   */
  recordOverload(permit: Permit | undefined, retryAfterMs?: number): void {
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pause(retryAfterMs);
    if (!this.#adaptive) return;
    if (permit !== undefined && permit.epoch !== this.#epoch) return;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#epoch += 1;
    this.#successStreak = 0;
  }

  /** Lets no call start on this endpoint for `milliseconds`. */
  pause(milliseconds: number): void {
    const until = this.#clock.now() + milliseconds;
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#scheduleWake();
  }

  /** Rejects every waiter and stops the wake-up timer. */
  close(): void {
    this.#closed = true;
    if (this.#wakeHandle !== undefined) this.#clock.clearTimeout(this.#wakeHandle);
    this.#wakeHandle = undefined;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(abortedError('the model router was closed'));
    }
  }

  #scheduleWake(): void {
    if (this.#wakeHandle !== undefined) this.#clock.clearTimeout(this.#wakeHandle);
    this.#wakeHandle = undefined;
    if (this.#waiters.length === 0) return;
    const wait = this.#pausedUntil - this.#clock.now();
    this.#wakeHandle = this.#clock.setTimeout(
      () => {
        this.#wakeHandle = undefined;
        this.#dispatch();
      },
      Math.max(1, wait),
    );
  }

  #dispatch(): void {
    while (this.#waiters.length > 0) {
      if (this.pausedUntil > 0) {
        if (this.#wakeHandle === undefined) this.#scheduleWake();
        return;
      }
      const permit = this.tryAcquire();
      if (!permit) return;
      const waiter = this.#waiters.shift() as Waiter;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(permit);
    }
  }
}
