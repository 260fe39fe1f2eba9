/**
 * Scheduling: 200 model-backed agents × 90 steps on each server profile, in virtual time. The real
 * engine (runPool + ModelRouter) against the same workload run by the baselines: fixed waves of 20,
 * one semaphore of 32 per round, every call in flight at once against a server that never refuses
 * (the oracle), and the analytic lower bound. The engine also runs at concurrency 20 for the
 * comparison with waves of 20 at equal concurrency.
 *
 * Usage: `npx tsx bench/scheduling.ts [--profile api|continuous-batching|slot-server] [--seeds 5] [--steps 90]`.
 * Prints a table per profile and writes bench/results/scheduling-<profile>.json.
 */
import { runBaseline, traceLowerBound } from './support/baseline-schedulers';
import { failedAttemptCount, runEngineSimulation } from './support/engine-simulation';
import { option, round, seconds, seedList, summarise, writeResult } from './support/reporting';
import type { SchedulingSample as Sample, SchedulingResult } from './support/result-types';
import {
  apiProfile,
  continuousBatchingProfile,
  type ServerProfile,
  slotServerProfile,
} from './support/simulation';

/** How the engine is configured on each profile: as a user who knows the server would. */
const engineSetups: Record<string, { concurrency: number; endpointConcurrency: number; why: string }> = {
  api: {
    concurrency: 200,
    endpointConcurrency: 200,
    why: 'a hosted API has no concurrency cap: every agent in flight, the router backs off on 429',
  },
  'continuous-batching': {
    concurrency: 200,
    endpointConcurrency: 256,
    why: 'endpoint limit = the server’s max_num_seqs (256)',
  },
  'slot-server': {
    concurrency: 200,
    endpointConcurrency: 8,
    why: 'endpoint limit = 2 × the 4 slots: the server never idles, the rest wait in the router (not counted against the attempt timeout)',
  },
};

/** Concurrency of the waves-of-20 comparison. */
const equalConcurrency = 20;

async function measure(profile: ServerProfile, seed: number, steps: number | undefined): Promise<Sample> {
  const setup = engineSetups[profile.name] as (typeof engineSetups)[string];
  const engine = await runEngineSimulation({
    profile,
    seed,
    ...(steps === undefined ? {} : { steps }),
    concurrency: setup.concurrency,
    endpointConcurrency: setup.endpointConcurrency,
    recordTrace: true,
  });
  const trace = engine.trace ?? [];
  const engineAt20 = await runEngineSimulation({
    profile,
    seed,
    ...(steps === undefined ? {} : { steps }),
    concurrency: equalConcurrency,
    endpointConcurrency: equalConcurrency,
  });
  const waves = await runBaseline(profile, trace, seed, { kind: 'waves', size: equalConcurrency });
  const semaphore = await runBaseline(profile, trace, seed, { kind: 'semaphore', limit: 32 });
  const allInFlight = await runBaseline(profile, trace, seed, { kind: 'all-in-flight' });
  const bound = traceLowerBound(profile, trace, seed);
  const boundAt20 = traceLowerBound(profile, trace, seed, equalConcurrency);
  return {
    seed,
    engineSeconds: seconds(engine.virtualMilliseconds),
    engineAt20Seconds: seconds(engineAt20.virtualMilliseconds),
    wavesOf20Seconds: seconds(waves.virtualMilliseconds),
    semaphore32Seconds: seconds(semaphore.virtualMilliseconds),
    allInFlightSeconds: seconds(allInFlight.virtualMilliseconds),
    lowerBoundSeconds: seconds(bound.boundMilliseconds),
    lowerBoundAt20Seconds: seconds(boundAt20.boundMilliseconds),
    engineVsAllInFlight: round(engine.virtualMilliseconds / allInFlight.virtualMilliseconds),
    engineVsLowerBound: round(engine.virtualMilliseconds / bound.boundMilliseconds),
    wavesOf20VsEngineAt20: round(waves.virtualMilliseconds / engineAt20.virtualMilliseconds),
    wavesOf20VsLowerBoundAt20: round(waves.virtualMilliseconds / boundAt20.boundMilliseconds),
    semaphore32VsEngine: round(semaphore.virtualMilliseconds / engine.virtualMilliseconds),
    engineRetryShare: round(failedAttemptCount(engine.failedAttempts) / engine.router.calls, 4),
    engineFailedAttempts: engine.failedAttempts,
    engineCallsOver30Seconds: engine.callsOverDefaultTimeout,
    engineFallbacks: engine.fallbacks,
    engineCpuSeconds: seconds(engine.cpuMilliseconds + engineAt20.cpuMilliseconds),
  };
}

const profiles = [apiProfile, continuousBatchingProfile, slotServerProfile].filter(
  (profile) => option('profile') === undefined || profile.name === option('profile'),
);
const stepsOption = option('steps');
const steps = stepsOption === undefined ? undefined : Number(stepsOption);
for (const profile of profiles) {
  const samples: Sample[] = [];
  for (const seed of seedList()) {
    const sample = await measure(profile, seed, steps);
    samples.push(sample);
    console.log(
      `${profile.name} seed ${seed}: engine ${sample.engineSeconds} s, all-in-flight ${sample.allInFlightSeconds} s, waves of 20 ${sample.wavesOf20Seconds} s vs engine@20 ${sample.engineAt20Seconds} s`,
    );
  }
  console.table(
    samples.map(({ engineFailedAttempts, ...rest }) => ({
      ...rest,
      failed: JSON.stringify(engineFailedAttempts),
    })),
  );
  const setup = engineSetups[profile.name] as (typeof engineSetups)[string];
  const summary: SchedulingResult['summary'] = {
    engineVsAllInFlight: summarise(samples, (sample) => sample.engineVsAllInFlight, true),
    engineVsLowerBound: summarise(samples, (sample) => sample.engineVsLowerBound, true),
    wavesOf20VsEngineAt20: summarise(samples, (sample) => sample.wavesOf20VsEngineAt20, false),
    semaphore32VsEngine: summarise(samples, (sample) => sample.semaphore32VsEngine, false),
    engineRetryShare: summarise(samples, (sample) => sample.engineRetryShare, true),
    engineSeconds: summarise(samples, (sample) => sample.engineSeconds, true),
    engineAt20Seconds: summarise(samples, (sample) => sample.engineAt20Seconds, true),
    wavesOf20Seconds: summarise(samples, (sample) => sample.wavesOf20Seconds, true),
    semaphore32Seconds: summarise(samples, (sample) => sample.semaphore32Seconds, true),
    allInFlightSeconds: summarise(samples, (sample) => sample.allInFlightSeconds, true),
    lowerBoundSeconds: summarise(samples, (sample) => sample.lowerBoundSeconds, true),
    lowerBoundAt20Seconds: summarise(samples, (sample) => sample.lowerBoundAt20Seconds, true),
    wavesOf20VsLowerBoundAt20: summarise(samples, (sample) => sample.wavesOf20VsLowerBoundAt20, false),
    engineCallsOver30Seconds: summarise(samples, (sample) => sample.engineCallsOver30Seconds, true),
  };
  console.log(JSON.stringify(summary));
  await writeResult<SchedulingResult>(`scheduling-${profile.name}`, 'scheduling.ts', {
    profile: { name: profile.name, description: profile.description, calibration: profile.calibration },
    agents: 200,
    steps: steps ?? 90,
    engineSetup: { ...setup, equalConcurrency },
    summary,
    samples,
  });
}
