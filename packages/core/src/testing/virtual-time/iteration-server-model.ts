import type { IterationServerProfile } from '../server-profiles';
import { PrefixCache } from './prefix-cache';
import { cacheBlockTokens } from './prompt-tokens';
import {
  deliver,
  emptyServerStats,
  type ServerHandle,
  type ServerJob,
  type ServerModel,
  type ServerModelOptions,
  type ServerModelStats,
  type ServerOutcome,
} from './server-model';

interface Sequence {
  job: ServerJob;
  resolve: (outcome: ServerOutcome) => void;
  state: 'waiting' | 'prefill' | 'decode' | 'finished' | 'cancelled';
  cachedTokens: number;
  prefillRemaining: number;
  prefillDone: number;
  /** Prompt tokens prefilled in the iteration under way. */
  chunk: number;
  generated: number;
  slot: number;
}

/**
 * A continuous-batching or slot server ({@link IterationServerProfile}), simulated iteration by
 * iteration like vLLM's scheduler: each iteration, running sequences decode one token each, then
 * prompts being prefilled continue, then waiting requests are admitted (FIFO, up to
 * `maxSequences`) while the iteration's token budget lasts. The iteration's duration grows with the
 * sequences in it and the prompt tokens it prefills; a prompt's cached prefix is not prefilled.
 * Requests beyond the queue limit (503) or a gateway's in-flight limit (429) are refused at once.
 */
export class IterationServerModel implements ServerModel {
  readonly #profile: IterationServerProfile;
  readonly #options: ServerModelOptions;
  readonly #cache: PrefixCache | undefined;
  /** Per slot: the block hashes of the last prompt it ran (slot servers). */
  readonly #slotPrompts: Array<Float64Array | undefined>;
  readonly #freeSlots: boolean[];
  readonly #waiting: Sequence[] = [];
  #waitingHead = 0;
  #running: Sequence[] = [];
  #iterating = false;
  #inFlight = 0;
  readonly #stats: ServerModelStats = emptyServerStats();

  constructor(profile: IterationServerProfile, options: ServerModelOptions) {
    this.#profile = profile;
    this.#options = options;
    const cache = profile.prefixCache;
    this.#cache =
      cache.kind === 'shared'
        ? new PrefixCache({ blockTokens: cache.blockTokens, capacityBlocks: cache.capacityBlocks })
        : undefined;
    this.#slotPrompts = new Array(profile.maxSequences).fill(undefined);
    this.#freeSlots = new Array(profile.maxSequences).fill(true);
  }

  stats(): ServerModelStats {
    return { ...this.#stats, failures: { ...this.#stats.failures } };
  }

  submit(job: ServerJob): ServerHandle {
    const { clock } = this.#options;
    const profile = this.#profile;
    this.#stats.requests += 1;
    let resolve: (outcome: ServerOutcome) => void = () => undefined;
    const outcome = new Promise<ServerOutcome>((settle) => {
      resolve = settle;
    });
    const refusing = (this.#options.admission ?? 'refuse') === 'refuse';
    const gateway = profile.inFlightLimit;
    if (refusing && gateway && this.#inFlight >= gateway.limit) {
      return this.#refuse(resolve, outcome, 429, 'too many requests in flight', gateway.retryAfterMs);
    }
    const queue = profile.queue;
    // Requests beyond the running sequences wait in the queue.
    if (refusing && queue && this.#inFlight - profile.maxSequences >= queue.limit) {
      return this.#refuse(
        resolve,
        outcome,
        queue.status,
        'server busy, please try again',
        queue.retryAfterMs,
      );
    }
    const sequence: Sequence = {
      job,
      resolve,
      state: 'waiting',
      cachedTokens: 0,
      prefillRemaining: 0,
      prefillDone: 0,
      chunk: 0,
      generated: 0,
      slot: -1,
    };
    this.#inFlight += 1;
    this.#waiting.push(sequence);
    if (!this.#iterating) {
      this.#iterating = true;
      const at = clock.now();
      this.#schedule(() => this.#startIteration(at), at);
    }
    return {
      outcome,
      cancel: () => {
        if (sequence.state === 'finished' || sequence.state === 'cancelled') return;
        const tokens = sequence.prefillDone + sequence.generated;
        sequence.state = 'cancelled';
        this.#inFlight -= 1;
        this.#stats.cancelled += 1;
        this.#stats.cancelledTokens += tokens;
        if (sequence.slot >= 0) this.#freeSlots[sequence.slot] = true;
        resolve({ ok: false, status: 499, message: 'the client closed the request' });
      },
    };
  }

  #refuse(
    resolve: (outcome: ServerOutcome) => void,
    outcome: Promise<ServerOutcome>,
    status: number,
    message: string,
    retryAfterMs: number | undefined,
  ): ServerHandle {
    this.#stats.failures[status] = (this.#stats.failures[status] ?? 0) + 1;
    const refusal = {
      ok: false as const,
      status,
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    deliver(this.#options.clock, resolve, refusal);
    return { outcome, cancel: () => undefined, refusal };
  }

  /**
   * Runs `callback` at the absolute time `at`. Iterations chain on absolute times, so on a real
   * clock a timer that fires late does not delay every iteration after it.
   */
  #schedule(callback: () => void, at: number): void {
    const clock = this.#options.clock;
    const delay = Math.max(0, at - clock.now());
    if (clock.setInternalTimeout) clock.setInternalTimeout(callback, delay);
    else clock.setTimeout(callback, delay);
  }

  /** Plans the iteration starting at `at` (now, or when the previous one was due to end). */
  #startIteration(at: number): void {
    const profile = this.#profile;
    this.#running = this.#running.filter(
      (sequence) => sequence.state === 'prefill' || sequence.state === 'decode',
    );
    let budget = profile.maxBatchedTokens;
    let prefilled = 0;
    for (const sequence of this.#running) {
      sequence.chunk = 0;
      if (sequence.state === 'decode') budget -= 1;
    }
    for (const sequence of this.#running) {
      if (sequence.state !== 'prefill' || budget <= 0) continue;
      sequence.chunk = Math.min(sequence.prefillRemaining, budget);
      budget -= sequence.chunk;
      prefilled += sequence.chunk;
    }
    while (
      budget > 0 &&
      this.#running.length < profile.maxSequences &&
      this.#waitingHead < this.#waiting.length
    ) {
      const sequence = this.#waiting[this.#waitingHead] as Sequence;
      this.#waitingHead += 1;
      if (sequence.state !== 'waiting') continue;
      this.#admit(sequence);
      sequence.chunk = Math.min(sequence.prefillRemaining, budget);
      budget -= sequence.chunk;
      prefilled += sequence.chunk;
      this.#running.push(sequence);
    }
    if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#waitingHead);
      this.#waitingHead = 0;
    }
    const batch = this.#running.filter(
      (sequence) => sequence.state === 'decode' || sequence.chunk > 0,
    ).length;
    if (batch === 0) {
      this.#iterating = false;
      return;
    }
    const iteration = profile.iteration;
    const duration =
      iteration.baseMilliseconds +
      iteration.perSequenceMilliseconds * batch +
      iteration.perPrefillTokenMilliseconds * prefilled;
    this.#stats.iterations += 1;
    this.#stats.busyMilliseconds += duration;
    const end = at + duration;
    this.#schedule(() => this.#finishIteration(end), end);
  }

  #admit(sequence: Sequence): void {
    const prompt = sequence.job.prompt;
    const length = prompt.length;
    let cached = 0;
    if (this.#cache) cached = this.#cache.lookupAndStore(prompt);
    let slot = this.#freeSlots.indexOf(true);
    if (this.#profile.prefixCache.kind === 'per-slot') {
      let best = -1;
      for (let index = 0; index < this.#freeSlots.length; index++) {
        if (!this.#freeSlots[index]) continue;
        const shared = sharedBlocks(this.#slotPrompts[index], prompt.blockHashes);
        if (shared > best) {
          best = shared;
          slot = index;
        }
      }
      cached = Math.max(0, best) * cacheBlockTokens;
      this.#slotPrompts[slot] = prompt.blockHashes;
    }
    if (slot >= 0) this.#freeSlots[slot] = false;
    // The last prompt token is always computed: it yields the first output token.
    cached = Math.min(cached, length - 1);
    sequence.slot = slot;
    sequence.cachedTokens = Math.max(0, cached);
    sequence.prefillRemaining = length - sequence.cachedTokens;
    sequence.state = 'prefill';
    this.#stats.promptTokens += length;
    this.#stats.cachedTokens += sequence.cachedTokens;
  }

  #finishIteration(end: number): void {
    const stats = this.#stats;
    for (const sequence of this.#running) {
      if (sequence.state === 'decode') {
        sequence.generated += 1;
        stats.outputTokens += 1;
      } else if (sequence.state === 'prefill' && sequence.chunk > 0) {
        sequence.prefillRemaining -= sequence.chunk;
        sequence.prefillDone += sequence.chunk;
        stats.prefillTokens += sequence.chunk;
        if (sequence.prefillRemaining === 0) {
          // The iteration that finishes the prompt samples the first output token.
          sequence.state = 'decode';
          sequence.generated = 1;
          stats.outputTokens += 1;
        }
      } else continue;
      if (sequence.state === 'decode' && sequence.generated >= sequence.job.outputTokens) {
        sequence.state = 'finished';
        this.#inFlight -= 1;
        if (sequence.slot >= 0) this.#freeSlots[sequence.slot] = true;
        stats.completed += 1;
        deliver(this.#options.clock, sequence.resolve, {
          ok: true,
          promptTokens: sequence.job.prompt.length,
          cachedTokens: sequence.cachedTokens,
          completionTokens: sequence.generated,
        });
      }
    }
    this.#startIteration(end);
  }
}

/** How many leading blocks two block-hash chains share. */
function sharedBlocks(first: Float64Array | undefined, second: Float64Array): number {
  if (!first) return 0;
  const length = Math.min(first.length, second.length);
  let index = 0;
  while (index < length && first[index] === second[index]) index += 1;
  return index;
}
