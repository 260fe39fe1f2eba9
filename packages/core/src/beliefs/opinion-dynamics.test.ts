import { describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { consensus, meanPosition, polarization } from './belief-aggregates';
import {
  boundedConfidenceMove,
  deffuantWeisbuchPair,
  updatedConfidence,
  updatedTrust,
} from './opinion-dynamics';

/** Runs the classic pairwise Deffuant–Weisbuch model on a population, with seeded pair draws. */
function simulate(start: number[], epsilon: number, mu: number, meetings: number): number[] {
  const positions = [...start];
  const random = createRandom(17, ['deffuant-weisbuch']);
  for (let meeting = 0; meeting < meetings; meeting++) {
    const first = random.integer(0, positions.length - 1);
    let second = random.integer(0, positions.length - 2);
    if (second >= first) second += 1;
    [positions[first], positions[second]] = deffuantWeisbuchPair(
      positions[first]!,
      positions[second]!,
      epsilon,
      mu,
    );
  }
  return positions;
}

const spread = (values: number[]) => Math.max(...values) - Math.min(...values);

describe('bounded confidence', () => {
  it('moves toward a stance inside epsilon and ignores one across it', () => {
    expect(boundedConfidenceMove(0, 0.4, 0.5, 0.5)).toBeCloseTo(0.2, 12);
    expect(boundedConfidenceMove(0, 0.6, 0.5, 0.5)).toBe(0);
    expect(boundedConfidenceMove(0.9, 1, 0.5, 3)).toBe(1);
    expect(deffuantWeisbuchPair(-0.2, 0.2, 0.5, 0.25)).toEqual([-0.1, 0.1]);
    expect(deffuantWeisbuchPair(-0.4, 0.4, 0.5, 0.25)).toEqual([-0.4, 0.4]);
  });

  it('converges inside epsilon but never across it', () => {
    const left = Array.from({ length: 10 }, (_, index) => -0.9 + index * 0.04);
    const right = Array.from({ length: 10 }, (_, index) => 0.54 + index * 0.04);
    const separated = simulate([...left, ...right], 0.5, 0.3, 4_000);
    const leftAfter = separated.slice(0, 10);
    const rightAfter = separated.slice(10);
    // Each camp agrees internally…
    expect(spread(leftAfter)).toBeLessThan(1e-3);
    expect(spread(rightAfter)).toBeLessThan(1e-3);
    // …at its own mean (pairwise moves conserve a camp's sum), and the gap stays.
    expect(meanPosition(leftAfter)).toBeCloseTo(meanPosition(left), 9);
    expect(meanPosition(rightAfter)).toBeCloseTo(meanPosition(right), 9);
    expect(Math.min(...rightAfter) - Math.max(...leftAfter)).toBeGreaterThan(1.2);
    expect(polarization(separated)).toBeGreaterThan(0.5);
    expect(consensus(separated, 0.5)).toBe(0);

    const joined = simulate([...left, ...right], 1.5, 0.3, 4_000);
    expect(spread(joined)).toBeLessThan(1e-3);
    expect(polarization(joined)).toBeLessThan(1e-6);
    expect(consensus(joined, 0.5)).toBe(1);
  });

  it('raises trust and confidence on agreement; lowers trust on far-apart content', () => {
    expect(updatedTrust(0.5, 0.1, 0.5, 0.2)).toBeCloseTo(0.5 + 0.2 * 0.5 * 0.8, 12);
    expect(updatedTrust(0.5, 0.9, 0.5, 0.2)).toBeCloseTo(0.5 - 0.2 * 0.5 * 0.8, 12);
    expect(updatedTrust(0.5, 0.5, 0.5, 0.2)).toBeCloseTo(0.5 - 0.2 * 0.5 * 0.25, 12);
    expect(updatedConfidence(0.3, 0.1, 0.5, 0.1)).toBeGreaterThan(0.3);
    expect(updatedConfidence(0.3, 0.9, 0.5, 0.1)).toBe(0.3);
  });

  it('summarises positions: mean, variance as polarization, share near the mean as consensus', () => {
    expect(polarization([-1, -1, 1, 1])).toBe(1);
    expect(meanPosition([-1, -1, 1, 1])).toBe(0);
    expect(consensus([0.1, 0.2, 0.3, 1], 0.35)).toBe(0.75);
    expect(meanPosition([])).toBe(0);
  });
});
