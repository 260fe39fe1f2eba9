import type { ChatRouter } from '../model/run-recording';
import {
  type ComposeBriefOptions,
  composeBrief,
  type ExecutiveBrief,
  type MetricRange,
} from './executive-brief';
import { evaluateRunWithModel, writeBriefWithModel } from './model-analysis';
import { buildRunDigest, type DigestLimits, defaultDigestLimits, type RunDigest } from './run-digest';
import { evaluateRunByRules, type RunEvaluation } from './run-evaluation';
import { computeRunMetrics, type RunMetrics } from './run-metrics';
import type { RunRecords } from './run-records';
import { detectStorySignals, type StorySignal } from './story-signals';

/** Everything analysis derives from one run. */
export interface RunAnalysis {
  metrics: RunMetrics;
  signals: StorySignal[];
  digest: RunDigest;
  evaluation: RunEvaluation;
  brief: ExecutiveBrief;
  /** What went differently than asked (a model call that failed and fell back to rules). */
  notes: string[];
}

/** Options of {@link analyzeRun}. */
export interface AnalyzeRunOptions {
  limits?: DigestLimits;
  /** Final values of the main metrics over several runs, for ranges in the brief. */
  ranges?: Record<string, MetricRange>;
  /** Points per chart in the brief. @defaultValue 240 */
  chartPoints?: number;
}

/** Options of {@link analyzeRunWithModel}. */
export interface AnalyzeRunWithModelOptions extends AnalyzeRunOptions {
  router: Pick<ChatRouter, 'chat'>;
  signal?: AbortSignal;
  /** @defaultValue 3 */
  maxAttempts?: number;
}

function charts(metrics: RunMetrics, names: string[], points: number): ExecutiveBrief['charts'] {
  return names.flatMap((name) => {
    const series = metrics.series.find((candidate) => candidate.name === name);
    if (!series) return [];
    const stride = Math.max(1, Math.ceil(series.values.length / points));
    const steps: number[] = [];
    const values: number[] = [];
    series.values.forEach((value, position) => {
      if (position % stride !== 0 && position !== series.values.length - 1) return;
      steps.push(metrics.steps[position] as number);
      values.push(value);
    });
    return [{ metric: name, steps, values }];
  });
}

/**
 * The deterministic analysis of a run: metric series with built-ins, story signals, the bounded
 * digest, the rule-based evaluation and the brief composed from them. A pure function of the
 * records: the CLI feeds it a run folder, the server the store.
 */
export function analyzeRun(records: RunRecords, options: AnalyzeRunOptions = {}): RunAnalysis {
  const metrics = computeRunMetrics(records);
  const signals = detectStorySignals(records, metrics, {
    thresholds: {
      ...Object.fromEntries(
        (records.scenario.evaluation?.criteria ?? []).flatMap((criterion) =>
          criterion.metric && criterion.target !== undefined ? [[criterion.metric, criterion.target]] : [],
        ),
      ),
      ...(records.scenario.brief?.thresholds ?? {}),
    },
  });
  const digest = buildRunDigest(records, metrics, signals, options.limits ?? defaultDigestLimits);
  const evaluation = evaluateRunByRules(records, metrics);
  const composeOptions: ComposeBriefOptions = {
    evaluation,
    charts: charts(metrics, digest.mainMetrics, options.chartPoints ?? 240),
    ...(options.ranges ? { ranges: options.ranges } : {}),
  };
  return { metrics, signals, digest, evaluation, brief: composeBrief(digest, composeOptions), notes: [] };
}

/**
 * The analysis with a model: the evaluation agent scores the rubric and a model writes the brief,
 * both from the bounded digest on the scenario's tiers (`evaluation.model`, `brief.model`, default
 * `smart`). Each falls back to its deterministic version when the model gives no valid answer;
 * `notes` says so. A scenario without a rubric skips the evaluation call.
 */
export async function analyzeRunWithModel(
  records: RunRecords,
  options: AnalyzeRunWithModelOptions,
): Promise<RunAnalysis> {
  const analysis = analyzeRun(records, options);
  const { scenario } = records;
  const shared = {
    router: options.router,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  };
  const notes: string[] = [];
  let evaluation = analysis.evaluation;
  if (scenario.evaluation) {
    try {
      evaluation = await evaluateRunWithModel(
        analysis.digest,
        scenario.evaluation.criteria,
        analysis.evaluation,
        {
          ...shared,
          target: scenario.evaluation.model,
        },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      notes.push(`evaluation fell back to rules: ${reason}`);
      evaluation = { ...analysis.evaluation, fallbackReason: reason };
    }
  }
  let brief = analysis.brief;
  try {
    brief = await writeBriefWithModel(analysis.digest, analysis.brief, {
      ...shared,
      target: scenario.brief?.model ?? 'smart',
      ...(scenario.brief?.audience ? { audience: scenario.brief.audience } : {}),
    });
  } catch (error) {
    notes.push(`brief fell back to rules: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ...analysis, evaluation, brief, notes };
}
