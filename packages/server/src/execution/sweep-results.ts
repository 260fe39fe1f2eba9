import {
  aggregateSweep,
  computeRunMetrics,
  describeValues,
  expandSweep,
  finalValues,
  SweepDefinition,
  type SweepOutcome,
  type SweepPlan,
  type SweepReport,
} from '@sandtable/core';
import type { RunRecord, Store, SweepMemberRecord, SweepMemberResult, SweepRecord } from '@sandtable/store';
import { shutdownReasons } from './run-manager';
import { storedRunRecords } from './stored-run-records';

/** One metric over every successful member of a sweep: what the dashboard's sweep table shows. */
export interface SweepMetricSummary {
  metric: string;
  /** Successful members with a value. */
  n: number;
  mean: number;
  standardDeviation: number;
  p5: number;
  median: number;
  p95: number;
  /** The 95% t interval of the mean. */
  low: number;
  high: number;
  values: number[];
}

/** A sweep's definition as stored, validated again, and the members it expands into. */
export function sweepPlanOf(sweep: SweepRecord): { definition: SweepDefinition; plan: SweepPlan } {
  const definition = SweepDefinition.parse(sweep.definition);
  return { definition, plan: expandSweep(definition) };
}

/**
 * Whether a member's run has ended for good: completed, failed, or stopped for a reason other
 * than a server shutdown (a run a shutdown stopped resumes on the next start).
 */
export function memberRunEnded(run: RunRecord): boolean {
  if (run.status === 'completed' || run.status === 'failed') return true;
  return run.status === 'stopped' && !Object.values<string>(shutdownReasons).includes(run.reason ?? '');
}

/**
 * What the sweep keeps of a member whose run has ended: a completed run's final metric values
 * exactly as `sandtable sweep` computes them (core's `computeRunMetrics` and `finalValues` over the
 * run's stored records); for a failed or stopped run, why.
 */
export async function memberResultOf(store: Store, run: RunRecord): Promise<SweepMemberResult> {
  const ended = run.status === 'completed' || run.status === 'failed' ? run.status : 'stopped';
  if (ended !== 'completed')
    return {
      status: ended,
      outcome: run.outcome,
      steps: run.lastStep,
      finals: {},
      error: run.error?.message ?? `${ended}${run.reason ? `: ${run.reason}` : ''}`,
    };
  const records = await storedRunRecords(store, run);
  return {
    status: 'completed',
    outcome: run.outcome,
    steps: run.lastStep,
    finals: finalValues(computeRunMetrics(records)),
  };
}

/** A stored member result as core's sweep outcome: only completed runs count as successes. */
function outcomeOf(member: SweepPlan['members'][number], result: SweepMemberResult): SweepOutcome {
  if (result.status === 'completed')
    return {
      ...member,
      ok: true,
      result: {
        status: 'completed',
        outcome: result.outcome ?? 'unknown',
        steps: result.steps,
        finals: result.finals,
      },
    };
  return { ...member, ok: false, error: result.error ?? result.status };
}

/** Where a sweep's members are, counted. */
export interface SweepProgress {
  /** Members with a result (ended). */
  completed: number;
  /** Ended members that did not complete. */
  failed: number;
  /** Members created and not ended (executing, queued or paused). */
  running: number;
  /** Members not created yet. */
  pending: number;
}

/**
 * Aggregates a sweep from its stored members with core's `aggregateSweep`: the members with a
 * result while it runs (a partial report), and once it has stopped also the members that were cut
 * short (as failures). Undefined before any member has ended.
 */
export function sweepAggregate(
  sweep: SweepRecord,
  members: readonly SweepMemberRecord[],
): { progress: SweepProgress; report?: SweepReport; metrics: SweepMetricSummary[] } {
  const { definition, plan } = sweepPlanOf(sweep);
  const outcomes: SweepOutcome[] = [];
  let running = 0;
  for (const member of members) {
    const planned = plan.members[member.member];
    if (!planned) continue;
    if (member.result) outcomes.push(outcomeOf(planned, member.result));
    else if (sweep.status !== 'running' && memberRunEnded(member.run))
      outcomes.push({
        ...planned,
        ok: false,
        error: `${member.run.status}: ${member.run.reason ?? ''}`.trim(),
      });
    else running += 1;
  }
  const progress: SweepProgress = {
    completed: outcomes.length,
    failed: outcomes.filter((outcome) => !outcome.ok).length,
    running,
    pending: plan.members.length - members.length,
  };
  if (outcomes.length === 0) return { progress, metrics: [] };
  const report = aggregateSweep(plan, outcomes, {
    name: definition.name ?? sweep.name,
    scenario: definition.scenario,
    grid: definition.grid,
    ...(definition.metrics ? { metrics: definition.metrics } : {}),
    ...(definition.random ? { random: Object.keys(definition.random.parameters) } : {}),
  });
  return { progress, report, metrics: metricSummaries(report, outcomes) };
}

/** Each reported metric's final values over every successful member, described. */
function metricSummaries(report: SweepReport, outcomes: readonly SweepOutcome[]): SweepMetricSummary[] {
  return report.metrics.map((metric) => {
    const values = outcomes.flatMap((outcome) => {
      const value = outcome.ok ? outcome.result.finals[metric] : undefined;
      return value !== undefined && Number.isFinite(value) ? [value] : [];
    });
    const statistics = describeValues(values);
    return {
      metric,
      n: statistics.n,
      mean: statistics.mean,
      standardDeviation: statistics.standardDeviation,
      p5: statistics.p5,
      median: statistics.median,
      p95: statistics.p95,
      low: statistics.confidence.low,
      high: statistics.confidence.high,
      values,
    };
  });
}
