import type { ModelCallRecord, ModelCallStats } from '../api/api-types';

/** The value below which `fraction` of the sorted values fall (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/**
 * Sums a run's recorded model requests into the console's figures: calls, failures, tokens, cost
 * and latency percentiles (of every attempt, hedges included, since each one was a real request).
 */
export function summarizeModelCalls(calls: readonly ModelCallRecord[]): ModelCallStats {
  const latencies = calls.map((call) => call.latencyMs).sort((left, right) => left - right);
  const byTier: Record<string, { calls: number; cost: number }> = {};
  let promptTokens = 0;
  let completionTokens = 0;
  let cachedTokens = 0;
  let cost = 0;
  let failures = 0;
  for (const call of calls) {
    promptTokens += call.usage?.promptTokens ?? 0;
    completionTokens += call.usage?.completionTokens ?? 0;
    cachedTokens += call.usage?.cachedPromptTokens ?? 0;
    cost += call.costUsd ?? 0;
    if (call.outcome === 'error') failures++;
    const tier = call.tier ?? 'unknown';
    const entry = byTier[tier] ?? { calls: 0, cost: 0 };
    entry.calls++;
    entry.cost += call.costUsd ?? 0;
    byTier[tier] = entry;
  }
  const latency: NonNullable<ModelCallStats['latency']> = {};
  const p50 = percentile(latencies, 0.5);
  const p95 = percentile(latencies, 0.95);
  const p99 = percentile(latencies, 0.99);
  if (p50 !== undefined) latency.p50 = p50;
  if (p95 !== undefined) latency.p95 = p95;
  if (p99 !== undefined) latency.p99 = p99;
  return {
    calls: calls.length,
    promptTokens,
    completionTokens,
    cachedTokens,
    cost,
    latency,
    byTier,
    failures,
  };
}
