import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Brain,
  createEngine,
  createRandom,
  type Decision,
  type Observation,
  parseScenario,
  type Run,
  type RunEvent,
  type RunEventOf,
  type RunResult,
  validateScenarioText,
  wallClockFields,
} from '@sandtable/core';
import { describe, expect, it } from 'vitest';

/**
 * The environment scenarios, run with rule agents only: a rumour spreading on a social feed, whose
 * belief trajectory and interaction graph depend on trust, and a prediction market whose traders,
 * who are not on the feed, hear of a leak through the bridge the step after it trends.
 */

const here = fileURLToPath(new URL('.', import.meta.url));
const schemaComment = '# yaml-language-server: $schema=../docs/scenario.schema.json';
const rumourFile = 'rumour-mill.yaml';
const marketFile = 'prediction-market.yaml';
const seeds = [1, 2, 3];

type StepCompleted = RunEventOf<'step-completed'>;
type AgentActed = RunEventOf<'agent-acted'>;

interface Outcome {
  result: RunResult;
  events: RunEvent[];
  /** Metrics of each step, in step order. */
  steps: Array<Record<string, number>>;
  graph: ReturnType<Run['interactionGraph']>;
}

const texts = new Map<string, Promise<string>>();
function text(file: string): Promise<string> {
  let pending = texts.get(file);
  if (!pending) {
    pending = readFile(join(here, file), 'utf8');
    texts.set(file, pending);
  }
  return pending;
}

async function execute(
  file: string,
  options: { seed?: number; edit?: (source: string) => string; brain?: Brain } = {},
): Promise<Outcome> {
  const source = await text(file);
  const scenario = parseScenario(options.edit ? options.edit(source) : source, {
    file,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const spy = options.brain;
  const run = createEngine(spy ? { brainFor: () => spy } : {}).createRun(scenario);
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  const result = await run.start();
  const steps = events
    .filter((event): event is StepCompleted => event.type === 'step-completed')
    .map((event) => event.metrics);
  return { result, events, steps, graph: run.interactionGraph() };
}

const cache = new Map<string, Promise<Outcome>>();
/** Runs once per (file, seed, variant) and shares the outcome between tests. */
function outcome(file: string, seed: number, variant = '', edit?: (source: string) => string) {
  const key = `${file}:${seed}:${variant}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = execute(file, { seed, ...(edit ? { edit } : {}) });
    cache.set(key, pending);
  }
  return pending;
}

function strip(event: RunEvent): string {
  const copy: Record<string, unknown> = { ...event };
  for (const field of wallClockFields) delete copy[field];
  return JSON.stringify(copy);
}

const series = (run: Outcome, metric: string) => run.steps.map((values) => values[metric] as number);
/** The metric at the end of `step` (1-based). */
const at = (run: Outcome, metric: string, step: number) => series(run, metric)[step - 1] as number;
const peak = (run: Outcome, metric: string) => Math.max(...series(run, metric));
const acted = (run: Outcome) =>
  run.events.filter((event): event is AgentActed => event.type === 'agent-acted');

describe.each([rumourFile, marketFile])('%s', (file) => {
  it('validates, points editors at the schema and declares environments and beliefs', async () => {
    const source = await text(file);
    expect(source.split('\n')[0]).toBe(schemaComment);
    const { scenario, issues } = validateScenarioText(source, { file });
    expect(issues).toEqual([]);
    expect(scenario?.agents.length).toBeGreaterThan(30);
    expect(scenario?.environments?.length).toBeGreaterThan(0);
    expect(scenario?.beliefs?.topics.length).toBeGreaterThan(0);
  });

  it('runs to completion with rule agents, every call valid and every metric finite', async () => {
    const run = await outcome(file, 1);
    expect(run.result.status).toBe('completed');
    expect(run.events.filter((event) => event.type === 'agent-failed')).toEqual([]);
    expect(run.events.filter((event) => event.type === 'run-notice')).toEqual([]);
    for (const values of run.steps)
      for (const value of Object.values(values)) expect(Number.isFinite(value)).toBe(true);
    const tools = new Set(acted(run).map((event) => event.tool));
    expect([...tools].filter((tool) => tool !== 'wait').length).toBeGreaterThan(2);
    const names = Object.keys(run.steps[0] ?? {});
    expect(names).toEqual(expect.arrayContaining(['social.posts', 'social.reposts', 'social.trending']));
    expect(names.some((name) => /^belief\.\w+\.(mean|polarization|consensus|confidence)$/.test(name))).toBe(
      true,
    );
  });

  it('gives an identical event stream for the same seed and a different one for another seed', async () => {
    const first = (await outcome(file, 1)).events.map(strip);
    const again = (await execute(file, { seed: 1 })).events.map(strip);
    expect(again).toEqual(first);
    const other = (await outcome(file, 7)).events.map(strip);
    expect(other).not.toEqual(first);
  });
});

describe('rumour mill: trust decides how far and how fast the rumour spreads', () => {
  const lowTrust = (source: string) => {
    const edited = source.replace('trust: { initial: 0.8,', 'trust: { initial: 0.2,');
    expect(edited).not.toBe(source);
    return edited;
  };

  it.each(seeds)(
    'seed %i: high trust spreads the rumour further, faster, through more reposts and follows',
    async (seed) => {
      const high = await outcome(rumourFile, seed);
      const low = await outcome(rumourFile, seed, 'low-trust', lowTrust);
      // Same start: initial positions do not depend on trust.
      expect(at(high, 'belief.rumour.mean', 1)).toBeCloseTo(at(low, 'belief.rumour.mean', 1), 1);
      // Belief trajectory: faster (day 7) and further (peak).
      expect(at(high, 'belief.rumour.mean', 7)).toBeGreaterThan(at(low, 'belief.rumour.mean', 7) + 0.1);
      expect(peak(high, 'belief.rumour.mean')).toBeGreaterThan(peak(low, 'belief.rumour.mean') + 0.1);
      expect(peak(high, 'belief.rumour.mean')).toBeGreaterThan(0.55);
      // Disagreement lasts longer when people trust each other less (mean polarization, days 5–20).
      const disagreement = (run: Outcome) =>
        series(run, 'belief.rumour.polarization')
          .slice(4, 20)
          .reduce((sum, value) => sum + value, 0) / 16;
      expect(disagreement(low)).toBeGreaterThan(disagreement(high));
      // The interaction graph: more reposts, and new follows only where people trust each other.
      const kinds = (run: Outcome) => run.graph.metadata.kinds;
      expect(kinds(high).repost ?? 0).toBeGreaterThan(1.2 * (kinds(low).repost ?? 0));
      expect(kinds(high).follow ?? 0).toBeGreaterThan(40);
      expect(kinds(low).follow ?? 0).toBeLessThan(10);
      const edges = (run: Outcome, kind: string) =>
        run.graph.edges.filter((edge) => edge.kind === kind).length;
      expect(edges(high, 'repost')).toBeGreaterThan(edges(low, 'repost'));
      expect(at(high, 'social.trending', 30)).toBeGreaterThan(at(low, 'social.trending', 30));
      // The second topic is tracked independently.
      expect(series(high, 'belief.bus_fares.mean').every(Number.isFinite)).toBe(true);
    },
  );
});

/** How strongly a decision bets on `yes` (shares; buying `no` or selling `yes` counts against). */
function bullishness(decision: Decision): number {
  let total = 0;
  for (const call of decision.calls) {
    if (call.tool !== 'market_buy' && call.tool !== 'market_sell') continue;
    const shares = Number(call.arguments.shares ?? 0);
    const forYes = (call.arguments.outcome === 'yes') === (call.tool === 'market_buy');
    total += forYes ? shares : -shares;
  }
  return total;
}

describe('prediction market: trades move prices, and a leak reaches the market through the bridge', () => {
  const leakText = 'Leaked memo';
  const withSpies = (source: string) => {
    const edited = source.replace(
      '  - id: trader\n    count: 20\n',
      '  - id: trader\n    count: 20\n    brain: spy\n',
    );
    expect(edited).not.toBe(source);
    return edited;
  };

  it('moves the price only with trades, toward what traders believe', async () => {
    const run = await outcome(marketFile, 1);
    const prices = series(run, 'market.price.merger.yes');
    const trades = series(run, 'market.trades');
    expect(trades[0]).toBeGreaterThan(0);
    for (let step = 1; step < prices.length; step++) {
      if (trades[step] === trades[step - 1]) expect(prices[step]).toBeCloseTo(prices[step - 1] as number, 12);
    }
    // Traders believe about 45%, the market opens at 20%: their buying lifts it before any news.
    expect(prices[0]).toBeGreaterThan(0.2);
    expect(at(run, 'market.price.merger.yes', 9)).toBeGreaterThan(0.3);
    expect(run.graph.metadata.kinds.trade).toBe(at(run, 'market.trades', run.steps.length));
  });

  it.each(seeds)(
    'seed %i: the trending leak is in market-only traders’ digest the next step, and they buy on it',
    async (seed) => {
      const digests = new Map<string, Map<number, string[]>>();
      const responses: Array<{ step: number; withLeak: number; without: number }> = [];
      const spyOn = (rules: Brain): Brain => ({
        name: 'spy',
        synchronous: true,
        decide(observation: Observation, context) {
          const { id } = observation.self;
          const byStep = digests.get(id) ?? new Map<number, string[]>();
          byStep.set(observation.step, observation.digest);
          digests.set(id, byStep);
          if (observation.digest.some((line) => line.includes(leakText))) {
            // The same choice with and without the leak in the digest, on identical randomness.
            const stream = () => createRandom(seed, ['counterfactual', observation.step, id]);
            const without = {
              ...observation,
              digest: observation.digest.filter((line) => !line.includes(leakText)),
            };
            responses.push({
              step: observation.step,
              withLeak: bullishness(rules.decide(observation, { ...context, random: stream() }) as Decision),
              without: bullishness(rules.decide(without, { ...context, random: stream() }) as Decision),
            });
          }
          return rules.decide(observation, context);
        },
      });
      const source = withSpies(await text(marketFile));
      const run = createEngine({ brainFor: (_agent, brain) => spyOn(brain) }).createRun(
        parseScenario(source, { file: marketFile, seed }),
      );
      const events: RunEvent[] = [];
      run.subscribe((event) => events.push(event));
      expect((await run.start()).status).toBe('completed');
      const spiedPrices = events
        .filter((event): event is StepCompleted => event.type === 'step-completed')
        .map((event) => event.metrics['market.price.merger.yes']);
      // Spying changes nothing.
      const plain = await outcome(marketFile, seed);
      expect(spiedPrices).toEqual(series(plain, 'market.price.merger.yes'));

      // The insider posts the leak the day it happens (step 10) …
      const leak = acted(plain).find(
        (event) =>
          event.agentId === 'insider' &&
          event.tool === 'social_post' &&
          String(event.arguments.text).includes(leakText),
      );
      expect(leak?.step).toBe(10);
      const postId = String(leak?.result).split(' ')[1];
      // … pundits engage until it trends at step V (viral_threshold 4) …
      let engagement = 0;
      let viral = 0;
      for (const event of acted(plain)) {
        if (!event.ok || event.arguments.post !== postId) continue;
        engagement += 1;
        if (engagement >= 4 && viral === 0) viral = event.step;
      }
      expect(viral).toBeGreaterThan(10);
      expect(viral).toBeLessThanOrEqual(13);
      expect(at(plain, 'social.trending', viral)).toBeGreaterThan(at(plain, 'social.trending', viral - 1));
      // … and market-only traders read it in their digest at V + 1, never before, and only then.
      const traders = [...digests.keys()];
      expect(traders.length).toBe(20);
      for (const [, byStep] of digests) {
        for (const [step, digest] of byStep) {
          const seen = digest.some((line) =>
            line.startsWith(`[Social] Trending: "#merger +0.80 ${leakText}`),
          );
          expect(seen).toBe(step === viral + 1);
        }
      }
      // Trading responds: every trader who acted bets more on `yes` with the leak than without it,
      // most of them strictly, and the price rises that step.
      expect(responses.length).toBeGreaterThan(10);
      expect(responses.every((response) => response.step === viral + 1)).toBe(true);
      expect(responses.every((response) => response.withLeak >= response.without)).toBe(true);
      expect(responses.filter((response) => response.withLeak > response.without).length).toBeGreaterThan(
        responses.length / 2,
      );
      const price = (step: number) => at(plain, 'market.price.merger.yes', step);
      expect(price(viral + 1) - price(viral)).toBeGreaterThan(0.02);
      // Compared with the same world without the leak, the price stays higher afterwards.
      const control = await outcome(marketFile, seed, 'no-leak', (text) =>
        text.slice(0, text.indexOf('\nevents:')),
      );
      expect(at(control, 'market.price.merger.yes', 9)).toBe(price(9));
      for (const step of [viral + 1, viral + 5, 25])
        expect(price(step)).toBeGreaterThan(at(control, 'market.price.merger.yes', step) + 0.02);
    },
  );
});
