import {
  type ChatCallOptions,
  type ChatRequest,
  type ChatRouter,
  errorFromAbort,
  type RoutedChatResponse,
} from '@sandtable/core';

interface Waiter {
  key: string;
  start: () => void;
}

/**
 * Shares one model router fairly between runs. The router's endpoint limiters serve waiting calls
 * first come, first served, so a run that queues 200 calls at once would make a 5-agent run wait
 * behind all of them. This gate lets at most `capacity` calls (the endpoints' combined limit)
 * through to the router and, when more wait, admits them round-robin by run id: every run with
 * waiting calls gets the next free slot in turn. Calls of one run keep their order.
 */
export class FairShareRouter implements ChatRouter {
  readonly #inner: ChatRouter;
  readonly #capacity: number;
  /** Waiting calls per run, in the order runs take turns (a served run moves to the back). */
  readonly #queues = new Map<string, Waiter[]>();
  #inFlight = 0;
  #waiting = 0;

  /** @param capacity calls in flight at once through this gate (≥ 1) */
  constructor(inner: ChatRouter, capacity: number) {
    this.#inner = inner;
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Calls waiting for a slot, all runs. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Calls admitted and not finished. */
  get inFlight(): number {
    return this.#inFlight;
  }

  hasTarget(target: string): boolean {
    return this.#inner.hasTarget(target);
  }

  async chat(
    target: string,
    request: ChatRequest,
    options: ChatCallOptions = {},
  ): Promise<RoutedChatResponse> {
    const key = options.runId ?? request.metadata?.runId ?? '';
    await this.#admit(key, options.signal ?? request.signal);
    try {
      return await this.#inner.chat(target, request, options);
    } finally {
      this.#inFlight -= 1;
      this.#dispatch();
    }
  }

  #admit(key: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.#waiting === 0 && this.#inFlight < this.#capacity) {
      this.#inFlight += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const queue = this.#queues.get(key);
        const position = queue?.indexOf(waiter) ?? -1;
        if (queue && position >= 0) {
          queue.splice(position, 1);
          if (queue.length === 0) this.#queues.delete(key);
          this.#waiting -= 1;
          reject(errorFromAbort(signal as AbortSignal, 'fair-share gate'));
        }
      };
      const waiter: Waiter = {
        key,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (signal?.aborted) {
        reject(errorFromAbort(signal, 'fair-share gate'));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.#queues.get(key);
      if (queue) queue.push(waiter);
      else this.#queues.set(key, [waiter]);
      this.#waiting += 1;
    });
  }

  #dispatch(): void {
    while (this.#inFlight < this.#capacity && this.#waiting > 0) {
      const [key, queue] = this.#queues.entries().next().value as [string, Waiter[]];
      const waiter = queue.shift() as Waiter;
      this.#queues.delete(key);
      if (queue.length > 0) this.#queues.set(key, queue);
      this.#waiting -= 1;
      this.#inFlight += 1;
      waiter.start();
    }
  }
}
