/**
 * Rule-agent throughput with persistence on versus off, in the same process: the shipped
 * 10,000-depositor bank-run scenario (rule brains only), once as a bare run and once recorded
 * step by step into the embedded store (PGlite in a fresh folder on disk: every step's events,
 * messages, deltas and metrics committed in one transaction before the run goes on; a world
 * snapshot every 10 steps). The order alternates per seed. With `--postgres` the same is
 * measured against PostgreSQL too (a throwaway database on SANDTABLE_TEST_POSTGRES, else the local server). DESIGN.md's target: ≥ 1,000,000
 * rule-agent steps per minute with persistence on.
 * Usage: `npx tsx bench/persistence.ts [--seeds 3] [--steps 30] [--postgres]`.
 * Writes bench/results/persistence.json.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, parseScenario } from '@sandtable/core';
import { createStoredRun, openStore, persistRun, type Store } from '@sandtable/store';
import { createTestDatabase } from '@sandtable/store/testing';
import { median, option, round, seedList, writeResult } from './support/reporting';
import type { ResultHeader } from './support/result-types';

const scenarioFile = join(import.meta.dirname, '..', 'scenarios', 'bank-run.yaml');
// rumour_strength 0.2 with the backstop keeps the bank alive, so every run lasts all its steps.
const parameters = { rumour_strength: 0.2 };
const steps = Number(option('steps') ?? 30);

interface Sample {
  seed: number;
  backend: 'none' | 'pglite' | 'postgres';
  agents: number;
  steps: number;
  events: number;
  seconds: number;
  agentStepsPerMinute: number;
  /** Median time of one step's commit (the transaction), in milliseconds. */
  medianCommitMs?: number;
}

interface PersistenceResult extends ResultHeader {
  scenario: string;
  stepsPerRun: number;
  medianAgentStepsPerMinute: { off: number; pglite: number; postgres?: number };
  worstAgentStepsPerMinute: { off: number; pglite: number; postgres?: number };
  /** Persistence-on throughput as a share of persistence-off: the median over seeds of each seed's pair. */
  pgliteShareOfOff: number;
  postgresShareOfOff?: number;
  /** The machine's 1-minute load average at the start and the end (2 cores: above 2 means contention). */
  loadAverage: { start: number; end: number };
  target: string;
  pgliteMeetsTarget: boolean;
  samples: Sample[];
}

const text = await readFile(scenarioFile, 'utf8');
const loadAtStart = loadavg()[0] ?? Number.NaN;

async function measureOff(seed: number): Promise<Sample> {
  const scenario = parseScenario(text, { file: scenarioFile, seed, steps, parameters });
  const run = createEngine().createRun(scenario);
  let events = 0;
  run.subscribe(() => {
    events += 1;
  });
  const started = performance.now();
  const result = await run.start();
  const elapsed = (performance.now() - started) / 1000;
  return {
    seed,
    backend: 'none',
    agents: scenario.agents.length,
    steps: result.steps,
    events,
    seconds: round(elapsed, 2),
    agentStepsPerMinute: Math.round((scenario.agents.length * result.steps * 60) / elapsed),
  };
}

async function measureOn(store: Store, backend: 'pglite' | 'postgres', seed: number): Promise<Sample> {
  const { record, scenario } = await createStoredRun(store, {
    source: text,
    origin: scenarioFile,
    seed,
    parameters,
    setup: { steps },
  });
  const commits: number[] = [];
  const timed: Store = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'appendStep') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<Store['appendStep']>) => {
        const began = performance.now();
        await target.appendStep(...args);
        commits.push(performance.now() - began);
      };
    },
  });
  const persisted = await persistRun(timed, record.id, {
    createRun: ({ scenario: stored, record: run }) => createEngine().createRun(stored, { runId: run.id }),
  });
  let events = 0;
  persisted.run.subscribe(() => {
    events += 1;
  });
  const started = performance.now();
  const result = await persisted.persistence.start();
  const elapsed = (performance.now() - started) / 1000;
  if (result.status !== 'completed')
    throw new Error(`the persisted run ${result.status}: ${result.error?.message}`);
  const stored = await store.getRun(record.id);
  if (stored?.lastSequence !== events) throw new Error(`stored ${stored?.lastSequence} events of ${events}`);
  return {
    seed,
    backend,
    agents: scenario.agents.length,
    steps: result.steps,
    events,
    seconds: round(elapsed, 2),
    agentStepsPerMinute: Math.round((scenario.agents.length * result.steps * 60) / elapsed),
    medianCommitMs: round(median(commits), 1),
  };
}

const folder = await mkdtemp(join(tmpdir(), 'sandtable-bench-store-'));
const pglite = await openStore({ directory: folder });
const postgresDatabase = process.argv.includes('--postgres')
  ? await createTestDatabase('sandtable_bench').catch((error: Error) => {
      throw new Error(`--postgres: ${error.message}`);
    })
  : undefined;
const postgres = postgresDatabase ? await openStore({ url: postgresDatabase.url }) : undefined;
const samples: Sample[] = [];
try {
  for (const seed of seedList(3)) {
    // Alternate the order so warm-up and heap growth do not favour one side.
    const order = seed % 2 === 1 ? ['off', 'pglite', 'postgres'] : ['postgres', 'pglite', 'off'];
    for (const which of order) {
      if (which === 'off') samples.push(await measureOff(seed));
      else if (which === 'pglite') samples.push(await measureOn(pglite, 'pglite', seed));
      else if (postgres) samples.push(await measureOn(postgres, 'postgres', seed));
      console.log(JSON.stringify(samples.at(-1)));
    }
  }
} finally {
  await pglite.close();
  await rm(folder, { recursive: true, force: true });
  await postgres?.close();
  await postgresDatabase?.drop();
}
console.table(samples);

const rates = (backend: Sample['backend']) =>
  samples.filter((sample) => sample.backend === backend).map((sample) => sample.agentStepsPerMinute);
const off = median(rates('none'));
const on = median(rates('pglite'));
const onPostgres = postgres ? median(rates('postgres')) : undefined;
const target = 1_000_000;
/** Each seed's persisted rate over its own unpersisted rate, then the median over seeds. */
const shareOfOff = (backend: Sample['backend']) =>
  median(
    samples
      .filter((sample) => sample.backend === backend)
      .map((sample) => {
        const bare = samples.find((other) => other.backend === 'none' && other.seed === sample.seed);
        return sample.agentStepsPerMinute / (bare?.agentStepsPerMinute ?? Number.NaN);
      }),
  );
console.log(
  `rule-agent steps per minute: persistence off ${off.toLocaleString('en')}, on (PGlite) ${on.toLocaleString('en')} ` +
    `(${Math.round(shareOfOff('pglite') * 100)}% of off, seed by seed)${onPostgres ? `, on (PostgreSQL) ${onPostgres.toLocaleString('en')}` : ''}; target ≥ ${target.toLocaleString('en')} with persistence on`,
);
await writeResult<PersistenceResult>('persistence', 'persistence.ts', {
  scenario: 'scenarios/bank-run.yaml (10,002 rule agents, rumour_strength 0.2)',
  stepsPerRun: steps,
  medianAgentStepsPerMinute: { off, pglite: on, ...(onPostgres ? { postgres: onPostgres } : {}) },
  worstAgentStepsPerMinute: {
    off: Math.min(...rates('none')),
    pglite: Math.min(...rates('pglite')),
    ...(postgres ? { postgres: Math.min(...rates('postgres')) } : {}),
  },
  pgliteShareOfOff: round(shareOfOff('pglite')),
  ...(onPostgres ? { postgresShareOfOff: round(shareOfOff('postgres')) } : {}),
  loadAverage: { start: round(loadAtStart, 2), end: round(loadavg()[0] ?? Number.NaN, 2) },
  target: `≥ ${target.toLocaleString('en')} rule-agent steps per minute with persistence on`,
  pgliteMeetsTarget: on >= target,
  samples,
});
