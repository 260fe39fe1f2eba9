import { describe, expect, it } from 'vitest';
import { percentile, summarizeModelCalls } from './model-call-stats';

describe('summarizeModelCalls', () => {
  it('adds up tokens and cost and reports latency percentiles and failures', () => {
    const calls = Array.from({ length: 20 }, (_, index) => ({
      latencyMs: (index + 1) * 10,
      outcome: index === 3 ? 'error' : 'ok',
      tier: index < 15 ? 'fast' : 'smart',
      usage: { promptTokens: 100, completionTokens: 10, cachedPromptTokens: 60 },
      costUsd: 0.001,
    }));
    const stats = summarizeModelCalls(calls);
    expect(stats.calls).toBe(20);
    expect(stats.failures).toBe(1);
    expect([stats.promptTokens, stats.completionTokens, stats.cachedTokens]).toEqual([2000, 200, 1200]);
    expect(stats.cost).toBeCloseTo(0.02);
    expect(stats.latency).toEqual({ p50: 100, p95: 190, p99: 200 });
    expect(stats.byTier?.smart?.calls).toBe(5);
  });

  it('has no percentiles without calls', () => {
    expect(percentile([], 0.5)).toBeUndefined();
    expect(summarizeModelCalls([]).latency).toEqual({});
  });
});
