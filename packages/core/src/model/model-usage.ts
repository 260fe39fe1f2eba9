import type { AttemptRecord } from './types';

/** Totals of a run's model traffic. `calls` counts routed calls; `attempts` every HTTP request. */
export interface ModelUsageSummary {
  calls: number;
  attempts: number;
  /** Attempts after the first of a call (hedges not included). */
  retries: number;
  hedges: number;
  /** Attempts by outcome. */
  outcomes: Record<string, number>;
  /** Failed attempts by error code. */
  errors: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  costUsd: number;
  /** Latency percentiles of successful attempts, in milliseconds. */
  latencyMs: { p50: number; p95: number; p99: number; max: number } | null;
  /** Attempts per endpoint. */
  byEndpoint: Record<string, number>;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

/** Adds up attempt records into run totals (calls, tokens, cached tokens, cost, latency percentiles). */
export class ModelUsage {
  private readonly latencies: number[] = [];
  private readonly totals: Omit<ModelUsageSummary, 'latencyMs'> = {
    calls: 0,
    attempts: 0,
    retries: 0,
    hedges: 0,
    outcomes: {},
    errors: {},
    promptTokens: 0,
    completionTokens: 0,
    cachedPromptTokens: 0,
    costUsd: 0,
    byEndpoint: {},
  };

  /** Counts one attempt; pass this to the router's `onAttempt`. */
  readonly add = (record: AttemptRecord): void => {
    const totals = this.totals;
    totals.attempts += 1;
    if (record.hedge) totals.hedges += 1;
    else if (record.attempt === 1) totals.calls += 1;
    else totals.retries += 1;
    totals.outcomes[record.outcome] = (totals.outcomes[record.outcome] ?? 0) + 1;
    if (record.errorCode) totals.errors[record.errorCode] = (totals.errors[record.errorCode] ?? 0) + 1;
    totals.promptTokens += record.usage.promptTokens;
    totals.completionTokens += record.usage.completionTokens;
    totals.cachedPromptTokens += record.usage.cachedPromptTokens;
    totals.costUsd += record.costUsd;
    totals.byEndpoint[record.endpointId] = (totals.byEndpoint[record.endpointId] ?? 0) + 1;
    if (record.outcome === 'ok') this.latencies.push(record.latencyMs);
  };

  /** The totals so far. */
  summary(): ModelUsageSummary {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      ...structuredClone(this.totals),
      costUsd: Number(this.totals.costUsd.toFixed(6)),
      latencyMs:
        sorted.length === 0
          ? null
          : {
              p50: percentile(sorted, 0.5),
              p95: percentile(sorted, 0.95),
              p99: percentile(sorted, 0.99),
              max: sorted.at(-1) as number,
            },
    };
  }
}

/** One line for the end of `sandtable run`. */
export function formatModelUsage(summary: ModelUsageSummary): string {
  const latency = summary.latencyMs
    ? `; latency p50 ${Math.round(summary.latencyMs.p50)} ms, p95 ${Math.round(summary.latencyMs.p95)} ms, p99 ${Math.round(summary.latencyMs.p99)} ms`
    : '';
  const failed = Object.entries(summary.errors)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  return (
    `Model calls: ${summary.calls} (${summary.attempts} requests: ${summary.retries} retries, ${summary.hedges} hedges${failed ? `; failures ${failed}` : ''}); ` +
    `tokens ${summary.promptTokens} in (${summary.cachedPromptTokens} cached), ${summary.completionTokens} out; cost $${summary.costUsd.toFixed(4)}${latency}`
  );
}
