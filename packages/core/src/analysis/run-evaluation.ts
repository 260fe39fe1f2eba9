import { formatValue } from '../environments/world-actions-environment';
import type { EvaluationCriterion } from './analysis-schema';
import { findSeries, type RunMetrics } from './run-metrics';
import type { RunRecords } from './run-records';

/** One rubric criterion's score. */
export interface CriterionScore {
  criterion: string;
  description: string;
  /** 0 (worst) to 10 (best), one decimal; null when the rules cannot score it (no metric). */
  score: number | null;
  weight: number;
  justification: string;
  /** Steps the justification cites. */
  steps: number[];
  metric?: string;
  target?: number;
  /** Whether the metric reached its target (criteria with a target only). */
  attained?: boolean;
  source: 'rules' | 'model';
}

/** A rule metric shown beside the scores: where it started and ended. */
export interface RuleMetric {
  name: string;
  first: number;
  last: number;
  change: number;
  total?: number;
}

/** A run scored against its scenario's rubric. */
export interface RunEvaluation {
  source: 'rules' | 'model';
  model?: string;
  scores: CriterionScore[];
  /** Weighted mean of the scored criteria; null when none could be scored. */
  overall: number | null;
  /** The metrics the rubric names, and the built-in counts, for reference. */
  ruleMetrics: RuleMetric[];
  /** Why a model evaluation fell back to rules, when it did. */
  fallbackReason?: string;
}

const round = (value: number) => Math.round(value * 10) / 10;
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

interface Point {
  step: number;
  value: number;
}

function pointsOf(metrics: RunMetrics, name: string): Point[] {
  const series = findSeries(metrics, name);
  if (!series) return [];
  return series.values
    .map((value, position) => ({ step: metrics.steps[position] as number, value }))
    .filter((point) => Number.isFinite(point.value));
}

/**
 * Scores one criterion from its metric, the documented rule:
 * - with a `target`: 10 when the final value reaches it (≥ for maximize, ≤ for minimize); else
 *   10 × the share of the way from the first value to the target that the run covered, in [0, 10];
 * - without one: 5 ± 5 × the change from the first to the last value over the metric's scale
 *   (the larger of |first value| and its range over the run), in [0, 10], up when the change goes
 *   the desired way;
 * - no metric, or a metric the run does not have: not scored (null), the justification says why.
 * The justification cites the first and last steps, the worst point and the largest move.
 */
export function scoreCriterion(criterion: EvaluationCriterion, metrics: RunMetrics): CriterionScore {
  const base = {
    criterion: criterion.name,
    description: criterion.description,
    weight: criterion.weight,
    source: 'rules' as const,
    ...(criterion.metric ? { metric: criterion.metric } : {}),
    ...(criterion.target !== undefined ? { target: criterion.target } : {}),
  };
  if (!criterion.metric)
    return {
      ...base,
      score: null,
      steps: [],
      justification: 'No metric names this criterion; only a model can score it.',
    };
  const points = pointsOf(metrics, criterion.metric);
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last)
    return {
      ...base,
      score: null,
      steps: [],
      justification: `The run has no values of ${criterion.metric}, so the rules cannot score it.`,
    };
  const better = criterion.direction === 'maximize' ? 1 : -1;
  let worst = first;
  let largest: { step: number; change: number } | undefined;
  points.forEach((point, index) => {
    if ((point.value - worst.value) * better < 0) worst = point;
    const previous = points[index - 1];
    if (previous) {
      const change = point.value - previous.value;
      if (change !== 0 && (!largest || Math.abs(change) > Math.abs(largest.change)))
        largest = { step: point.step, change };
    }
  });
  let score: number;
  let attained: boolean | undefined;
  let rule: string;
  if (criterion.target !== undefined) {
    attained = (last.value - criterion.target) * better >= 0;
    const distance = criterion.target - first.value;
    score = attained ? 10 : distance === 0 ? 0 : clamp((10 * (last.value - first.value)) / distance, 0, 10);
    rule = attained
      ? `reached the target of ${formatValue(criterion.target)}`
      : `short of the target of ${formatValue(criterion.target)}`;
  } else {
    const values = points.map((point) => point.value);
    const scale = Math.max(Math.abs(first.value), Math.max(...values) - Math.min(...values)) || 1;
    score = clamp(5 + (5 * better * (last.value - first.value)) / scale, 0, 10);
    rule = `${(last.value - first.value) * better > 0 ? 'moved the right way' : last.value === first.value ? 'did not move' : 'moved the wrong way'} (${criterion.direction})`;
  }
  const steps = [...new Set([first.step, worst.step, ...(largest ? [largest.step] : []), last.step])].sort(
    (a, b) => a - b,
  );
  const justification = [
    `${criterion.metric} went from ${formatValue(first.value)} at step ${first.step} to ${formatValue(last.value)} at step ${last.step}: ${rule}.`,
    worst !== first && worst !== last ? `Worst point ${formatValue(worst.value)} at step ${worst.step}.` : '',
    largest
      ? `Largest move ${largest.change > 0 ? '+' : ''}${formatValue(largest.change)} at step ${largest.step}.`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    ...base,
    score: round(score),
    steps,
    justification,
    ...(attained !== undefined ? { attained } : {}),
  };
}

/** Weighted mean of the scored criteria, one decimal; null when none is scored. */
export function overallScore(scores: readonly CriterionScore[]): number | null {
  const scored = scores.filter((score) => score.score !== null);
  const weight = scored.reduce((sum, score) => sum + score.weight, 0);
  if (weight === 0) return null;
  return round(scored.reduce((sum, score) => sum + (score.score as number) * score.weight, 0) / weight);
}

/** The rubric's metrics and the built-in counts, first and last values. */
export function ruleMetricsOf(records: RunRecords, metrics: RunMetrics): RuleMetric[] {
  const names = [
    ...(records.scenario.evaluation?.criteria.flatMap((criterion) =>
      criterion.metric ? [criterion.metric] : [],
    ) ?? []),
    'actions',
    'messages',
    'failures',
    'constraint_hits',
  ];
  return [...new Set(names)].flatMap((name) => {
    const points = pointsOf(metrics, name);
    const first = points[0];
    const last = points.at(-1);
    if (!first || !last) return [];
    const total = findSeries(metrics, name)?.total;
    return [
      {
        name,
        first: first.value,
        last: last.value,
        change: last.value - first.value,
        ...(total !== undefined ? { total } : {}),
      },
    ];
  });
}

/**
 * The rule-based evaluation: every rubric criterion scored by {@link scoreCriterion}, the weighted
 * overall score, and the rule metrics. A scenario without a rubric gets no scores, only the rule
 * metrics. Deterministic.
 */
export function evaluateRunByRules(records: RunRecords, metrics: RunMetrics): RunEvaluation {
  const scores = (records.scenario.evaluation?.criteria ?? []).map((criterion) =>
    scoreCriterion(criterion, metrics),
  );
  return {
    source: 'rules',
    scores,
    overall: overallScore(scores),
    ruleMetrics: ruleMetricsOf(records, metrics),
  };
}

/** Renders an evaluation as Markdown (a table of scores, then each justification). */
export function renderEvaluationMarkdown(evaluation: RunEvaluation): string {
  const lines = ['## Evaluation', ''];
  if (evaluation.scores.length === 0) {
    lines.push('The scenario has no rubric (`evaluation.criteria`), so nothing was scored.', '');
  } else {
    lines.push(
      `Scored by ${evaluation.source === 'model' ? `the evaluation agent (${evaluation.model ?? 'model'})` : 'rules from the metrics the rubric names'}; overall ${evaluation.overall === null ? 'not scored' : `${formatValue(evaluation.overall)} / 10`}.`,
      '',
      '| criterion | score | weight | steps | justification |',
      '| --- | --- | --- | --- | --- |',
      ...evaluation.scores.map(
        (score) =>
          `| ${score.criterion} | ${score.score === null ? '—' : formatValue(score.score)} | ${formatValue(score.weight)} | ${score.steps.join(', ')} | ${score.justification.replace(/\|/g, '\\|')} |`,
      ),
      '',
    );
  }
  if (evaluation.fallbackReason)
    lines.push(
      `_The model evaluation failed (${evaluation.fallbackReason}); these are the rule scores._`,
      '',
    );
  return lines.join('\n');
}
