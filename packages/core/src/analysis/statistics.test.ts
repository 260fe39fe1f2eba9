import { describe, expect, it } from 'vitest';
import {
  linearTrend,
  mean,
  meanConfidenceInterval,
  meanDifference,
  percentile,
  standardDeviation,
  studentTQuantile,
} from './statistics';

describe('statistics', () => {
  it('gives the textbook t quantiles', () => {
    // Two-sided 95% critical values from any t table.
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [5, 2.571],
      [9, 2.262],
      [30, 2.042],
      [49, 2.01],
      [1000, 1.962],
    ];
    for (const [degrees, value] of table) expect(studentTQuantile(0.975, degrees)).toBeCloseTo(value, 3);
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.262, 3);
  });

  it('describes values: mean, sample sd, interpolated percentiles', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(values)).toBe(5);
    expect(standardDeviation(values)).toBeCloseTo(2.138, 3);
    expect(percentile(values, 50)).toBe(4.5);
    expect(percentile(values, 25)).toBe(4);
    expect(percentile([1, 2, 3, 4], 25)).toBe(1.75);
    expect(percentile(values, 100)).toBe(9);
    expect(standardDeviation([3])).toBe(0);
  });

  it('puts the mean’s 95% interval at mean ± t·s/√n, and a Welch interval around a difference', () => {
    const interval = meanConfidenceInterval([1, 2, 3, 4, 5]);
    const half = (2.776 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(interval.low).toBeCloseTo(3 - half, 2);
    expect(interval.high).toBeCloseTo(3 + half, 2);
    expect(Number.isNaN(meanConfidenceInterval([1]).low)).toBe(true);
    const difference = meanDifference([1, 2, 3, 4, 5], [11, 12, 13, 14, 15]);
    expect(difference.difference).toBe(10);
    expect(difference.degrees).toBeCloseTo(8, 6);
    expect(difference.interval.low).toBeGreaterThan(7);
    expect(difference.interval.high).toBeLessThan(13);
  });
});

describe('linear trend', () => {
  it('recovers a known slope and brackets it', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const y = x.map((value, index) => 3 + 2 * value + (index % 2 === 0 ? 0.5 : -0.5));
    const trend = linearTrend(x, y);
    expect(trend.slope).toBeCloseTo(2, 1);
    expect(trend.interval.low).toBeLessThan(2);
    expect(trend.interval.high).toBeGreaterThan(2);
    expect(trend.interval.high - trend.interval.low).toBeLessThan(0.5);
    expect(Number.isNaN(linearTrend([1, 1, 1], [1, 2, 3]).slope)).toBe(true);
  });
});
