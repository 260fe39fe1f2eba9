/**
 * Sweep parallelism: the 100-run port-strike sweep of sweep.test.ts (strike_days 4 and 10 × seeds
 * 1–50, 15 steps, rule agents) run three ways — every member on the main thread (the in-thread
 * executor, 2 in flight: they only overlap while awaiting), on 1 worker thread, and on 2 worker
 * threads (or `--workers N`). Reports each way's wall time, CPU time (all threads), runs per
 * second, the time to the first finished run (thread start included) and the speedup over the
 * in-thread executor, and checks that every way gives the same report. Each way runs in a fresh
 * process (as `sandtable sweep` does), so each starts with a cold main thread — its JIT and caches
 * warm up over the first few dozen runs, as every worker thread's must.
 *
 * Real time, so the figures depend on what else the machine runs. Linux's autogroup scheduling
 * shares the cores between sessions, not threads: while another session keeps both cores busy,
 * this one gets about one core however many threads it runs. So a control runs first: the same
 * fixed CPU loop in 1 and then in `workers` child processes at once; `controlSpeedup` (1 when no
 * parallelism is available, `workers` when all of it is) says how much the machine offered.
 *
 * Usage: `npx tsx bench/sweep-parallel.ts [--repeats 1] [--workers 2] [--steps 15]`. `--seeds` (from run-all)
 * is ignored: the sweep's 50 seeds are part of what is measured. Writes
 * bench/results/sweep-parallel.json.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  aggregateSweep,
  expandSweep,
  ruleSweepExecutor,
  runSweep,
  runSweepInWorkers,
  SweepDefinition,
  type SweepOutcome,
} from '@sandtable/core';
import { median, option, round, writeResult } from './support/reporting';
import type { ResultHeader } from './support/result-types';

const scenarioFile = join(import.meta.dirname, '..', 'scenarios', 'port-strike.yaml');
const steps = Number(option('steps') ?? 15);
const repeats = Math.max(1, Number(option('repeats') ?? 1));
const workers = Math.max(2, Number(option('workers') ?? 2));

interface Sample {
  way: string;
  repeat: number;
  seconds: number;
  cpuSeconds: number;
  runsPerSecond: number;
  firstRunSeconds: number;
}

interface SweepParallelResult extends ResultHeader {
  scenario: string;
  runs: number;
  steps: number;
  cores: number;
  /** The 1-minute load average before and after: other work on the cores skews the figures. */
  loadBefore: number;
  loadAfter: number;
  /** A fixed CPU loop's throughput in `workers` processes at once over that of 1 (see above). */
  controlSpeedup: number;
  /** Median over repeats, per way. */
  ways: Array<Omit<Sample, 'repeat'> & { speedup: number }>;
  /** Every way gave the same outcomes and report. */
  identical: boolean;
  samples: Sample[];
}

/** The control's fixed CPU work; returns its milliseconds. */
function spin(): number {
  const started = performance.now();
  let sum = 0;
  for (let index = 0; index < 400_000_000; index += 1) sum += index % 7;
  if (sum < 0) throw new Error('unreachable');
  return performance.now() - started;
}

// `--spin-until T`: a control process. Waits for time T (so the processes overlap), spins, prints.
const spinUntil = option('spin-until');
if (spinUntil !== undefined) {
  while (Date.now() < Number(spinUntil)) await new Promise((resolve) => setTimeout(resolve, 5));
  console.log(Math.round(spin()));
  process.exit(0);
}

/** The loop time of the slowest of `count` control processes spinning at once. */
async function control(count: number): Promise<number> {
  const startAt = Date.now() + 3000;
  const times = await Promise.all(
    Array.from({ length: count }, async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        import.meta.filename,
        '--spin-until',
        String(startAt),
      ]);
      return Number(stdout.trim().split('\n').at(-1));
    }),
  );
  return Math.max(...times);
}

const text = await readFile(scenarioFile, 'utf8');
const plan = expandSweep(
  SweepDefinition.parse({
    scenario: 'port-strike.yaml',
    steps,
    seeds: '1..50',
    grid: { strike_days: [4, 10] },
  }),
);
const executorOptions = { file: scenarioFile, steps };

const ways: Array<{ way: string; run: (onMember: () => void) => Promise<SweepOutcome[]> }> = [
  {
    way: 'in-thread',
    run: (onMember) => runSweep(plan, ruleSweepExecutor(text, executorOptions), { parallel: 2, onMember }),
  },
  {
    way: '1 worker',
    run: (onMember) => runSweepInWorkers(plan, text, { ...executorOptions, workers: 1, onMember }),
  },
  {
    way: `${workers} workers`,
    run: (onMember) => runSweepInWorkers(plan, text, { ...executorOptions, workers, onMember }),
  },
];

/** `--way W`: one sweep in this process; prints its sample and a digest of its report. */
async function measureWay(way: string, repeat: number): Promise<Sample & { digest: string }> {
  const chosen = ways.find((candidate) => candidate.way === way);
  if (!chosen) throw new Error(`unknown way ${way}`);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let first = Number.NaN;
  const outcomes = await chosen.run(() => {
    if (Number.isNaN(first)) first = performance.now() - started;
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const failed = outcomes.filter((outcome) => !outcome.ok);
  if (failed.length > 0)
    throw new Error(`${way}: ${failed.length} runs failed, e.g. ${JSON.stringify(failed[0])}`);
  const report = aggregateSweep(plan, outcomes, { name: 'strike length', scenario: scenarioFile });
  return {
    way,
    repeat,
    seconds: round(seconds, 2),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    runsPerSecond: round(plan.members.length / seconds, 2),
    firstRunSeconds: round(first / 1000, 2),
    digest: createHash('sha256').update(JSON.stringify(report)).digest('hex'),
  };
}

const wayOption = option('way');
if (wayOption !== undefined) {
  console.log(JSON.stringify(await measureWay(wayOption, Number(option('repeat') ?? 1))));
  process.exit(0);
}

const loadBefore = round(loadavg()[0] ?? Number.NaN, 2);
const controlSpeedup = round((workers * (await control(1))) / (await control(workers)), 2);
console.log(`control: ${workers} CPU loops at once ran ${controlSpeedup}× the throughput of one`);
const samples: Sample[] = [];
const digests = new Set<string>();
for (let repeat = 1; repeat <= repeats; repeat += 1) {
  for (const { way } of ways) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        import.meta.filename,
        '--way',
        way,
        '--repeat',
        String(repeat),
        '--workers',
        String(workers),
        '--steps',
        String(steps),
      ],
      { maxBuffer: 16 * 2 ** 20 },
    );
    const { digest, ...sample } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Sample & {
      digest: string;
    };
    digests.add(digest);
    console.log(JSON.stringify(sample));
    samples.push(sample);
  }
}
const identical = digests.size === 1;

const medianOf = (way: string, figure: (sample: Sample) => number) =>
  median(samples.filter((sample) => sample.way === way).map(figure));
const baseline = medianOf('in-thread', (sample) => sample.seconds);
const summary = ways.map(({ way }) => {
  const seconds = medianOf(way, (sample) => sample.seconds);
  return {
    way,
    seconds: round(seconds, 2),
    cpuSeconds: round(
      medianOf(way, (sample) => sample.cpuSeconds),
      2,
    ),
    runsPerSecond: round(plan.members.length / seconds, 2),
    firstRunSeconds: round(
      medianOf(way, (sample) => sample.firstRunSeconds),
      2,
    ),
    speedup: round(baseline / seconds, 2),
  };
});
console.table(summary);
const loadAfter = round(loadavg()[0] ?? Number.NaN, 2);
const many = summary.at(-1);
console.log(
  `${plan.members.length} runs: ${many?.way} ${many?.speedup}× the in-thread executor (${many?.seconds} s vs ${round(baseline, 2)} s) on ${cpus().length} cores (load ${loadBefore} → ${loadAfter}, control ${controlSpeedup}×); reports ${identical ? 'identical' : 'DIFFER'}`,
);
await writeResult<SweepParallelResult>('sweep-parallel', 'sweep-parallel.ts', {
  scenario: 'scenarios/port-strike.yaml',
  runs: plan.members.length,
  steps,
  cores: cpus().length,
  loadBefore,
  loadAfter,
  controlSpeedup,
  ways: summary,
  identical,
  samples,
});
if (!identical) process.exitCode = 1;
