import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createEngine,
  loadScenario,
  type RunEvent,
  RunRecorder,
  type RunResult,
  validateScenarioText,
  wallClockFields,
} from '@sandtable/core';
import { describe, expect, it } from 'vitest';

/**
 * The shipped scenarios, run with rule agents only: each one validates, runs to completion, is
 * reproducible from its seed, and reaches a visibly different outcome when its key parameter moves.
 * The outcome checks use three seeds each, so they test the scenario's behaviour, not one lucky run.
 */

const here = fileURLToPath(new URL('.', import.meta.url));
const schemaComment = '# yaml-language-server: $schema=../docs/scenario.schema.json';
/** Seeds for the outcome checks; set SCENARIO_SEEDS=1,2,3,4,5 for a wider sweep. */
const seeds = (process.env.SCENARIO_SEEDS ?? '1,2,3').split(',').map(Number);
/** A seed none of the scenarios uses by default. */
const otherSeed = 7;

interface Outcome {
  result: RunResult;
  recorder: RunRecorder;
  /** Every event, serialised without its wall-clock fields. */
  stream: string[];
}

const cache = new Map<string, Promise<Outcome>>();

function strip(event: RunEvent): string {
  const copy: Record<string, unknown> = { ...event };
  for (const field of wallClockFields) delete copy[field];
  return JSON.stringify(copy);
}

async function execute(
  file: string,
  seed?: number,
  parameters: Record<string, number> = {},
): Promise<Outcome> {
  const scenario = await loadScenario(join(here, file), {
    ...(seed !== undefined ? { seed } : {}),
    parameters,
  });
  const run = createEngine().createRun(scenario);
  const recorder = new RunRecorder();
  const stream: string[] = [];
  run.subscribe((event) => {
    recorder.record(event);
    stream.push(strip(event));
  });
  const result = await run.start();
  return { result, recorder, stream };
}

/** Runs once per (file, seed, parameters) and shares the outcome between tests. */
function outcome(file: string, seed?: number, parameters: Record<string, number> = {}): Promise<Outcome> {
  const key = JSON.stringify([file, seed, parameters]);
  let pending = cache.get(key);
  if (!pending) {
    pending = execute(file, seed, parameters);
    cache.set(key, pending);
  }
  return pending;
}

function series(run: Outcome, metric: string): number[] {
  return run.recorder.series.map((entry) => entry.metrics[metric] as number);
}
const peak = (run: Outcome, metric: string) => Math.max(...series(run, metric));
const low = (run: Outcome, metric: string) => Math.min(...series(run, metric));
const last = (run: Outcome, metric: string) => series(run, metric).at(-1) as number;
const fired = (run: Outcome) => run.recorder.firedEvents.map((event) => event.type);

/** Index of the first event where two streams differ, or -1 when they are identical. */
function firstDifference(a: string[], b: string[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) if (a[index] !== b[index]) return index;
  return -1;
}

const files = ['port-strike.yaml', 'flood-rescue.yaml', 'geopolitical-contest.yaml'];

describe.each(files)('%s', (file) => {
  it('validates and points editors at the scenario schema', async () => {
    const text = await readFile(join(here, file), 'utf8');
    expect(text.split('\n')[0]).toBe(schemaComment);
    const { scenario, issues } = validateScenarioText(text, { file });
    expect(issues).toEqual([]);
    expect(scenario?.agents.length).toBeGreaterThan(10);
    expect(Object.keys(scenario?.parameterDefinitions ?? {}).length).toBeGreaterThan(0);
  });

  it('runs to completion with rule agents, every metric finite every step', async () => {
    const run = await outcome(file);
    expect(run.result.status).toBe('completed');
    expect(run.recorder.notices).toEqual([]);
    // No decision threw (a broken expression would fail the agent every step).
    expect(run.recorder.failureReasons.error ?? 0).toBe(0);
    expect(run.recorder.series.length).toBe(run.result.steps);
    for (const entry of run.recorder.series)
      for (const value of Object.values(entry.metrics)) expect(Number.isFinite(value)).toBe(true);
    expect(run.recorder.actionCounts.wait ?? 0).toBeLessThan(
      Object.values(run.recorder.actionCounts).reduce((total, count) => total + count, 0),
    );
    expect(run.recorder.messages).toBeGreaterThan(0);
  });

  it('gives an identical event stream for the same seed, a different one for another seed', async () => {
    const first = await outcome(file);
    const again = await execute(file);
    expect(again.stream.length).toBe(first.stream.length);
    expect(firstDifference(first.stream, again.stream)).toBe(-1);
    expect(first.recorder.started?.seed).not.toBe(otherSeed);
    const other = await outcome(file, otherSeed);
    expect(firstDifference(first.stream, other.stream)).not.toBe(-1);
  });
});

describe('port strike: strike_days decides how deep and how long the shortage is', () => {
  const file = 'port-strike.yaml';
  it.each(seeds)(
    'seed %i: a 5-day strike barely dents shelves; a 25-day strike empties them',
    async (seed) => {
      const short = await outcome(file, seed, { strike_days: 5 });
      const long = await outcome(file, seed, { strike_days: 25 });

      // Short strike: shelves barely dip, nobody runs out, the union's mandate simply expires.
      expect(low(short, 'shelf_availability')).toBeGreaterThan(0.9);
      expect(peak(short, 'stockouts')).toBe(0);
      expect(fired(short)).toContain('mandate_expires');
      expect(short.result.outcome).toBe('recovered');
      expect(short.result.steps).toBeLessThanOrEqual(45);

      // Long strike: widespread stockouts, freight and prices spike, a deal under public pressure.
      expect(low(long, 'shelf_availability')).toBeLessThan(0.6);
      expect(low(short, 'shelf_availability') - low(long, 'shelf_availability')).toBeGreaterThan(0.35);
      expect(peak(long, 'stockouts')).toBeGreaterThanOrEqual(6);
      expect(peak(long, 'freight_rate')).toBeGreaterThan(2 * peak(short, 'freight_rate'));
      expect(peak(long, 'consumer_prices') - peak(short, 'consumer_prices')).toBeGreaterThan(30);
      expect(fired(long)).toEqual(expect.arrayContaining(['empty_shelves', 'deal_struck']));
      expect(fired(long)).not.toContain('mandate_expires');
      expect(last(long, 'wage_offer')).toBeGreaterThan(last(short, 'wage_offer'));

      // Recovery (backlog cleared, shelves full, prices normal) takes far longer after the long strike.
      const recoveredLong =
        long.result.outcome === 'recovered' ? long.result.steps : Number.POSITIVE_INFINITY;
      expect(recoveredLong - short.result.steps).toBeGreaterThan(25);
    },
  );
});

describe('flood rescue: the number of boats decides how many people are lost', () => {
  const file = 'flood-rescue.yaml';
  it.each(seeds)('seed %i: 16 boats save far more lives, sooner, than 4', async (seed) => {
    const few = await outcome(file, seed, { boats: 4 });
    const many = await outcome(file, seed, { boats: 16 });

    // The fire service lends its spare boats to volunteer crews: many more boats on the water.
    expect(peak(many, 'boats_in_use')).toBeGreaterThan(peak(few, 'boats_in_use') + 4);
    expect(last(few, 'casualties')).toBeGreaterThan(1.4 * last(many, 'casualties'));
    expect(last(few, 'casualties') - last(many, 'casualties')).toBeGreaterThan(20);
    expect(last(few, 'person_hours_at_risk')).toBeGreaterThan(1.35 * last(many, 'person_hours_at_risk'));
    expect(last(many, 'people_rescued')).toBeGreaterThan(last(few, 'people_rescued'));
    expect(fired(many)).not.toContain('mass_casualty');

    // Both end with everyone out of the water, the larger fleet no later.
    expect(few.result.outcome).toBe('all_safe');
    expect(many.result.outcome).toBe('all_safe');
    expect(many.result.steps).toBeLessThanOrEqual(few.result.steps);
    for (const run of [few, many]) {
      expect(fired(run)).toEqual(expect.arrayContaining(['emergency_declared', 'levee_breach']));
      expect(low(run, 'supplies_left')).toBeGreaterThan(0);
    }
  });
});

describe('geopolitical contest: initial tension flips détente into war', () => {
  const file = 'geopolitical-contest.yaml';
  const runs = (initial_tension: number) =>
    Promise.all(seeds.map((seed) => outcome(file, seed, { initial_tension })));

  it('a tense start (0.7) ends in war within 30 months, every seed', async () => {
    for (const run of await runs(0.7)) {
      expect(run.result.outcome).toBe('war');
      expect(run.result.steps).toBeLessThan(30);
      expect(fired(run)).toContain('war_scare');
      // The arms race runs into the 0–100 bound: clamps are reported as constraint hits.
      expect(run.recorder.constraintHits['agent military_power']?.count ?? 0).toBeGreaterThan(0);
    }
  });

  it('a calm start (0.15) never ends in war and mostly ends in détente', async () => {
    const calm = await runs(0.15);
    const outcomes = calm.map((run) => run.result.outcome);
    expect(outcomes).not.toContain('war');
    expect(outcomes.filter((name) => name === 'detente').length).toBeGreaterThanOrEqual(2);
    for (const run of calm) {
      expect(fired(run)).toEqual(expect.arrayContaining(['war_risk', 'natural_disaster']));
    }
    // Borealis, the cooperative power, sends aid after the earthquake in at least one run.
    expect(calm.some((run) => (run.recorder.actionCounts.send_aid ?? 0) > 0)).toBe(true);
  });

  it.each(seeds)('seed %i: the tense start peaks higher, trades less and ends sooner', async (seed) => {
    const calm = await outcome(file, seed, { initial_tension: 0.15 });
    const tense = await outcome(file, seed, { initial_tension: 0.7 });
    const earlyTrade = (run: Outcome) => series(run, 'trade_volume').slice(0, 10);
    const mean = (values: number[]) => values.reduce((total, value) => total + value, 0) / values.length;
    expect(peak(tense, 'geopolitical_tension')).toBeGreaterThanOrEqual(0.95);
    expect(peak(calm, 'geopolitical_tension')).toBeLessThan(0.95);
    expect(mean(earlyTrade(tense))).toBeLessThan(mean(earlyTrade(calm)) - 20);
    expect(tense.result.steps).toBeLessThan(calm.result.steps);
  });
});
