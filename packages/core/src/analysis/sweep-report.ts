import { formatValue } from '../environments/world-actions-environment';
import {
  type ConfidenceInterval,
  linearTrend,
  mean,
  meanConfidenceInterval,
  meanDifference,
  percentile,
  standardDeviation,
} from './statistics';
import type { SweepPlan } from './sweep-definition';
import type { SweepOutcome } from './sweep-runner';

/** One metric's final values over the seeds of one setting. */
export interface MetricStatistics {
  n: number;
  mean: number;
  standardDeviation: number;
  min: number;
  p5: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
  /** 95% t interval of the mean (NaN bounds with fewer than two runs). */
  confidence: ConfidenceInterval;
}

/** The effect of one grid parameter's value on one metric, against the parameter's first value. */
export interface ParameterEffect {
  parameter: string;
  metric: string;
  baseline: number | boolean | string;
  value: number | boolean | string;
  /** mean(at value) − mean(at baseline), over every run with those values (other parameters pooled). */
  difference: number;
  /** 95% Welch interval of the difference. */
  confidence: ConfidenceInterval;
  runs: [number, number];
}

/** How one metric moves with a randomly drawn numeric parameter: the least-squares slope over every run. */
export interface ParameterTrend {
  parameter: string;
  metric: string;
  /** Change of the metric per unit of the parameter. */
  slope: number;
  /** 95% t interval of the slope. */
  confidence: ConfidenceInterval;
  runs: number;
}

/** A finished sweep, aggregated. */
export interface SweepReport {
  name: string;
  scenario: string;
  runs: number;
  failed: number;
  seeds: number[];
  metrics: string[];
  settings: Array<{
    setting: number;
    parameters: Record<string, number | boolean | string>;
    runs: number;
    statistics: Record<string, MetricStatistics>;
  }>;
  effects: ParameterEffect[];
  /** For random numeric parameters: each metric's slope against the parameter. */
  trends: ParameterTrend[];
  /** Every member: its setting, seed and final values, or its error. */
  members: Array<{
    index: number;
    setting: number;
    seed: number;
    parameters: Record<string, number | boolean | string>;
    outcome?: string;
    finals?: Record<string, number>;
    error?: string;
  }>;
}

/** Statistics of a list of values (the final values of one metric over seeds). */
export function describeValues(values: readonly number[]): MetricStatistics {
  return {
    n: values.length,
    mean: mean(values),
    standardDeviation: standardDeviation(values),
    min: values.length > 0 ? Math.min(...values) : Number.NaN,
    p5: percentile(values, 5),
    p25: percentile(values, 25),
    median: percentile(values, 50),
    p75: percentile(values, 75),
    p95: percentile(values, 95),
    max: values.length > 0 ? Math.max(...values) : Number.NaN,
    confidence: meanConfidenceInterval(values),
  };
}

const hiddenByDefault = /^(actions\.|failures\.|mood\.)|^(model_calls|tokens|cost_usd|constraint_hits)$/;

/**
 * Aggregates a sweep's outcomes: per parameter setting and metric the mean, standard deviation,
 * percentiles and the 95% t interval of the mean over seeds; per grid parameter and metric the
 * difference of means between each value and the first, with a Welch 95% interval. Failed
 * members are counted and listed, never averaged in.
 */
export function aggregateSweep(
  plan: SweepPlan,
  outcomes: readonly SweepOutcome[],
  options: {
    name: string;
    scenario: string;
    metrics?: string[];
    grid?: Record<string, unknown[]>;
    /** Names of randomly drawn parameters, for trends. */
    random?: string[];
  },
): SweepReport {
  const succeeded = outcomes.filter((outcome): outcome is Extract<SweepOutcome, { ok: true }> => outcome.ok);
  const metrics =
    options.metrics ??
    [...new Set(succeeded.flatMap((outcome) => Object.keys(outcome.result.finals)))].filter(
      (name) => !hiddenByDefault.test(name),
    );
  const valuesOf = (members: typeof succeeded, metric: string) =>
    members
      .map((member) => member.result.finals[metric])
      .filter((value): value is number => value !== undefined && Number.isFinite(value));
  const settings = plan.settings.map((parameters, setting) => {
    const members = succeeded.filter((outcome) => outcome.setting === setting);
    return {
      setting,
      parameters,
      runs: members.length,
      statistics: Object.fromEntries(
        metrics.map((metric) => [metric, describeValues(valuesOf(members, metric))]),
      ),
    };
  });
  const effects: ParameterEffect[] = [];
  for (const [parameter, values] of Object.entries(options.grid ?? {})) {
    if (values.length < 2) continue;
    const baseline = values[0] as number | boolean | string;
    const atBaseline = succeeded.filter((outcome) => outcome.parameters[parameter] === baseline);
    for (const value of values.slice(1) as Array<number | boolean | string>) {
      const atValue = succeeded.filter((outcome) => outcome.parameters[parameter] === value);
      for (const metric of metrics) {
        const a = valuesOf(atBaseline, metric);
        const b = valuesOf(atValue, metric);
        const result = meanDifference(a, b);
        effects.push({
          parameter,
          metric,
          baseline,
          value,
          difference: result.difference,
          confidence: result.interval,
          runs: [a.length, b.length],
        });
      }
    }
  }
  const trends: ParameterTrend[] = [];
  for (const parameter of options.random ?? []) {
    const members = succeeded.filter((outcome) => typeof outcome.parameters[parameter] === 'number');
    if (members.length < 3) continue;
    for (const metric of metrics) {
      const points = members.filter((member) => Number.isFinite(member.result.finals[metric]));
      const trend = linearTrend(
        points.map((member) => member.parameters[parameter] as number),
        points.map((member) => member.result.finals[metric] as number),
      );
      if (Number.isFinite(trend.slope))
        trends.push({ parameter, metric, slope: trend.slope, confidence: trend.interval, runs: trend.n });
    }
  }
  return {
    name: options.name,
    scenario: options.scenario,
    runs: outcomes.length,
    failed: outcomes.length - succeeded.length,
    seeds: plan.seeds,
    metrics,
    settings,
    effects,
    trends,
    members: outcomes.map((outcome) => ({
      index: outcome.index,
      setting: outcome.setting,
      seed: outcome.seed,
      parameters: outcome.parameters,
      ...(outcome.ok
        ? { outcome: outcome.result.outcome, finals: outcome.result.finals }
        : { error: outcome.error }),
    })),
  };
}

const number = (value: number) => (Number.isFinite(value) ? formatValue(value) : '—');
const interval = (confidence: ConfidenceInterval) =>
  Number.isFinite(confidence.low) ? `${number(confidence.low)} … ${number(confidence.high)}` : '—';
const describeSetting = (parameters: Record<string, number | boolean | string>) =>
  Object.entries(parameters)
    .map(([name, value]) => `${name} = ${typeof value === 'number' ? formatValue(value) : String(value)}`)
    .join(', ') || 'scenario defaults';

/** Renders a sweep report as Markdown: one table per setting, then the parameter effects. */
export function renderSweepMarkdown(report: SweepReport): string {
  const lines = [
    `# Sweep: ${report.name}`,
    '',
    `Scenario ${report.scenario}; ${report.runs} runs (${report.settings.length} setting${report.settings.length === 1 ? '' : 's'} × ${report.seeds.length} seeds)${report.failed > 0 ? `, **${report.failed} failed**` : ''}. Each metric's final value (a count's run total), over seeds; CI is the 95% t interval of the mean.`,
    '',
  ];
  for (const setting of report.settings) {
    lines.push(`## ${describeSetting(setting.parameters)}`, '', `${setting.runs} runs.`, '');
    lines.push(
      '| metric | mean | sd | p5 | median | p95 | 95% CI |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const metric of report.metrics) {
      const stats = setting.statistics[metric];
      if (!stats || stats.n === 0) continue;
      lines.push(
        `| ${metric} | ${number(stats.mean)} | ${number(stats.standardDeviation)} | ${number(stats.p5)} | ${number(stats.median)} | ${number(stats.p95)} | ${interval(stats.confidence)} |`,
      );
    }
    lines.push('');
  }
  if (report.effects.length > 0) {
    lines.push(
      '## Parameter effects',
      '',
      'Difference of means against the parameter’s first value (other parameters pooled), with the 95% Welch interval; an interval that excludes 0 is a clear effect.',
      '',
      '| parameter | change | metric | difference | 95% CI | runs |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const effect of report.effects) {
      const clear =
        Number.isFinite(effect.confidence.low) && (effect.confidence.low > 0 || effect.confidence.high < 0);
      lines.push(
        `| ${effect.parameter} | ${String(effect.baseline)} → ${String(effect.value)} | ${effect.metric} | ${clear ? '**' : ''}${number(effect.difference)}${clear ? '**' : ''} | ${interval(effect.confidence)} | ${effect.runs[0]} / ${effect.runs[1]} |`,
      );
    }
    lines.push('');
  }
  if (report.trends.length > 0) {
    lines.push(
      '## Trends of random parameters',
      '',
      'Least-squares slope of each metric against each randomly drawn parameter, over every run, with its 95% t interval.',
      '',
      '| parameter | metric | slope (per unit) | 95% CI | runs |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const trend of report.trends) {
      const clear =
        Number.isFinite(trend.confidence.low) && (trend.confidence.low > 0 || trend.confidence.high < 0);
      lines.push(
        `| ${trend.parameter} | ${trend.metric} | ${clear ? '**' : ''}${number(trend.slope)}${clear ? '**' : ''} | ${interval(trend.confidence)} | ${trend.runs} |`,
      );
    }
    lines.push('');
  }
  const failures = report.members.filter((member) => member.error);
  if (failures.length > 0) {
    lines.push(
      '## Failed runs',
      '',
      ...failures
        .slice(0, 20)
        .map(
          (member) =>
            `- run ${member.index} (seed ${member.seed}, ${describeSetting(member.parameters)}): ${member.error}`,
        ),
      '',
    );
  }
  return lines.join('\n');
}
