/**
 * Run comparison, computed in the page from each run's per-step records: metric series aligned by
 * step, the first step at which the runs differ, and the final world variables that differ.
 */

/** What a run contributes to a comparison: its completed steps, in order. */
export interface ComparedRun {
  id: string;
  label: string;
  steps: Array<{
    step: number;
    metrics: Record<string, number>;
    actions?: Record<string, number>;
    messages?: number;
    failures?: number;
  }>;
  /** Global variables after the last step. */
  finalState?: Record<string, unknown>;
}

/** The outcome of {@link compareRuns}. */
export interface RunComparison {
  /** Every step any run reached, ascending. */
  steps: number[];
  /** Metric → one series per run (aligned with `steps`; null where a run has no value). */
  metrics: Map<string, Array<Array<number | null>>>;
  /** The first step whose record differs between any two runs; undefined when none does. */
  divergenceStep: number | undefined;
  /** What differed first at the divergence step. */
  divergenceReason: string | undefined;
  /** Final global variables that are not equal in every run. */
  finalDifferences: Array<{ variable: string; values: unknown[] }>;
}

const tolerance = 1e-9;

function equalValues(left: unknown, right: unknown): boolean {
  if (typeof left === 'number' && typeof right === 'number')
    return Math.abs(left - right) <= tolerance * Math.max(1, Math.abs(left), Math.abs(right));
  return JSON.stringify(left) === JSON.stringify(right);
}

function firstDifference(records: Array<ComparedRun['steps'][number]>): string | undefined {
  const [first, ...rest] = records;
  if (!first) return undefined;
  for (const other of rest) {
    const names = new Set([...Object.keys(first.metrics), ...Object.keys(other.metrics)]);
    for (const name of names)
      if (!equalValues(first.metrics[name], other.metrics[name])) return `metric ${name}`;
    const actions = new Set([...Object.keys(first.actions ?? {}), ...Object.keys(other.actions ?? {})]);
    for (const name of actions)
      if (!equalValues(first.actions?.[name] ?? 0, other.actions?.[name] ?? 0))
        return `count of ${name} actions`;
    if (!equalValues(first.messages ?? 0, other.messages ?? 0)) return 'number of messages';
    if (!equalValues(first.failures ?? 0, other.failures ?? 0)) return 'number of failures';
  }
  return undefined;
}

/** Compares two or more runs step by step. */
export function compareRuns(runs: readonly ComparedRun[]): RunComparison {
  const stepSet = new Set<number>();
  for (const run of runs) for (const record of run.steps) stepSet.add(record.step);
  const steps = [...stepSet].sort((left, right) => left - right);
  const byStep = runs.map((run) => new Map(run.steps.map((record) => [record.step, record])));
  const metricNames = new Set<string>();
  for (const run of runs)
    for (const record of run.steps) for (const name of Object.keys(record.metrics)) metricNames.add(name);
  const metrics = new Map<string, Array<Array<number | null>>>();
  for (const name of metricNames) {
    metrics.set(
      name,
      byStep.map((records) => steps.map((step) => records.get(step)?.metrics[name] ?? null)),
    );
  }
  let divergenceStep: number | undefined;
  let divergenceReason: string | undefined;
  // Steps every run has are compared by content. A fork may not repeat the parent's shared steps,
  // so a step missing from a run is skipped; a run that ends earlier diverges where it stops.
  for (const step of steps) {
    const records = byStep.map((records) => records.get(step));
    if (records.some((record) => record === undefined)) continue;
    const reason = firstDifference(records as Array<ComparedRun['steps'][number]>);
    if (reason) {
      divergenceStep = step;
      divergenceReason = reason;
      break;
    }
  }
  if (divergenceStep === undefined && runs.length > 1) {
    const lastSteps = runs.map((run) => run.steps.at(-1)?.step ?? 0);
    const shortest = Math.min(...lastSteps);
    if (lastSteps.some((last) => last !== shortest)) {
      divergenceStep = shortest + 1;
      divergenceReason = 'one run ended earlier';
    }
  }
  const variables = new Set<string>();
  for (const run of runs) for (const name of Object.keys(run.finalState ?? {})) variables.add(name);
  const finalDifferences: RunComparison['finalDifferences'] = [];
  for (const variable of [...variables].sort()) {
    const values = runs.map((run) => run.finalState?.[variable]);
    if (values.some((value) => !equalValues(value, values[0]))) finalDifferences.push({ variable, values });
  }
  return { steps, metrics, divergenceStep, divergenceReason, finalDifferences };
}
