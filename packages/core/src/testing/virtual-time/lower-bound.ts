import { createRandom } from '../../random';
import type { ApiServerProfile, IterationServerProfile, ServerProfile } from '../server-profiles';
import { apiAttemptDraws } from './api-server-model';
import { cacheBlockTokens, type PromptBlocks } from './prompt-tokens';
import type { ServerJob } from './server-model';

/** One request of a step, for the lower bound. */
export interface BoundJob {
  job: ServerJob;
  /** Prompt tokens no cache could have saved it (see {@link shareablePrefixes}). */
  uncachedTokens: number;
}

/** The analytic lower bound of one step, in milliseconds. */
export interface StepBound {
  /** The step's work divided by the server's peak throughput. */
  workMilliseconds: number;
  /** The slowest request alone on an idle server, with every shareable prefix cached. */
  criticalPathMilliseconds: number;
  /**
   * With a concurrency limit: every request alone, summed, divided by the limit (each holds one of
   * the limit's slots at least that long). 0 without one.
   */
  concurrencyMilliseconds: number;
  /** The largest of the three: no scheduler can finish the step sooner. */
  boundMilliseconds: number;
}

/** Options of {@link runLowerBound}. */
export interface LowerBoundOptions {
  /** A limit on requests in flight that every scheduler compared must respect. */
  concurrency?: number;
}

/** The analytic lower bound of a run of steps, in milliseconds. */
export interface RunBound {
  steps: StepBound[];
  /**
   * No scheduler can finish the run sooner: the sum of the step bounds, or for a rate-limited API
   * the run's tokens and requests at the per-minute rates (less one full bucket), if larger.
   */
  boundMilliseconds: number;
}

/**
 * The analytic lower bound of a run's wall time on a profile, step by step: the larger of each
 * step's work ÷ the server's peak throughput and its critical path. Attempts that the profile makes
 * fail (5xx) are retried at once; their draws are the same the server model makes for the same keys.
 * - API: a step's work is its requests and tokens (prompt + `max_tokens`) beyond one full bucket at
 *   the per-minute rates (a bucket refills while a step's slowest calls finish, so a step may use a
 *   whole bucket); over the run, all its tokens beyond one bucket. Critical path: time to first
 *   token + output tokens × inter-token time.
 * - Iteration servers: work is uncached prompt tokens × prefill cost + output tokens × per-sequence
 *   cost + base cost × the iterations needed (output tokens ÷ `maxSequences`, or all tokens ÷
 *   `maxBatchedTokens`). Critical path: the request's prefill chunks and decode iterations in a
 *   batch of one.
 * With `concurrency`, each step also takes at least the sum of its requests' times alone divided by
 * the limit.
 */
export function runLowerBound(
  profile: ServerProfile,
  steps: ReadonlyArray<readonly BoundJob[]>,
  seed: number,
  options: LowerBoundOptions = {},
): RunBound {
  const bounds = steps.map((jobs) => stepLowerBound(profile, jobs, seed, options));
  let total = 0;
  for (const step of bounds) total += step.boundMilliseconds;
  if (profile.kind === 'api') total = Math.max(total, apiWork(profile, steps.flat()));
  return { steps: bounds, boundMilliseconds: total };
}

/** The lower bound of one step: see {@link runLowerBound}. */
export function stepLowerBound(
  profile: ServerProfile,
  jobs: readonly BoundJob[],
  seed: number,
  options: LowerBoundOptions = {},
): StepBound {
  const work = profile.kind === 'api' ? apiWork(profile, jobs) : iterationWork(profile, jobs);
  let critical = 0;
  let total = 0;
  for (const job of jobs) {
    const alone = profile.kind === 'api' ? apiAlone(profile, job, seed) : iterationAlone(profile, job);
    critical = Math.max(critical, alone);
    total += alone;
  }
  const concurrency = options.concurrency === undefined ? 0 : total / options.concurrency;
  return {
    workMilliseconds: work,
    criticalPathMilliseconds: critical,
    concurrencyMilliseconds: concurrency,
    boundMilliseconds: Math.max(work, critical, concurrency),
  };
}

/** Time the per-minute limits need to admit `jobs`, beyond what one full bucket admits at once. */
function apiWork(profile: ApiServerProfile, jobs: readonly BoundJob[]): number {
  const limits = profile.rateLimits;
  if (!limits) return 0;
  let tokens = 0;
  for (const { job } of jobs) tokens += job.prompt.length + job.maxTokens;
  const burst = limits.burstSeconds / 60;
  return Math.max(
    ((jobs.length - limits.requestsPerMinute * burst) / limits.requestsPerMinute) * 60_000,
    ((tokens - limits.tokensPerMinute * burst) / limits.tokensPerMinute) * 60_000,
    0,
  );
}

function apiAlone(profile: ApiServerProfile, { job, uncachedTokens }: BoundJob, seed: number): number {
  let elapsed = 0;
  for (let attempt = 0; attempt < 20; attempt++) {
    const draws = apiAttemptDraws(profile, createRandom(seed, ['attempt', job.key, attempt]));
    const firstToken = draws.firstTokenMilliseconds + uncachedTokens * profile.prefillMillisecondsPerToken;
    elapsed += firstToken;
    if (!draws.failing) return elapsed + job.outputTokens * profile.interTokenMilliseconds;
  }
  return elapsed;
}

function iterationWork(profile: IterationServerProfile, jobs: readonly BoundJob[]): number {
  const { iteration } = profile;
  let prefill = 0;
  let output = 0;
  for (const { job, uncachedTokens } of jobs) {
    prefill += Math.max(1, uncachedTokens);
    output += job.outputTokens;
  }
  const iterations = Math.max(output / profile.maxSequences, (prefill + output) / profile.maxBatchedTokens);
  return (
    prefill * iteration.perPrefillTokenMilliseconds +
    output * iteration.perSequenceMilliseconds +
    iterations * iteration.baseMilliseconds
  );
}

function iterationAlone(profile: IterationServerProfile, { job, uncachedTokens }: BoundJob): number {
  const { iteration } = profile;
  const prefill = Math.max(1, uncachedTokens);
  const single = iteration.baseMilliseconds + iteration.perSequenceMilliseconds;
  return (
    Math.ceil(prefill / profile.maxBatchedTokens) * single +
    prefill * iteration.perPrefillTokenMilliseconds +
    Math.max(0, job.outputTokens - 1) * single
  );
}

/**
 * For each prompt of a step, the tokens beyond its longest common prefix (in 16-token blocks) with
 * any other prompt of the step or of the previous one — what it must compute even if every shared
 * prefix were cached — and, in `total`, the step's shared-prefix minimum: the distinct prefixes of
 * the step's prompts that the previous step had not already computed, each counted once.
 */
export function shareablePrefixes(
  previous: readonly PromptBlocks[],
  current: readonly PromptBlocks[],
): { uncached: number[]; total: number } {
  const entries = [
    ...previous.map((prompt) => ({ prompt, index: -1 })),
    ...current.map((prompt, index) => ({ prompt, index })),
  ];
  entries.sort((first, second) => compareBlocks(first.prompt.blockHashes, second.prompt.blockHashes));
  const uncached = new Array<number>(current.length).fill(0);
  for (let position = 0; position < entries.length; position++) {
    const entry = entries[position] as (typeof entries)[number];
    if (entry.index < 0) continue;
    const neighbours = [entries[position - 1], entries[position + 1]];
    let shared = 0;
    for (const other of neighbours) {
      if (other) shared = Math.max(shared, sharedBlocks(other.prompt.blockHashes, entry.prompt.blockHashes));
    }
    uncached[entry.index] = Math.max(1, entry.prompt.length - shared * cacheBlockTokens);
  }
  return {
    uncached,
    total: distinctBlockPrefixes([...previous, ...current]) - distinctBlockPrefixes(previous),
  };
}

/** Tokens in the distinct prefixes of a set of prompts (the size of their trie, in 16-token blocks). */
function distinctBlockPrefixes(prompts: readonly PromptBlocks[]): number {
  const sorted = [...prompts].sort((first, second) => compareBlocks(first.blockHashes, second.blockHashes));
  let total = 0;
  for (let index = 0; index < sorted.length; index++) {
    const prompt = sorted[index] as PromptBlocks;
    const before = index > 0 ? (sorted[index - 1] as PromptBlocks) : undefined;
    total +=
      prompt.length - (before ? sharedBlocks(before.blockHashes, prompt.blockHashes) * cacheBlockTokens : 0);
  }
  return total;
}

function sharedBlocks(first: Float64Array, second: Float64Array): number {
  const length = Math.min(first.length, second.length);
  let index = 0;
  while (index < length && first[index] === second[index]) index += 1;
  return index;
}

function compareBlocks(first: Float64Array, second: Float64Array): number {
  const shared = sharedBlocks(first, second);
  if (shared === first.length || shared === second.length) return first.length - second.length;
  return (first[shared] as number) - (second[shared] as number);
}
