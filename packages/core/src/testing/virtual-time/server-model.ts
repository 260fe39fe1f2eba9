import type { Clock } from '../../model/clock';
import { createRandom, type Random } from '../../random';
import type { PromptBlocks } from './prompt-tokens';

/** One request as a simulated server model sees it. */
export interface ServerJob {
  /**
   * What the request is for: the request's `seed`, which the model brain derives from the run
   * seed, the step and the agent. Every random draw about an attempt is keyed by it and by how many
   * attempts of the key the server admitted before, so schedulers that send the same requests in
   * different orders (or get refused a different number of times) get the same draws.
   */
  key: string;
  prompt: PromptBlocks;
  /** Tokens the model will answer with (the reply is decided by the workload, not the server). */
  outputTokens: number;
  /** The request's `max_tokens`, which rate limits count at admission. */
  maxTokens: number;
}

/** How a request ended at the server. */
export type ServerOutcome =
  | {
      ok: true;
      promptTokens: number;
      /** Prompt tokens served from a prefix cache. */
      cachedTokens: number;
      completionTokens: number;
    }
  | {
      ok: false;
      /** HTTP status: 429 (rate limit, gateway), 503 (queue full), 500… */
      status: number;
      /** What the server says in `retry-after-ms`, when it says anything. */
      retryAfterMs?: number;
      /** Other response headers (e.g. the `x-ratelimit-*` of a rate-limit refusal). */
      headers?: Record<string, string>;
      message: string;
    };

/** A request in progress. */
export interface ServerHandle {
  /** Settles (never rejects) when the answer, or a refusal, reaches the client. */
  outcome: Promise<ServerOutcome>;
  /** The client went away: the server stops working on it (tokens already spent stay spent). */
  cancel(): void;
  /** Set when the server refused the request on arrival (also delivered through `outcome`). */
  refusal?: ServerOutcome & { ok: false };
}

/** What a server model did. Token counts are of requests that were admitted. */
export interface ServerModelStats {
  requests: number;
  completed: number;
  /** Refusals and failures by HTTP status (429, 503, 500…). */
  failures: Record<string, number>;
  cancelled: number;
  promptTokens: number;
  cachedTokens: number;
  /** Prompt tokens actually computed (prompt − cached; for cancelled requests, what was done). */
  prefillTokens: number;
  /** Output tokens generated, including those of cancelled requests. */
  outputTokens: number;
  /** Prompt and output tokens spent on requests that were cancelled. */
  cancelledTokens: number;
  /** Scheduler iterations (iteration servers only). */
  iterations: number;
  /** Time with at least one request being computed, in milliseconds (iteration servers only). */
  busyMilliseconds: number;
}

/** A simulated model server: admits, computes and answers requests in (virtual or real) time. */
export interface ServerModel {
  submit(job: ServerJob): ServerHandle;
  stats(): ServerModelStats;
}

/**
 * The clock a server model runs on: the router's {@link Clock}, optionally with timers for the
 * server's own bookkeeping that the virtual clock fires without letting client code settle.
 */
export interface ServerClock extends Clock {
  setInternalTimeout?(callback: () => void, milliseconds: number): unknown;
}

/** Options of a server model. */
export interface ServerModelOptions {
  clock: ServerClock;
  /** Seed of every draw. */
  seed: number;
  /**
   * `refuse` answers 429/503 as the profile says; `wait` never refuses — rate-limited requests
   * wait for their tokens, queues are unbounded, gateways let everything through (the
   * all-calls-in-flight oracle: a client that knows the limits exactly). @defaultValue 'refuse'
   */
  admission?: 'refuse' | 'wait';
}

/** Counts the admitted attempts of each key, for per-attempt draws. */
export class AttemptCounter {
  readonly #counts = new Map<string, number>();

  /** The generator for the next admitted attempt of `key`: seeded with (seed, key, attempt number). */
  next(seed: number, key: string): Random {
    const occurrence = this.#counts.get(key) ?? 0;
    this.#counts.set(key, occurrence + 1);
    return createRandom(seed, ['attempt', key, occurrence]);
  }
}

/** Fresh, zeroed counters. */
export function emptyServerStats(): ServerModelStats {
  return {
    requests: 0,
    completed: 0,
    failures: {},
    cancelled: 0,
    promptTokens: 0,
    cachedTokens: 0,
    prefillTokens: 0,
    outputTokens: 0,
    cancelledTokens: 0,
    iterations: 0,
    busyMilliseconds: 0,
  };
}

/** A standard normal draw (Box–Muller). */
export function normalDraw(random: Random): number {
  const first = 1 - random.next();
  const second = random.next();
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}

/**
 * Hands an outcome to the client on a client-visible timer, so a virtual clock lets client code
 * react at this very instant before time moves on.
 */
export function deliver(
  clock: ServerClock,
  resolve: (outcome: ServerOutcome) => void,
  outcome: ServerOutcome,
): void {
  clock.setTimeout(() => resolve(outcome), 0);
}
