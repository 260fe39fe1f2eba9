/**
 * Keeps the latencies of an endpoint's recent successful calls and answers percentiles, for
 * hedging ("send a second request once this one is slower than 95% of recent ones").
 */
export class LatencyTracker {
  readonly #samples: number[] = [];
  readonly #capacity: number;
  #next = 0;
  #sortedCache: number[] | undefined;
  #addedSinceSort = 0;

  /** @param capacity - how many recent samples to keep. @defaultValue 200 */
  constructor(capacity = 200) {
    this.#capacity = capacity;
  }

  /** Number of samples held. */
  get count(): number {
    return this.#samples.length;
  }

  /** Adds one latency in milliseconds. */
  add(latencyMs: number): void {
    if (this.#samples.length < this.#capacity) this.#samples.push(latencyMs);
    else {
      this.#samples[this.#next] = latencyMs;
      this.#next = (this.#next + 1) % this.#capacity;
    }
    this.#addedSinceSort += 1;
  }

  /**
   * The latency below which `fraction` of the samples fall (0.95 → p95), or undefined with no
   * samples. Re-sorted at most every 10 new samples, which is plenty for a hedging threshold.
   */
  percentile(fraction: number): number | undefined {
    if (this.#samples.length === 0) return undefined;
    if (this.#sortedCache === undefined || this.#addedSinceSort >= 10) {
      this.#sortedCache = [...this.#samples].sort((first, second) => first - second);
      this.#addedSinceSort = 0;
    }
    const sorted = this.#sortedCache;
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
    return sorted[index];
  }

  /** The smallest recent latency, or undefined with no samples. */
  minimum(): number | undefined {
    return this.#samples.length === 0 ? undefined : Math.min(...this.#samples);
  }
}
