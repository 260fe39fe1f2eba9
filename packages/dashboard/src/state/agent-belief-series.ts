import type { BeliefSeries } from '../api/api-types';

/** One agent's belief positions drawn step by step: what the agent panel's chart plots. */
export interface BeliefLines {
  /** Every step from the first drawn (1, or the first point's if earlier) to the last, ascending. */
  steps: number[];
  /** One line per topic, in the series' topic order; `values[i]` is the position after `steps[i]`. */
  lines: Array<{ topic: string; values: Array<number | null> }>;
}

/**
 * Spreads a belief series over every step up to `lastStep`: the series has a point only where a
 * position changed, so each step carries the topic's last known position forward, and a step
 * before the topic's first position is `null` (a gap in the chart). The steps run to `lastStep`
 * or to the series' last point, whichever is later; no steps at all when both are below 1.
 * @example
 * beliefLinesPerStep({ agentId: 'a', topics: ['t'], points: [{ step: 2, positions: { t: 0.5 } }] }, 4)
 * // { steps: [1, 2, 3, 4], lines: [{ topic: 't', values: [null, 0.5, 0.5, 0.5] }] }
 */
export function beliefLinesPerStep(series: BeliefSeries, lastStep: number): BeliefLines {
  const first = Math.min(1, series.points[0]?.step ?? 1);
  const last = Math.max(lastStep, series.points.at(-1)?.step ?? 0);
  const steps: number[] = [];
  for (let step = first; step <= last; step++) steps.push(step);
  const lines = series.topics.map((topic) => ({ topic, values: new Array<number | null>(steps.length) }));
  let next = 0;
  let current: Record<string, number> = {};
  steps.forEach((step, index) => {
    for (let point = series.points[next]; point && point.step <= step; point = series.points[++next])
      current = { ...current, ...point.positions };
    for (const line of lines) line.values[index] = current[line.topic] ?? null;
  });
  return { steps, lines };
}

/**
 * The agent's positions after step `step`, topic → position, from the last point at or before it
 * (each point holds all of its positions then); empty before the first point.
 */
export function beliefPositionsAfter(series: BeliefSeries, step: number): Record<string, number> {
  let found: Record<string, number> = {};
  for (const point of series.points) {
    if (point.step > step) break;
    found = { ...found, ...point.positions };
  }
  return found;
}
