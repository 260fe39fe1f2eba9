import type { RunEvent } from '../engine/run-events';
import { wallClockFields } from '../engine/run-events';
import { formatValue } from '../environments/world-actions-environment';
import type { VariableValue } from '../scenario/scenario';
import { analyzeRun } from './run-analysis';
import { completedSteps, type RunRecords } from './run-records';

/** Where two runs' event logs first differ. */
export interface Divergence {
  /** The first step whose events differ; null when the logs agree on every step both ran. */
  step: number | null;
  /** The two differing events' sequence numbers and types (absent when one run has fewer events that step). */
  first?: { sequence: number; type: string };
  other?: { sequence: number; type: string };
  /** Whether the runs ran for different numbers of steps. */
  lengthsDiffer: boolean;
}

/** One metric across the compared runs. */
export interface MetricComparison {
  name: string;
  /** Per run, the value at each step of {@link RunComparison.steps} (NaN where the run had none). */
  series: number[][];
  /** Per run, the final value. */
  finals: number[];
  /** Per run, the final value minus the first run's. */
  deltas: number[];
}

/** A difference of the end state: one variable whose final values are not all equal. */
export interface StateDifference {
  /** `globals.<name>` or `agents.<id>.<name>`. */
  path: string;
  values: Array<VariableValue | null>;
}

/** Two or more runs side by side. */
export interface RunComparison {
  runs: Array<{
    runId: string;
    scenario: string;
    seed: number;
    parameters: Record<string, number | boolean | string>;
    steps: number;
    outcome?: string;
    headline: string;
  }>;
  /** Parameters (and the seed) whose values differ between runs. */
  differences: Array<{ name: string; values: Array<number | boolean | string | null> }>;
  steps: number[];
  metrics: MetricComparison[];
  /** Each later run against the first. */
  divergence: Divergence[];
  finalState: StateDifference[];
  /** How many end-state variables differ in all (the list is cut to `maxStateDifferences`). */
  finalStateDifferences: number;
}

/** Options of {@link compareRuns}. */
export interface CompareRunsOptions {
  /** @defaultValue 50 */
  maxStateDifferences?: number;
}

/** An event without the fields that differ between identical runs (wall time, sequence number). */
function comparable(event: RunEvent): string {
  const copy: Record<string, unknown> = { ...event };
  for (const field of wallClockFields) delete copy[field];
  delete copy.sequence;
  return JSON.stringify(copy);
}

function eventsByStep(events: readonly RunEvent[]): Map<number, RunEvent[]> {
  const byStep = new Map<number, RunEvent[]>();
  for (const event of events) {
    // run-started (no step) names the run — seed, parameters: those are listed, not a divergence.
    if (!('step' in event)) continue;
    const list = byStep.get(event.step) ?? [];
    list.push(event);
    byStep.set(event.step, list);
  }
  return byStep;
}

/** The first step whose events differ between two runs, ignoring wall time and sequence numbers. */
export function findDivergence(first: RunRecords, other: RunRecords): Divergence {
  const a = eventsByStep(first.events);
  const b = eventsByStep(other.events);
  const steps = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  const lengthsDiffer = completedSteps(first) !== completedSteps(other);
  for (const step of steps) {
    const left = a.get(step) ?? [];
    const right = b.get(step) ?? [];
    const length = Math.max(left.length, right.length);
    for (let index = 0; index < length; index += 1) {
      const x = left[index];
      const y = right[index];
      if (x && y && comparable(x) === comparable(y)) continue;
      return {
        step,
        ...(x ? { first: { sequence: x.sequence, type: x.type } } : {}),
        ...(y ? { other: { sequence: y.sequence, type: y.type } } : {}),
        lengthsDiffer,
      };
    }
  }
  return { step: null, lengthsDiffer };
}

function sameValue(a: VariableValue | null, b: VariableValue | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compares runs (forks, parameter changes, seeds): metric series side by side on the union of
 * their steps, final values and deltas against the first run, each run's divergence from the
 * first, the end-state variables that differ, and each run's brief headline. A pure function of
 * the records, for the CLI and the API alike.
 */
export function compareRuns(runs: readonly RunRecords[], options: CompareRunsOptions = {}): RunComparison {
  const analyses = runs.map((records) => analyzeRun(records));
  const steps = [...new Set(analyses.flatMap((analysis) => analysis.metrics.steps))].sort((a, b) => a - b);
  const names = [
    ...new Set(analyses.flatMap((analysis) => analysis.metrics.series.map((series) => series.name))),
  ].filter((name) => !/^(actions\.|failures\.|mood\.)/.test(name));
  const metrics = names.map((name): MetricComparison => {
    const series = analyses.map((analysis) => {
      const found = analysis.metrics.series.find((candidate) => candidate.name === name);
      const byStep = new Map(
        analysis.metrics.steps.map((step, index) => [step, found?.values[index] ?? Number.NaN]),
      );
      return steps.map((step) => byStep.get(step) ?? Number.NaN);
    });
    const finals = analyses.map((analysis) => {
      const found = analysis.metrics.series.find((candidate) => candidate.name === name);
      if (!found) return Number.NaN;
      return found.total ?? found.values.filter(Number.isFinite).at(-1) ?? Number.NaN;
    });
    return { name, series, finals, deltas: finals.map((value) => value - (finals[0] as number)) };
  });
  const parameterNames = [...new Set(runs.flatMap((records) => Object.keys(records.scenario.parameters)))];
  const differences = [
    { name: 'seed', values: runs.map((records) => records.scenario.seed) },
    ...parameterNames.map((name) => ({
      name,
      values: runs.map((records) => records.scenario.parameters[name] ?? null),
    })),
  ].filter((entry) => entry.values.some((value) => value !== entry.values[0]));

  const paths = new Map<string, Array<VariableValue | null>>();
  runs.forEach((records, index) => {
    const state = records.finalState;
    if (!state) return;
    const put = (path: string, value: VariableValue) => {
      const values = paths.get(path) ?? runs.map(() => null);
      values[index] = value;
      paths.set(path, values);
    };
    for (const [name, value] of Object.entries(state.globals)) put(`globals.${name}`, value);
    for (const agent of state.agents)
      for (const [name, value] of Object.entries(agent.variables ?? {}))
        put(`agents.${agent.id}.${name}`, value);
  });
  const differing = [...paths.entries()]
    .filter(([, values]) => values.some((value) => !sameValue(value, values[0] ?? null)))
    .map(([path, values]) => ({ path, values }));
  // Globals first: they are the world; agent variables follow.
  differing.sort((a, b) => Number(b.path.startsWith('globals.')) - Number(a.path.startsWith('globals.')));
  return {
    runs: runs.map((records, index) => ({
      runId: records.runId,
      scenario: records.scenario.name,
      seed: records.scenario.seed,
      parameters: records.scenario.parameters,
      steps: completedSteps(records),
      ...(records.finalState?.outcome ? { outcome: records.finalState.outcome } : {}),
      headline: (analyses[index] as ReturnType<typeof analyzeRun>).brief.headline,
    })),
    differences,
    steps,
    metrics,
    divergence: runs.slice(1).map((records) => findDivergence(runs[0] as RunRecords, records)),
    finalState: differing.slice(0, options.maxStateDifferences ?? 50),
    finalStateDifferences: differing.length,
  };
}

const show = (value: unknown) =>
  typeof value === 'number'
    ? Number.isFinite(value)
      ? formatValue(value)
      : '—'
    : value === null
      ? '—'
      : String(value);

/** Renders a comparison as Markdown: runs, what differs, divergence, finals and deltas, a series table, end-state differences, headlines. */
export function renderComparisonMarkdown(
  comparison: RunComparison,
  options: { seriesRows?: number; seriesMetrics?: number } = {},
): string {
  const labels = comparison.runs.map(
    (_, index) =>
      String.fromCharCode(65 + (index % 26)) + (index >= 26 ? String(Math.floor(index / 26)) : ''),
  );
  const lines = ['# Run comparison', ''];
  lines.push('| run | id | seed | steps | outcome |', '| --- | --- | --- | --- | --- |');
  comparison.runs.forEach((run, index) => {
    lines.push(`| ${labels[index]} | ${run.runId} | ${run.seed} | ${run.steps} | ${run.outcome ?? '—'} |`);
  });
  lines.push('');
  if (comparison.differences.length > 0) {
    lines.push(
      '## What differs',
      '',
      ...comparison.differences.map((entry) => `- ${entry.name}: ${entry.values.map(show).join(' vs ')}`),
      '',
    );
  }
  lines.push('## Divergence', '');
  comparison.divergence.forEach((divergence, index) => {
    const label = labels[index + 1];
    lines.push(
      divergence.step === null
        ? `- ${label} matches A on every step both ran${divergence.lengthsDiffer ? ' (but they ran for different numbers of steps)' : ''}.`
        : `- ${label} diverges from A at step ${divergence.step}: A's event #${divergence.first?.sequence ?? '—'} (${divergence.first?.type ?? 'none'}) vs ${label}'s #${divergence.other?.sequence ?? '—'} (${divergence.other?.type ?? 'none'}).`,
    );
  });
  lines.push('', '## Final values', '');
  lines.push(
    `| metric | ${labels.join(' | ')} | ${labels
      .slice(1)
      .map((label) => `Δ ${label}−A`)
      .join(' | ')} |`,
    `| --- | ${labels.map(() => '---').join(' | ')} | ${labels
      .slice(1)
      .map(() => '---')
      .join(' | ')} |`,
  );
  for (const metric of comparison.metrics)
    lines.push(
      `| ${metric.name} | ${metric.finals.map(show).join(' | ')} | ${metric.deltas
        .slice(1)
        .map((delta) => `${delta > 0 ? '+' : ''}${show(delta)}`)
        .join(' | ')} |`,
    );
  lines.push('');
  const shown = comparison.metrics.slice(0, options.seriesMetrics ?? 4);
  if (shown.length > 0 && comparison.steps.length > 0) {
    const rows = options.seriesRows ?? 20;
    const stride = Math.max(1, Math.ceil(comparison.steps.length / rows));
    lines.push('## Series', '', `Every ${stride === 1 ? '' : `${stride}th `}step.`, '');
    const columns = shown.flatMap((metric) => labels.map((label) => `${metric.name} ${label}`));
    lines.push(`| step | ${columns.join(' | ')} |`, `| --- | ${columns.map(() => '---').join(' | ')} |`);
    comparison.steps.forEach((step, position) => {
      if (position % stride !== 0 && position !== comparison.steps.length - 1) return;
      lines.push(
        `| ${step} | ${shown.flatMap((metric) => metric.series.map((series) => show(series[position]))).join(' | ')} |`,
      );
    });
    lines.push('');
  }
  if (comparison.finalStateDifferences > 0) {
    lines.push(`## End state (${comparison.finalStateDifferences} variables differ)`, '');
    for (const difference of comparison.finalState.slice(0, 20))
      lines.push(`- ${difference.path}: ${difference.values.map(show).join(' vs ')}`);
    lines.push('');
  }
  lines.push(
    '## Headlines',
    '',
    ...comparison.runs.map((run, index) => `- ${labels[index]}: ${run.headline}`),
    '',
  );
  return lines.join('\n');
}
