/**
 * Adaptive concurrency: servers whose capacity the engine is not told, and the router's adaptive
 * (AIMD) in-flight limit against the best fixed limit found by a sweep in the same run. Three hidden
 * capacities: a slot server with a short queue (503 when 4 slots + 8 queued are taken), a vLLM-like
 * server behind a gateway that refuses more than 48 requests in flight (429, retry-after 1 s), and a
 * hosted API on usage tier 1 (500 requests, 200,000 tokens per minute; 429 with retry-after).
 * Reports model calls completed per minute, 429/503 retries as a share of calls, and calls that
 * failed after every attempt (their agents fell back to the rule brain for the step).
 *
 * Usage: `npx tsx bench/adaptive-concurrency.ts [--seeds 5] [--steps 5] [--case <name>]`.
 * Writes bench/results/adaptive-concurrency.json.
 */
import { failedAttemptCount, runEngineSimulation } from './support/engine-simulation';
import { option, round, seedList, summarise, writeResult } from './support/reporting';
import type { AdaptiveResult, AdaptiveRun as Run, AdaptiveSample as Sample } from './support/result-types';
import {
  apiProfile,
  continuousBatchingProfile,
  type ServerProfile,
  slotServerProfile,
} from './support/simulation';

const steps = Number(option('steps') ?? 5);
/** The fixed limits of the sweep. */
const fixedLimits = [1, 2, 4, 8, 16, 32, 64, 128];
/** Where the adaptive limit starts (and its ceiling). */
const adaptiveCeiling = 128;

const cases: Array<{ profile: ServerProfile; hidden: string }> = [
  {
    profile: { ...slotServerProfile, name: 'slot-server-short-queue', queue: { limit: 8, status: 503 } },
    hidden: '4 slots + a queue of 8 (OLLAMA_MAX_QUEUE=8); 503 without retry-after beyond',
  },
  {
    profile: {
      ...continuousBatchingProfile,
      name: 'batching-behind-gateway',
      inFlightLimit: { limit: 48, retryAfterMs: 1000 },
    },
    hidden: 'a gateway refusing more than 48 requests in flight: 429, retry-after 1 s',
  },
  {
    profile: {
      ...apiProfile,
      name: 'api-tier-1',
      rateLimits: { requestsPerMinute: 500, tokensPerMinute: 200_000, burstSeconds: 6 },
    },
    hidden:
      'OpenAI usage tier 1 for gpt-4o-mini: 500 requests and 200,000 tokens per minute; 429 with retry-after',
  },
];

async function measureRun(profile: ServerProfile, seed: number, limit: number | 'adaptive'): Promise<Run> {
  const result = await runEngineSimulation({
    profile,
    seed,
    steps,
    concurrency: 200,
    endpointConcurrency: limit === 'adaptive' ? adaptiveCeiling : limit,
    adaptive: limit === 'adaptive',
  });
  return {
    limit,
    callsPerMinute: round(result.router.successes / (result.virtualMilliseconds / 60_000), 1),
    retryShare: round(failedAttemptCount(result.failedAttempts) / result.router.calls, 4),
    failedCalls: result.router.failures,
  };
}

const selected = cases.filter(
  (entry) => option('case') === undefined || entry.profile.name === option('case'),
);
const results: AdaptiveResult['cases'] = {};
for (const { profile, hidden } of selected) {
  const samples: Sample[] = [];
  for (const seed of seedList()) {
    const sweep: Run[] = [];
    for (const limit of fixedLimits) sweep.push(await measureRun(profile, seed, limit));
    const adaptive = await measureRun(profile, seed, 'adaptive');
    // A limit at which calls fail over to the rule brain is not a working point, however fast.
    const working = sweep.filter((run) => run.failedCalls === 0);
    const best = (working.length > 0 ? working : sweep).reduce((first, second) =>
      second.callsPerMinute > first.callsPerMinute ? second : first,
    );
    const sample: Sample = {
      seed,
      adaptiveCallsPerMinute: adaptive.callsPerMinute,
      bestFixedLimit: best.limit as number,
      bestFixedCallsPerMinute: best.callsPerMinute,
      adaptiveVsBestFixed: round(adaptive.callsPerMinute / best.callsPerMinute),
      adaptiveRetryShare: adaptive.retryShare,
      adaptiveFailedCalls: adaptive.failedCalls,
      sweep,
    };
    samples.push(sample);
    console.log(
      `${profile.name} seed ${seed}: adaptive ${adaptive.callsPerMinute}/min (${adaptive.retryShare} retries per call, ${adaptive.failedCalls} failed calls), best fixed ${best.callsPerMinute}/min at ${best.limit}`,
    );
  }
  console.table(samples.map(({ sweep, ...rest }) => rest));
  results[profile.name] = {
    hidden,
    summary: {
      adaptiveVsBestFixed: summarise(samples, (sample) => sample.adaptiveVsBestFixed, false),
      adaptiveRetryShare: summarise(samples, (sample) => sample.adaptiveRetryShare, true),
      adaptiveFailedCalls: summarise(samples, (sample) => sample.adaptiveFailedCalls, true),
    },
    samples,
  };
}
await writeResult<AdaptiveResult>('adaptive-concurrency', 'adaptive-concurrency.ts', {
  agents: 200,
  steps,
  fixedLimits,
  adaptiveCeiling,
  cases: results,
});
