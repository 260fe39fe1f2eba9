import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  aggregateSweep,
  defaultSweepWorkers,
  expandSweep,
  parseScenario,
  parseSweepDefinition,
  renderSweepMarkdown,
  renderSweepPdf,
  ruleSweepExecutor,
  runSweep,
  runSweepInWorkers,
  SandtableError,
  ScenarioError,
  SweepDefinition,
  type SweepDefinitionInput,
  type SweepOutcome,
} from '@sandtable/core';
import type { CommandIo } from '../command-io';

/** Options of `sandtable sweep`. */
export interface SweepCommandOptions {
  /** `name=a,b,c` (repeatable): grid values, added to or replacing the file's. */
  grid: string[];
  /** `1..20` or `1,2,3`. */
  seeds?: string;
  /** `name=min..max` or `name=a|b|c` (repeatable): a randomly drawn parameter. */
  random: string[];
  /** Random settings to draw. */
  samples?: number;
  randomSeed?: number;
  /** Worker threads (runs at once); `--workers` is the same. Default: the file's `parallel`, else the cores from three up (in process on one or two). */
  parallel?: number;
  workers?: number;
  /** Run every member on this thread (the runs only overlap while they await). */
  inProcess?: boolean;
  steps?: number;
  /** Metrics to report (repeatable). */
  metric: string[];
  out: string;
  /** Also write sweep.pdf (charts of means with intervals, and the intervals narrowing with seeds). */
  pdf?: boolean;
}

function typed(text: string): number | boolean | string {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  const number = Number(trimmed);
  return trimmed !== '' && Number.isFinite(number) ? number : trimmed;
}

function split(option: string, entry: string): [string, string] {
  const separator = entry.indexOf('=');
  if (separator <= 0)
    throw new SandtableError('CLI_BAD_OPTION', `${option} expects name=values, got "${entry}"`, {
      category: 'user',
    });
  return [entry.slice(0, separator).trim(), entry.slice(separator + 1).trim()];
}

function csvCell(value: unknown): string {
  const text = value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `sandtable sweep FILE [--grid name=a,b] [--seeds 1..20] [--random name=min..max --samples N]
 * [--workers N] [--steps N]`: FILE is a sweep file (`scenario:` plus grid, random, seeds) or a
 * scenario file (then the flags say what to vary). Every parameter setting runs once per seed with
 * rule agents, on a pool of worker threads (`--workers`/`--parallel`, else the file's `parallel`,
 * else one per core from three cores, in process on one or two; `--in-process` forces it); the report goes to
 * `<out>/sweep-<name>-<time>/` as sweep.md, sweep.json and members.csv. Ctrl-C stops the sweep at
 * once (the threads are terminated) and writes the report of the runs that finished.
 */
export async function sweepCommand(
  file: string,
  options: SweepCommandOptions,
  io: CommandIo,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SandtableError(
      'SWEEP_INVALID',
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        category: 'user',
        cause: error,
      },
    );
  }
  // A sweep file names a scenario; a scenario file has agents.
  const isSweepFile = /^scenario\s*:/m.test(text) && !/^agents\s*:/m.test(text);
  const base: SweepDefinition = isSweepFile
    ? parseSweepDefinition(text, file)
    : SweepDefinition.parse({ scenario: file });
  const scenarioPath = isSweepFile ? resolve(dirname(file), base.scenario) : resolve(file);
  const input: SweepDefinitionInput = { ...base };
  const grid = { ...base.grid };
  for (const entry of options.grid) {
    const [name, values] = split('--grid', entry);
    grid[name] = values.split(',').map(typed);
  }
  input.grid = grid;
  if (options.seeds)
    input.seeds = /^\d+\.\.\d+$/.test(options.seeds) ? options.seeds : options.seeds.split(',').map(Number);
  if (options.random.length > 0 || options.samples) {
    const parameters: Record<string, unknown> = { ...(base.random?.parameters ?? {}) };
    for (const entry of options.random) {
      const [name, values] = split('--random', entry);
      const range = /^(-?[\d.]+)\.\.(-?[\d.]+)$/.exec(values);
      parameters[name] = range
        ? { min: Number(range[1]), max: Number(range[2]), integer: /^-?\d+\.\.-?\d+$/.test(values) }
        : { values: values.split('|').map(typed) };
    }
    input.random = {
      samples: options.samples ?? base.random?.samples ?? 10,
      seed: options.randomSeed ?? base.random?.seed ?? 1,
      parameters,
    } as SweepDefinitionInput['random'];
  }
  const workers = options.workers || options.parallel;
  if (workers) input.parallel = workers;
  else if (!(isSweepFile && /^parallel\s*:/m.test(text))) input.parallel = defaultSweepWorkers();
  if (options.steps) input.steps = options.steps;
  if (options.metric.length > 0) input.metrics = options.metric;
  const checked = SweepDefinition.safeParse(input);
  if (!checked.success)
    throw new SandtableError(
      'SWEEP_INVALID',
      checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      { category: 'user' },
    );
  const definition = checked.data;
  const plan = expandSweep(definition);

  let scenarioText: string;
  try {
    scenarioText = await readFile(scenarioPath, 'utf8');
  } catch (error) {
    throw new ScenarioError([{ file: scenarioPath, message: 'cannot read scenario: file not found' }], {
      cause: error,
    });
  }
  // Check every setting once before running anything: a bad parameter fails here, not 100 times.
  for (const parameters of plan.settings)
    parseScenario(scenarioText, {
      file: scenarioPath,
      parameters,
      ...(definition.steps ? { steps: definition.steps } : {}),
    });
  const scenarioName = parseScenario(scenarioText, { file: scenarioPath }).name;
  const name =
    definition.name ?? `${scenarioName} over ${Object.keys(plan.settings[0] ?? {}).join(', ') || 'seeds'}`;
  const threads = Math.min(definition.parallel, plan.members.length);
  // One thread buys nothing over the calling one but its start: run in process then, unless asked.
  const inProcess = options.inProcess || (threads === 1 && !workers);
  io.err(
    `Sweep ${name}: ${plan.members.length} runs (${plan.settings.length} settings × ${plan.seeds.length} seeds), ${
      inProcess
        ? `${definition.parallel} at a time in process`
        : `on ${threads} worker thread${threads === 1 ? '' : 's'}`
    }`,
  );
  const every = Math.max(1, Math.round(plan.members.length / 10));
  const executorOptions = {
    ...(/^(data|documents|personas)\s*:/m.test(scenarioText)
      ? { worldDirectory: dirname(scenarioPath) }
      : {}),
    file: scenarioPath,
    ...(definition.steps ? { steps: definition.steps } : {}),
  };
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.err('\nStopping the sweep (Ctrl-C again to quit at once)…');
    controller.abort(new Error('interrupted (Ctrl-C)'));
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const sweepOptions = {
    signal: controller.signal,
    onMember: (_outcome: SweepOutcome, done: number, total: number) => {
      if (done % every === 0 || done === total) io.err(`  ${done}/${total} runs`);
    },
  };
  let outcomes: SweepOutcome[];
  try {
    outcomes = inProcess
      ? await runSweep(plan, ruleSweepExecutor(scenarioText, executorOptions), {
          ...sweepOptions,
          parallel: definition.parallel,
        })
      : await runSweepInWorkers(plan, scenarioText, {
          ...executorOptions,
          ...sweepOptions,
          workers: definition.parallel,
        });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
  const report = aggregateSweep(plan, outcomes, {
    name,
    scenario: scenarioPath,
    grid: definition.grid,
    random: Object.keys(definition.random?.parameters ?? {}),
    ...(definition.metrics ? { metrics: definition.metrics } : {}),
  });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'sweep';
  const directory = resolve(join(options.out, `sweep-${slug}-${stamp}`));
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'sweep.md'), renderSweepMarkdown(report));
  await writeFile(join(directory, 'sweep.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (options.pdf) await writeFile(join(directory, 'sweep.pdf'), await renderSweepPdf(report));
  const parameterNames = [...new Set(plan.settings.flatMap((setting) => Object.keys(setting)))];
  const header = ['index', 'seed', ...parameterNames, 'outcome', ...report.metrics, 'error'];
  const rows = report.members.map((member) => [
    member.index,
    member.seed,
    ...parameterNames.map((parameter) => member.parameters[parameter]),
    member.outcome,
    ...report.metrics.map((metric) => member.finals?.[metric]),
    member.error,
  ]);
  await writeFile(
    join(directory, 'members.csv'),
    `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`,
  );
  io.out(
    `${report.runs - report.failed} of ${report.runs} runs completed${controller.signal.aborted ? ' (interrupted)' : ''}. Report: ${join(directory, 'sweep.md')}`,
  );
  if (controller.signal.aborted) return 130;
  return report.failed > 0 ? 2 : 0;
}
