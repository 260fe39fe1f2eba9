import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenario/scenario-loader';
import { captureRun } from './run-capture';
import { compareRuns, renderComparisonMarkdown } from './run-comparison';

const scenarioFile = fileURLToPath(new URL('../../../../scenarios/port-strike.yaml', import.meta.url));

describe('comparing runs', () => {
  it('finds no divergence between two runs of one seed, and the step a shorter strike changes the world', async () => {
    const base = await captureRun(await loadScenario(scenarioFile, { steps: 12, seed: 1 }), { runId: 'a' });
    const again = await captureRun(await loadScenario(scenarioFile, { steps: 12, seed: 1 }), { runId: 'b' });
    // strike_start is 4: a 5-day mandate ends the strike at step 9 where the 14-day one goes on.
    const shorter = await captureRun(
      await loadScenario(scenarioFile, { steps: 12, seed: 1, parameters: { strike_days: 5 } }),
      {
        runId: 'c',
      },
    );
    const comparison = compareRuns([base, again, shorter]);
    expect(comparison.divergence[0]).toEqual({ step: null, lengthsDiffer: false });
    expect(comparison.divergence[1]?.step).toBe(9);
    expect(comparison.differences).toEqual([{ name: 'strike_days', values: [14, 14, 5] }]);
    const backlog = comparison.metrics.find((metric) => metric.name === 'backlog_teu');
    expect(backlog?.deltas[1]).toBe(0);
    expect(backlog?.deltas[2]).toBeLessThan(0);
    expect(backlog?.series[2]?.slice(0, 8)).toEqual(backlog?.series[0]?.slice(0, 8));
    expect(
      comparison.finalState.find((difference) => difference.path === 'globals.strike_active')?.values,
    ).toEqual([true, true, false]);
    for (const difference of comparison.finalState)
      expect(new Set(difference.values.map((value) => JSON.stringify(value))).size).toBeGreaterThan(1);
    expect(comparison.runs[2]?.headline).not.toBe(comparison.runs[0]?.headline);
    const markdown = renderComparisonMarkdown(comparison);
    expect(markdown).toContain('C diverges from A at step 9');
    expect(markdown).toContain('B matches A on every step both ran');
    // The JSON for the API survives a round trip.
    expect(JSON.parse(JSON.stringify(comparison)).runs).toHaveLength(3);
  });

  it('puts a different seed’s divergence at its first differing step', async () => {
    const one = await captureRun(await loadScenario(scenarioFile, { steps: 3, seed: 1 }));
    const two = await captureRun(await loadScenario(scenarioFile, { steps: 3, seed: 2 }));
    const comparison = compareRuns([one, two]);
    expect(comparison.differences[0]).toEqual({ name: 'seed', values: [1, 2] });
    expect(comparison.divergence[0]?.step).toBe(1);
  });
});
