/**
 * The designs the engine is compared with, as small schedulers over the same workload (each agent's
 * request per step, recorded from the engine's run) against a fresh copy of the same simulated
 * server, in virtual time. Same keys, same draws: every design does identical work.
 */
import { createRandom } from '@sandtable/core';
import type { TraceJob } from './engine-simulation';
import {
  type BoundJob,
  createServerModel,
  runLowerBound,
  type ServerModelStats,
  type ServerProfile,
  shareablePrefixes,
  VirtualClock,
} from './simulation';

/** How a baseline schedules a step's calls. */
export type BaselinePolicy =
  /** Fixed waves: `size` calls at a time, each wave waits for its slowest call (seed 000's design). */
  | { kind: 'waves'; size: number }
  /** One semaphore of `limit` per round: work-conserving within the step, a barrier between steps. */
  | { kind: 'semaphore'; limit: number }
  /** Every call of the step in flight at once, against a server that never refuses (it queues). */
  | { kind: 'all-in-flight' };

/** What a baseline did. Times are virtual milliseconds. */
export interface BaselineResult {
  virtualMilliseconds: number;
  stepMilliseconds: number[];
  calls: number;
  attempts: number;
  /** Calls that failed after every attempt. */
  failedCalls: number;
  server: ServerModelStats;
}

/** Attempts per call, as the engine's router makes. */
const maxAttempts = 4;

/**
 * Runs a baseline over a workload trace. Calls are retried like the OpenAI SDK does: after the
 * server's `retry-after` when it sends one, otherwise after 0.5 s × 2ⁿ (at most 8 s, with 25% jitter);
 * the all-in-flight oracle retries a failed attempt at once.
 */
export async function runBaseline(
  profile: ServerProfile,
  trace: readonly TraceJob[][],
  seed: number,
  policy: BaselinePolicy,
): Promise<BaselineResult> {
  const clock = new VirtualClock();
  const oracle = policy.kind === 'all-in-flight';
  const server = createServerModel(profile, { clock, seed, admission: oracle ? 'wait' : 'refuse' });
  const jitter = createRandom(seed, ['baseline-backoff']);
  const sleep = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      clock.setTimeout(resolve, milliseconds);
    });
  let attempts = 0;
  let failedCalls = 0;
  const call = async (job: TraceJob): Promise<void> => {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      attempts += 1;
      const outcome = await server.submit(job).outcome;
      if (outcome.ok) return;
      if (attempt === maxAttempts - 1) break;
      if (!oracle) {
        const backoff = Math.min(8000, 500 * 2 ** attempt) * (1 - 0.25 * jitter.next());
        await sleep(outcome.retryAfterMs ?? backoff);
      }
    }
    failedCalls += 1;
  };
  const stepMilliseconds: number[] = [];
  await clock.run(async () => {
    for (const jobs of trace) {
      const started = clock.now();
      await runStep(jobs, policy, call);
      stepMilliseconds.push(clock.now() - started);
    }
  });
  return {
    virtualMilliseconds: clock.now(),
    stepMilliseconds,
    calls: trace.reduce((total, jobs) => total + jobs.length, 0),
    attempts,
    failedCalls,
    server: server.stats(),
  };
}

async function runStep(
  jobs: readonly TraceJob[],
  policy: BaselinePolicy,
  call: (job: TraceJob) => Promise<void>,
): Promise<void> {
  switch (policy.kind) {
    case 'waves':
      for (let start = 0; start < jobs.length; start += policy.size) {
        await Promise.all(jobs.slice(start, start + policy.size).map(call));
      }
      return;
    case 'semaphore': {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < jobs.length) {
          const job = jobs[next] as TraceJob;
          next += 1;
          await call(job);
        }
      };
      await Promise.all(Array.from({ length: Math.min(policy.limit, jobs.length) }, worker));
      return;
    }
    case 'all-in-flight':
      await Promise.all(jobs.map(call));
      return;
    default:
      return policy satisfies never;
  }
}

/** The analytic lower bound of a trace ({@link runLowerBound}), optionally at a concurrency limit, and its shared-prefix minimum. */
export function traceLowerBound(
  profile: ServerProfile,
  trace: readonly TraceJob[][],
  seed: number,
  concurrency?: number,
): { boundMilliseconds: number; stepBoundMilliseconds: number[]; minimumPrefillTokens: number } {
  let minimum = 0;
  let previous: TraceJob[] = [];
  const steps: BoundJob[][] = [];
  for (const jobs of trace) {
    const shared = shareablePrefixes(
      previous.map((job) => job.prompt),
      jobs.map((job) => job.prompt),
    );
    steps.push(jobs.map((job, index) => ({ job, uncachedTokens: shared.uncached[index] ?? 0 })));
    minimum += shared.total;
    previous = [...jobs];
  }
  const bound = runLowerBound(profile, steps, seed, concurrency === undefined ? {} : { concurrency });
  return {
    boundMilliseconds: bound.boundMilliseconds,
    stepBoundMilliseconds: bound.steps.map((step) => step.boundMilliseconds),
    minimumPrefillTokens: minimum,
  };
}
