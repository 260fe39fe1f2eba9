import { runPool } from '../engine/work-pool';
import { parseGroundedScenario, parseScenario } from '../scenario/scenario-loader';
import { captureRun } from './run-capture';
import { computeRunMetrics, type RunMetrics } from './run-metrics';
import type { SweepMember, SweepPlan } from './sweep-definition';

/** What a sweep keeps of one run: how it ended and each metric's final value (a count's total). */
export interface SweepMemberResult {
  status: 'completed' | 'stopped' | 'failed';
  outcome: string;
  steps: number;
  /** Metric → final value; for counts (actions, messages, failures, …) the run's total. */
  finals: Record<string, number>;
}

/** One member's outcome: its result, or why it produced none. */
export type SweepOutcome = SweepMember &
  ({ ok: true; result: SweepMemberResult } | { ok: false; error: string });

/**
 * Runs one sweep member. {@link ruleSweepExecutor} runs the scenario on this thread with rule
 * agents, {@link SweepWorkerPool} on worker threads; the server's run manager can pass one that
 * queues a stored run.
 */
export type SweepExecutor = (member: SweepMember, signal: AbortSignal) => Promise<SweepMemberResult>;

/** Final values of a run's metrics: the last finite value of each series, the total of each count. */
export function finalValues(metrics: RunMetrics): Record<string, number> {
  const finals: Record<string, number> = {};
  for (const series of metrics.series) {
    if (series.total !== undefined) finals[series.name] = series.total;
    else {
      const last = series.values.filter(Number.isFinite).at(-1);
      if (last !== undefined) finals[series.name] = last;
    }
  }
  return finals;
}

/** Options of {@link ruleSweepExecutor}. */
export interface RuleSweepOptions {
  /** The scenario's file, named in errors. */
  file?: string;
  /** Steps per run (default: the scenario's). */
  steps?: number;
  /** Folder the scenario's `data:`, `documents:` and `personas:` files are relative to. */
  worldDirectory?: string;
}

/**
 * An executor that parses the scenario text with the member's seed and parameters (and `steps`)
 * and runs it in process with rule agents, keeping only its final metric values. With
 * `worldDirectory` the scenario's company world (data, documents, personas) is built from there.
 */
export function ruleSweepExecutor(scenarioText: string, options: RuleSweepOptions = {}): SweepExecutor {
  return async (member) => {
    const parseOptions = {
      ...(options.file ? { file: options.file } : {}),
      ...(options.steps ? { steps: options.steps } : {}),
      seed: member.seed,
      parameters: member.parameters,
    };
    const scenario = options.worldDirectory
      ? await parseGroundedScenario(scenarioText, { ...parseOptions, worldDirectory: options.worldDirectory })
      : parseScenario(scenarioText, parseOptions);
    const records = await captureRun(scenario, { runId: `sweep-member-${member.index}` });
    const state = records.finalState;
    return {
      status: (state?.status as SweepMemberResult['status']) ?? 'completed',
      outcome: state?.outcome ?? 'unknown',
      steps: state?.steps ?? 0,
      finals: finalValues(computeRunMetrics(records)),
    };
  };
}

/** Options of {@link runSweep}. */
export interface RunSweepOptions {
  /** Runs in flight at once. @defaultValue 2 */
  parallel?: number;
  /** Per-run time limit. @defaultValue 10 minutes */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called as each member finishes, in completion order (progress display). */
  onMember?: (outcome: SweepOutcome, done: number, total: number) => void;
}

/**
 * Runs every member of a plan through `executor`, at most `parallel` at once (a work-conserving
 * pool: the next starts the moment one finishes). A member that throws is recorded as failed and
 * the sweep goes on. Outcomes come back in member order whatever the completion order.
 */
export async function runSweep(
  plan: SweepPlan,
  executor: SweepExecutor,
  options: RunSweepOptions = {},
): Promise<SweepOutcome[]> {
  let done = 0;
  const outcomes = await runPool(
    plan.members,
    async (member, signal) => {
      try {
        const result = await executor(member, signal);
        const outcome: SweepOutcome = { ...member, ok: true, result };
        done += 1;
        options.onMember?.(outcome, done, plan.members.length);
        return outcome;
      } catch (error) {
        const outcome: SweepOutcome = {
          ...member,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        };
        done += 1;
        options.onMember?.(outcome, done, plan.members.length);
        return outcome;
      }
    },
    {
      limit: options.parallel ?? 2,
      timeoutMs: options.timeoutMs ?? 600_000,
      signal: options.signal ?? new AbortController().signal,
    },
  );
  return outcomes.map((outcome, index) =>
    outcome.ok
      ? outcome.value
      : {
          ...(plan.members[index] as SweepMember),
          ok: false,
          error: `${outcome.reason}: ${String(outcome.error)}`,
        },
  );
}
