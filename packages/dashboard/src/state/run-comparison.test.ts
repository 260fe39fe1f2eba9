import { describe, expect, it } from 'vitest';
import { compareRuns } from './run-comparison';

const step = (number: number, throughput: number, messages = 1) => ({
  step: number,
  metrics: { throughput },
  actions: { wait: 1 },
  messages,
  failures: 0,
});

describe('compareRuns', () => {
  it('overlays the series and finds the first step that differs and the final differences', () => {
    const comparison = compareRuns([
      {
        id: 'a',
        label: 'a',
        steps: [step(1, 10), step(2, 20), step(3, 30)],
        finalState: { throughput: 30, mood: 'calm' },
      },
      {
        id: 'b',
        label: 'b',
        steps: [step(1, 10), step(2, 20), step(3, 25)],
        finalState: { throughput: 25, mood: 'calm' },
      },
    ]);
    expect(comparison.steps).toEqual([1, 2, 3]);
    expect(comparison.metrics.get('throughput')).toEqual([
      [10, 20, 30],
      [10, 20, 25],
    ]);
    expect(comparison.divergenceStep).toBe(3);
    expect(comparison.divergenceReason).toBe('metric throughput');
    expect(comparison.finalDifferences).toEqual([{ variable: 'throughput', values: [30, 25] }]);
  });

  it('skips steps a fork does not repeat and sees a difference in message counts', () => {
    const comparison = compareRuns([
      { id: 'parent', label: 'parent', steps: [step(1, 10), step(2, 20), step(3, 30)] },
      { id: 'fork', label: 'fork', steps: [step(2, 20), step(3, 30, 4)] },
    ]);
    expect(comparison.divergenceStep).toBe(3);
    expect(comparison.divergenceReason).toBe('number of messages');
  });

  it('says when identical runs never diverge, and when one ends early', () => {
    expect(
      compareRuns([
        { id: 'a', label: 'a', steps: [step(1, 1)] },
        { id: 'b', label: 'b', steps: [step(1, 1)] },
      ]).divergenceStep,
    ).toBeUndefined();
    const early = compareRuns([
      { id: 'a', label: 'a', steps: [step(1, 1), step(2, 2)] },
      { id: 'b', label: 'b', steps: [step(1, 1)] },
    ]);
    expect([early.divergenceStep, early.divergenceReason]).toEqual([2, 'one run ended earlier']);
  });
});
