import type { Random } from '../../random';
import type { ApiServerProfile } from '../server-profiles';
import { PrefixCache } from './prefix-cache';
import {
  AttemptCounter,
  deliver,
  emptyServerStats,
  normalDraw,
  type ServerHandle,
  type ServerJob,
  type ServerModel,
  type ServerModelOptions,
  type ServerModelStats,
  type ServerOutcome,
} from './server-model';

/** A continuously refilled allowance (requests or tokens per minute). */
class TokenBucket {
  readonly #capacity: number;
  readonly #perMillisecond: number;
  #level: number;
  #updatedAt: number;

  constructor(perMinute: number, burstSeconds: number, now: number) {
    this.#perMillisecond = perMinute / 60_000;
    this.#capacity = Math.max(1, this.#perMillisecond * burstSeconds * 1000);
    this.#level = this.#capacity;
    this.#updatedAt = now;
  }

  /** What is left now, rounded down (never below 0). */
  remaining(now: number): number {
    this.#refill(now);
    return Math.max(0, Math.floor(this.#level));
  }

  /** Milliseconds until `amount` is available (0 when it is now). */
  waitFor(amount: number, now: number): number {
    this.#refill(now);
    return this.#level >= amount ? 0 : (amount - this.#level) / this.#perMillisecond;
  }

  /** Takes `amount`; the level may go below zero (a reservation that later requests queue behind). */
  take(amount: number, now: number): void {
    this.#refill(now);
    this.#level -= amount;
  }

  #refill(now: number): void {
    this.#level = Math.min(this.#capacity, this.#level + (now - this.#updatedAt) * this.#perMillisecond);
    this.#updatedAt = now;
  }
}

/**
 * A hosted API ({@link ApiServerProfile}): unlimited parallelism; per attempt a lognormal time to
 * first token (slowed for stragglers, lengthened by uncached prompt tokens), then one token every
 * `interTokenMilliseconds`; requests and tokens per minute enforced by buckets (429 with the exact
 * `retry-after`); a share of attempts failing with a 5xx after their time to first token.
 */
export class ApiServerModel implements ServerModel {
  readonly #profile: ApiServerProfile;
  readonly #options: ServerModelOptions;
  readonly #attempts = new AttemptCounter();
  readonly #cache: PrefixCache | undefined;
  readonly #requestBucket: TokenBucket | undefined;
  readonly #tokenBucket: TokenBucket | undefined;
  readonly #stats: ServerModelStats = emptyServerStats();

  constructor(profile: ApiServerProfile, options: ServerModelOptions) {
    this.#profile = profile;
    this.#options = options;
    this.#cache = profile.promptCache ? new PrefixCache(profile.promptCache) : undefined;
    const limits = profile.rateLimits;
    const now = options.clock.now();
    this.#requestBucket = limits
      ? new TokenBucket(limits.requestsPerMinute, limits.burstSeconds, now)
      : undefined;
    this.#tokenBucket = limits
      ? new TokenBucket(limits.tokensPerMinute, limits.burstSeconds, now)
      : undefined;
  }

  stats(): ServerModelStats {
    return { ...this.#stats, failures: { ...this.#stats.failures } };
  }

  submit(job: ServerJob): ServerHandle {
    const { clock, seed } = this.#options;
    const profile = this.#profile;
    const stats = this.#stats;
    stats.requests += 1;
    const now = clock.now();
    let resolve: (outcome: ServerOutcome) => void = () => undefined;
    const outcome = new Promise<ServerOutcome>((settle) => {
      resolve = settle;
    });

    const promptLength = job.prompt.length;
    const cost = promptLength + job.maxTokens;
    let startDelay = 0;
    if (this.#requestBucket && this.#tokenBucket) {
      const wait = Math.max(this.#requestBucket.waitFor(1, now), this.#tokenBucket.waitFor(cost, now));
      if (wait > 0 && (this.#options.admission ?? 'refuse') === 'refuse') {
        this.#fail(429);
        const limits = profile.rateLimits as NonNullable<ApiServerProfile['rateLimits']>;
        // The headers OpenAI sends with a rate-limit refusal.
        const headers = {
          'x-ratelimit-limit-requests': String(limits.requestsPerMinute),
          'x-ratelimit-remaining-requests': String(this.#requestBucket.remaining(now)),
          'x-ratelimit-limit-tokens': String(limits.tokensPerMinute),
          'x-ratelimit-remaining-tokens': String(this.#tokenBucket.remaining(now)),
        };
        const refusal = {
          ok: false as const,
          status: 429,
          retryAfterMs: Math.ceil(wait),
          headers,
          message: 'rate limit reached for requests or tokens per minute',
        };
        deliver(clock, resolve, refusal);
        return { outcome, cancel: () => undefined, refusal };
      }
      startDelay = wait;
      this.#requestBucket.take(1, now);
      this.#tokenBucket.take(cost, now);
    }

    // Drawn only for admitted attempts: a refusal does not change what a key's next attempt gets.
    const draws = apiAttemptDraws(profile, this.#attempts.next(seed, job.key));
    const cached = this.#cache ? this.#cache.lookupAndStore(job.prompt) : 0;
    const firstToken =
      draws.firstTokenMilliseconds + (promptLength - cached) * profile.prefillMillisecondsPerToken;
    const failing = draws.failing;
    const total = firstToken + (failing ? 0 : job.outputTokens * profile.interTokenMilliseconds);
    const startsAt = now + startDelay;
    stats.promptTokens += promptLength;
    stats.cachedTokens += cached;
    stats.prefillTokens += promptLength - cached;
    let done = false;
    const timer = clock.setTimeout(() => {
      done = true;
      if (failing) {
        this.#fail(profile.serverErrors.status);
        resolve({ ok: false, status: profile.serverErrors.status, message: 'internal server error' });
        return;
      }
      stats.completed += 1;
      stats.outputTokens += job.outputTokens;
      resolve({
        ok: true,
        promptTokens: promptLength,
        cachedTokens: cached,
        completionTokens: job.outputTokens,
      });
    }, startDelay + total);
    return {
      outcome,
      cancel: () => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        stats.cancelled += 1;
        const generated = Math.max(
          0,
          Math.min(
            job.outputTokens,
            Math.floor((clock.now() - startsAt - firstToken) / profile.interTokenMilliseconds),
          ),
        );
        stats.outputTokens += generated;
        stats.cancelledTokens += promptLength + generated;
        resolve({ ok: false, status: 499, message: 'the client closed the request' });
      },
    };
  }

  #fail(status: number): void {
    this.#stats.failures[status] = (this.#stats.failures[status] ?? 0) + 1;
  }
}

/** The random parts of one attempt at a hosted API. */
export interface ApiAttemptDraws {
  /** Time to first token before prefill, stragglers included. */
  firstTokenMilliseconds: number;
  /** The attempt fails with the profile's server error after its time to first token. */
  failing: boolean;
}

/**
 * Draws one attempt's time to first token and fate, always in the same order from the attempt's
 * generator (so the model and the analytic lower bound agree on every attempt).
 */
export function apiAttemptDraws(profile: ApiServerProfile, random: Random): ApiAttemptDraws {
  const firstTokenDraw = normalDraw(random);
  const stragglerDraw = random.next();
  const factorDraw = random.next();
  const errorDraw = random.next();
  const { stragglers } = profile;
  const factor =
    stragglerDraw < stragglers.probability
      ? stragglers.minimumFactor + factorDraw * (stragglers.maximumFactor - stragglers.minimumFactor)
      : 1;
  return {
    firstTokenMilliseconds:
      profile.firstToken.medianMilliseconds * Math.exp(profile.firstToken.sigma * firstTokenDraw) * factor,
    failing: errorDraw < profile.serverErrors.probability,
  };
}
