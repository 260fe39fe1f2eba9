/**
 * Tail: the heavy-tail API profile (3% of attempts 6–20× slower), the engine with hedging off and
 * on. A hedge is a second request sent once a call has run past the p95 of recent latencies, on a
 * free slot; the first answer wins and the other is cancelled. Reports the time saved, the extra
 * calls (hedges per call) and the extra tokens (prompt and output tokens spent on cancelled
 * requests, per token of the unhedged run).
 *
 * Usage: `npx tsx bench/tail-latency.ts [--seeds 5] [--steps 30]`. Writes bench/results/tail-latency.json.
 */
import type { HedgingOptions } from '@sandtable/core';
import { runEngineSimulation } from './support/engine-simulation';
import { option, round, seconds, seedList, summarise, writeResult } from './support/reporting';
import type { TailSample as Sample, TailResult } from './support/result-types';
import { heavyTailApiProfile } from './support/simulation';

const steps = Number(option('steps') ?? 30);
const setup = { concurrency: 200, endpointConcurrency: 200 };
const hedging: HedgingOptions = { enabled: true, percentile: 0.98, minSamples: 20, maxExtraFraction: 0.05 };

const samples: Sample[] = [];
for (const seed of seedList()) {
  const unhedged = await runEngineSimulation({ profile: heavyTailApiProfile, seed, steps, ...setup });
  const hedged = await runEngineSimulation({ profile: heavyTailApiProfile, seed, steps, ...setup, hedging });
  const baseTokens = unhedged.server.promptTokens + unhedged.server.outputTokens;
  const sample: Sample = {
    seed,
    unhedgedSeconds: seconds(unhedged.virtualMilliseconds),
    hedgedSeconds: seconds(hedged.virtualMilliseconds),
    timeSaved: round(1 - hedged.virtualMilliseconds / unhedged.virtualMilliseconds),
    extraCalls: round(hedged.router.hedges / hedged.router.calls, 4),
    extraTokens: round(hedged.server.cancelledTokens / baseTokens, 4),
    hedges: hedged.router.hedges,
    hedgeWins: hedged.router.hedgeWins,
    calls: hedged.router.calls,
  };
  samples.push(sample);
  console.log(sample);
}
console.table(samples);
const summary = {
  timeSaved: summarise(samples, (sample) => sample.timeSaved, false),
  extraCalls: summarise(samples, (sample) => sample.extraCalls, true),
  extraTokens: summarise(samples, (sample) => sample.extraTokens, true),
};
console.log(JSON.stringify(summary));
await writeResult<TailResult>('tail-latency', 'tail-latency.ts', {
  profile: { name: heavyTailApiProfile.name, description: heavyTailApiProfile.description },
  agents: 200,
  steps,
  engineSetup: setup,
  hedging,
  summary,
  samples,
});
