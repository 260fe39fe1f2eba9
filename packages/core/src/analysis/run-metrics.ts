import type { RunRecords } from './run-records';

/** Where a metric comes from. */
export type MetricOrigin = 'scenario' | 'environment' | 'belief' | 'built-in';

/** One metric's values per completed step. */
export interface MetricSeries {
  name: string;
  origin: MetricOrigin;
  description?: string;
  unit?: string;
  /** One value per entry of {@link RunMetrics.steps}; NaN where the metric had no value. */
  values: number[];
  /** For counts (actions, messages, tokens…): the run's total, the sum of `values`. */
  total?: number;
}

/** A run's metrics as per-step series, the scenario's and the built-ins every run gets. */
export interface RunMetrics {
  /** The completed steps, in order. */
  steps: number[];
  /** Scenario metrics first (in scenario order), then environment and belief metrics, then built-ins. */
  series: MetricSeries[];
}

function originOf(name: string, scenarioNames: Set<string>): MetricOrigin {
  if (scenarioNames.has(name)) return 'scenario';
  if (name.startsWith('belief.')) return 'belief';
  return 'environment';
}

/**
 * Computes a run's metric series from its events and model calls. The scenario's metrics (and the
 * environment and belief aggregates the engine adds: `social.*`, `belief.<topic>.polarization`,
 * `.consensus`, …) come from `step-completed`; the built-ins are counted per step from the log:
 * `actions`, `actions.<tool>`, `messages`, `failures`, `failures.<reason>`, `constraint_hits`,
 * `model_calls`, `tokens`, `cost_usd`, and the mean mood `mood.valence` / `mood.arousal`.
 * Counts carry a run total.
 */
export function computeRunMetrics(records: RunRecords): RunMetrics {
  const steps: number[] = [];
  const fromSteps = new Map<string, number[]>();
  const descriptions = new Map(records.scenario.metrics.map((metric) => [metric.name, metric]));
  const counts = new Map<string, Map<number, number>>();
  const count = (name: string, step: number, amount = 1) => {
    let perStep = counts.get(name);
    if (!perStep) {
      perStep = new Map();
      counts.set(name, perStep);
    }
    perStep.set(step, (perStep.get(step) ?? 0) + amount);
  };
  const mood: { valence: number[]; arousal: number[] } = { valence: [], arousal: [] };
  for (const event of records.events) {
    switch (event.type) {
      case 'step-completed': {
        for (const [name, value] of Object.entries(event.metrics)) {
          let values = fromSteps.get(name);
          if (!values) {
            values = new Array(steps.length).fill(Number.NaN);
            fromSteps.set(name, values);
          }
          values.push(value);
        }
        steps.push(event.step);
        for (const values of fromSteps.values()) if (values.length < steps.length) values.push(Number.NaN);
        mood.valence.push(event.mood.valence);
        mood.arousal.push(event.mood.arousal);
        break;
      }
      case 'agent-acted':
        count('actions', event.step);
        count(`actions.${event.tool}`, event.step);
        break;
      case 'message-sent':
        if (!event.muted) count('messages', event.step);
        break;
      case 'agent-failed':
        count('failures', event.step);
        count(`failures.${event.reason}`, event.step);
        break;
      case 'constraint-hit':
        count('constraint_hits', event.step);
        break;
      default:
        break;
    }
  }
  for (const attempt of records.modelCalls ?? []) {
    if (attempt.step === undefined) continue;
    count('model_calls', attempt.step);
    count('tokens', attempt.step, attempt.usage.promptTokens + attempt.usage.completionTokens);
    count('cost_usd', attempt.step, attempt.costUsd);
  }
  const scenarioNames = new Set(descriptions.keys());
  const series: MetricSeries[] = [];
  const ordered = [...fromSteps.keys()].sort((a, b) => rank(a) - rank(b));
  function rank(name: string): number {
    const origin = originOf(name, scenarioNames);
    return origin === 'scenario' ? 0 : origin === 'environment' ? 1 : 2;
  }
  for (const name of ordered) {
    const metric = descriptions.get(name);
    series.push({
      name,
      origin: originOf(name, scenarioNames),
      ...(metric?.description ? { description: metric.description } : {}),
      ...(metric?.unit ? { unit: metric.unit } : {}),
      values: fromSteps.get(name) as number[],
    });
  }
  const builtIn: Array<[string, string]> = [
    ['actions', 'Actions applied'],
    ['messages', 'Messages delivered'],
    ['failures', 'Failed agent steps'],
    ['constraint_hits', 'Writes clamped or rejected at a variable limit'],
    ['model_calls', 'Model call attempts'],
    ['tokens', 'Model tokens (prompt + completion)'],
    ['cost_usd', 'Model cost, USD'],
  ];
  const detailed = [...counts.keys()].filter((name) => name.includes('.')).sort();
  for (const [name, description] of [
    ...builtIn,
    ...detailed.map((name): [string, string] => [name, describeDetail(name)]),
  ]) {
    const perStep = counts.get(name);
    const values = steps.map((step) => perStep?.get(step) ?? 0);
    series.push({
      name,
      origin: 'built-in',
      description,
      values,
      total: values.reduce((sum, value) => sum + value, 0),
    });
  }
  if (steps.length > 0) {
    series.push({
      name: 'mood.valence',
      origin: 'built-in',
      description: 'Mean mood valence',
      values: mood.valence,
    });
    series.push({
      name: 'mood.arousal',
      origin: 'built-in',
      description: 'Mean mood arousal',
      values: mood.arousal,
    });
  }
  return { steps, series };
}

function describeDetail(name: string): string {
  const [kind, detail] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
  return kind === 'actions' ? `${detail} actions` : `Failed agent steps (${detail})`;
}

/** A metric's series by name; undefined when the run has no such metric. */
export function findSeries(metrics: RunMetrics, name: string): MetricSeries | undefined {
  return metrics.series.find((series) => series.name === name);
}

/** The first and last finite values of a series, with their steps. */
export function seriesEnds(
  metrics: RunMetrics,
  series: MetricSeries,
): { first?: { step: number; value: number }; last?: { step: number; value: number } } {
  let first: { step: number; value: number } | undefined;
  let last: { step: number; value: number } | undefined;
  series.values.forEach((value, position) => {
    if (!Number.isFinite(value)) return;
    const point = { step: metrics.steps[position] as number, value };
    first ??= point;
    last = point;
  });
  return { ...(first ? { first } : {}), ...(last ? { last } : {}) };
}
