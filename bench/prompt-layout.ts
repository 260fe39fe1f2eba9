/**
 * Prompt layout: the engine's prompts (what every agent of a step shares first, the agent's own part
 * last) against a cache-hostile layout of the same prompts (the agent's part first), on the
 * continuous-batching server (prefix cache in 16-token blocks) and the hosted API (prompt cache in
 * 128-token steps, cached tokens billed at half price). Reports prefill tokens computed against the
 * shared-prefix minimum (every distinct prefix computed once, token-exact), wall time and billed cost.
 *
 * Usage: `npx tsx bench/prompt-layout.ts [--seeds 5] [--steps 30] [--profile continuous-batching|api]`.
 * Writes bench/results/prompt-layout.json.
 */
import { runEngineSimulation } from './support/engine-simulation';
import { option, round, seconds, seedList, summarise, writeResult } from './support/reporting';
import type { PromptLayoutResult, LayoutSample as Sample } from './support/result-types';
import { apiProfile, continuousBatchingProfile, type ServerProfile } from './support/simulation';

const steps = Number(option('steps') ?? 30);
const setups: Record<string, { concurrency: number; endpointConcurrency: number }> = {
  'continuous-batching': { concurrency: 200, endpointConcurrency: 256 },
  api: { concurrency: 200, endpointConcurrency: 200 },
};

async function measure(profile: ServerProfile, seed: number): Promise<Sample> {
  const setup = setups[profile.name] as (typeof setups)[string];
  const engine = await runEngineSimulation({ profile, seed, steps, ...setup, measurePrefixMinimum: true });
  const hostile = await runEngineSimulation({ profile, seed, steps, ...setup, layout: 'agent-first' });
  const minimum = engine.minimumPrefillTokens ?? Number.NaN;
  return {
    seed,
    prefillTokens: engine.server.prefillTokens,
    minimumPrefillTokens: minimum,
    prefillVsMinimum: round(engine.server.prefillTokens / minimum),
    hostilePrefillTokens: hostile.server.prefillTokens,
    promptTokens: engine.server.promptTokens,
    cachedShare: round(engine.server.cachedTokens / engine.server.promptTokens),
    hostileCachedShare: round(hostile.server.cachedTokens / hostile.server.promptTokens),
    wallSeconds: seconds(engine.virtualMilliseconds),
    hostileWallSeconds: seconds(hostile.virtualMilliseconds),
    hostileVsEngineWall: round(hostile.virtualMilliseconds / engine.virtualMilliseconds),
    costUsd: round(engine.costUsd, 4),
    hostileCostUsd: round(hostile.costUsd, 4),
    hostileVsEngineCost: round(hostile.costUsd / engine.costUsd),
  };
}

const profiles = [continuousBatchingProfile, apiProfile].filter(
  (profile) => option('profile') === undefined || profile.name === option('profile'),
);
const results: PromptLayoutResult['profiles'] = {};
for (const profile of profiles) {
  const samples: Sample[] = [];
  for (const seed of seedList()) {
    const sample = await measure(profile, seed);
    samples.push(sample);
    console.log(
      `${profile.name} seed ${seed}: prefill ${sample.prefillVsMinimum}× the minimum, hostile layout ${sample.hostileVsEngineWall}× the wall time`,
    );
  }
  console.table(samples);
  results[profile.name] = {
    summary: {
      prefillVsMinimum: summarise(samples, (sample) => sample.prefillVsMinimum, true),
      hostileVsEngineWall: summarise(samples, (sample) => sample.hostileVsEngineWall, false),
      hostileVsEngineCost: summarise(samples, (sample) => sample.hostileVsEngineCost, false),
      cachedShare: summarise(samples, (sample) => sample.cachedShare, false),
      hostileCachedShare: summarise(samples, (sample) => sample.hostileCachedShare, true),
    },
    samples,
  };
}
await writeResult<PromptLayoutResult>('prompt-layout', 'prompt-layout.ts', {
  agents: 200,
  steps,
  profiles: results,
});
