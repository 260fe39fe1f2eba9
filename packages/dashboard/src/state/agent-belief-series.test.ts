import { describe, expect, it } from 'vitest';
import type { BeliefSeries } from '../api/api-types';
import { beliefLinesPerStep, beliefPositionsAfter } from './agent-belief-series';

/** Points only where something changed, as GET /beliefs/series answers: bus_fares first moves at 3. */
const series: BeliefSeries = {
  agentId: 'resident-1',
  topics: ['rumour', 'bus_fares'],
  points: [
    { step: 2, positions: { rumour: -0.2 } },
    { step: 3, positions: { rumour: -0.2, bus_fares: 0.1 } },
    { step: 5, positions: { rumour: 0.4, bus_fares: 0.1 } },
  ],
};

describe('beliefLinesPerStep', () => {
  it('carries each position forward to every step, with gaps before a topic has one', () => {
    expect(beliefLinesPerStep(series, 6)).toEqual({
      steps: [1, 2, 3, 4, 5, 6],
      lines: [
        { topic: 'rumour', values: [null, -0.2, -0.2, -0.2, 0.4, 0.4] },
        { topic: 'bus_fares', values: [null, null, 0.1, 0.1, 0.1, 0.1] },
      ],
    });
  });

  it('draws to the last point when the graph has not caught up, and nothing before step 1', () => {
    expect(beliefLinesPerStep(series, 4).steps).toEqual([1, 2, 3, 4, 5]);
    expect(beliefLinesPerStep({ agentId: 'a', topics: [], points: [] }, 0)).toEqual({ steps: [], lines: [] });
    // A run without beliefs still has steps, and no lines.
    expect(beliefLinesPerStep({ agentId: 'a', topics: [], points: [] }, 3)).toEqual({
      steps: [1, 2, 3],
      lines: [],
    });
  });
});

describe('beliefPositionsAfter', () => {
  it('answers the positions held after a step, from the last change at or before it', () => {
    expect(beliefPositionsAfter(series, 1)).toEqual({});
    expect(beliefPositionsAfter(series, 4)).toEqual({ rumour: -0.2, bus_fares: 0.1 });
    expect(beliefPositionsAfter(series, 9)).toEqual({ rumour: 0.4, bus_fares: 0.1 });
  });
});
