/**
 * `npm run bench`: runs every benchmark, each in its own process (so memory figures are not mixed),
 * and regenerates bench/RESULTS.md from bench/results/*.json with the machine, date, command and
 * total time. The virtual-time benchmarks (their figures do not depend on the machine's load) run
 * two at a time; the real-time ones (overhead, virtual/real agreement, rule agents) run alone after.
 *
 * Options: `--seeds N` (default 5) for every benchmark; `--jobs N` virtual-time benchmarks at once
 * (default 2); `--report-only` regenerates RESULTS.md from the results already there.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { option } from './support/reporting';
import { type ReportContext, renderResults } from './support/results-report';

interface Benchmark {
  file: string;
  args: string[];
}

const directory = import.meta.dirname;
const seeds = option('seeds') ?? '5';
const jobs = Math.max(1, Number(option('jobs') ?? 2));

/** Virtual time, longest first: they share the cores. */
const virtualTime: Benchmark[] = [
  { file: 'scheduling.ts', args: ['--profile', 'continuous-batching'] },
  { file: 'scheduling.ts', args: ['--profile', 'slot-server'] },
  { file: 'adaptive-concurrency.ts', args: [] },
  { file: 'scheduling.ts', args: ['--profile', 'api'] },
  { file: 'prompt-layout.ts', args: [] },
  { file: 'tail-latency.ts', args: [] },
];
/** Real time: one at a time, alone on the machine (as far as this command goes). */
const realTime: Benchmark[] = [
  { file: 'mode-agreement.ts', args: [] },
  { file: 'overhead.ts', args: [] },
  { file: 'rule-agents.ts', args: [] },
  { file: 'persistence.ts', args: ['--postgres'] },
  { file: 'concurrent-runs.ts', args: ['--seeds', '2'] },
];

function label(benchmark: Benchmark): string {
  return [
    benchmark.file.replace('.ts', ''),
    ...benchmark.args.filter((argument) => !argument.startsWith('--')),
  ].join(' ');
}

/** Runs one benchmark in a child process, its output prefixed with its name. */
function runBenchmark(benchmark: Benchmark): Promise<void> {
  const name = label(benchmark);
  console.log(`== ${name}: started`);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(directory, benchmark.file), ...benchmark.args, '--seeds', seeds],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const seconds = Math.round((performance.now() - started) / 1000);
      if (code === 0) {
        console.log(`== ${name}: done in ${seconds} s`);
        resolve();
      } else reject(new Error(`${name} failed with exit code ${code} after ${seconds} s`));
    });
  });
}

async function runPool(benchmarks: readonly Benchmark[], width: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < benchmarks.length) {
      const benchmark = benchmarks[next] as Benchmark;
      next += 1;
      await runBenchmark(benchmark);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

const started = performance.now();
const runFile = join(directory, 'results', 'run-all.json');
let context: ReportContext;
if (process.argv.includes('--report-only')) {
  // Keep the date, machine and duration of the run the results came from.
  context = JSON.parse(await readFile(runFile, 'utf8')) as ReportContext;
} else {
  await runPool(virtualTime, jobs);
  await runPool(realTime, 1);
  context = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    command: seeds === '5' ? 'npm run bench' : `npm run bench -- --seeds ${seeds}`,
    totalMinutes: Math.round((performance.now() - started) / 6000) / 10,
  };
  await writeFile(runFile, `${JSON.stringify(context, null, 2)}\n`);
}
await writeFile(join(directory, 'RESULTS.md'), await renderResults(context));
console.log(`\nwrote bench/RESULTS.md (the run took ${context.totalMinutes} minutes)`);
