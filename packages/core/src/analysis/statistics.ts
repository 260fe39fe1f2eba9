/**
 * Descriptive statistics and t-based confidence intervals for sweeps. Small and dependency-free:
 * the Student t quantile comes from the regularized incomplete beta function (Lentz's continued
 * fraction, as in Numerical Recipes §6.4) inverted by bisection — exact to 1e-10, no tables.
 */

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 in the denominator); 0 for one value, NaN for none. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  if (values.length === 1) return 0;
  const centre = mean(values);
  let sum = 0;
  for (const value of values) sum += (value - centre) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/**
 * The `p`-th percentile (p in [0, 100]) by linear interpolation between the closest ranks (the
 * method spreadsheets and R's default, type 7, use); NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (rank - below);
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0] as number;
  for (let index = 1; index < 9; index += 1) sum += (coefficients[index] as number) / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 300; m += 1) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + even / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + odd / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    result *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return result;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `degrees` degrees of freedom. */
export function studentTCumulative(t: number, degrees: number): number {
  const tail = 0.5 * regularizedIncompleteBeta(degrees / (degrees + t * t), degrees / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t value with P(T ≤ t) = `probability` (e.g. 0.975 for a two-sided 95% interval). */
export function studentTQuantile(probability: number, degrees: number): number {
  if (probability === 0.5) return 0;
  let low = -1e4;
  let high = 1e4;
  for (let iteration = 0; iteration < 200 && high - low > 1e-12; iteration += 1) {
    const middle = (low + high) / 2;
    if (studentTCumulative(middle, degrees) < probability) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** A two-sided confidence interval. */
export interface ConfidenceInterval {
  low: number;
  high: number;
  /** The confidence level, e.g. 0.95. */
  level: number;
}

/**
 * The t-based confidence interval of a mean: mean ± t(1 − α/2, n − 1) × s / √n. With fewer than
 * two values the interval is undefined (NaN bounds).
 */
export function meanConfidenceInterval(values: readonly number[], level = 0.95): ConfidenceInterval {
  if (values.length < 2) return { low: Number.NaN, high: Number.NaN, level };
  const centre = mean(values);
  const half =
    (studentTQuantile(1 - (1 - level) / 2, values.length - 1) * standardDeviation(values)) /
    Math.sqrt(values.length);
  return { low: centre - half, high: centre + half, level };
}

/** The difference of two means with its Welch confidence interval (unequal variances). */
export interface MeanDifference {
  difference: number;
  interval: ConfidenceInterval;
  /** Welch–Satterthwaite degrees of freedom. */
  degrees: number;
}

/**
 * mean(b) − mean(a) with a Welch interval: se = √(s²a/na + s²b/nb), degrees of freedom by
 * Welch–Satterthwaite. When both groups have no spread the interval is the point itself.
 */
export function meanDifference(a: readonly number[], b: readonly number[], level = 0.95): MeanDifference {
  const difference = mean(b) - mean(a);
  if (a.length < 2 || b.length < 2)
    return { difference, interval: { low: Number.NaN, high: Number.NaN, level }, degrees: Number.NaN };
  const va = standardDeviation(a) ** 2 / a.length;
  const vb = standardDeviation(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0)
    return {
      difference,
      interval: { low: difference, high: difference, level },
      degrees: Number.POSITIVE_INFINITY,
    };
  const degrees = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, degrees) * se;
  return { difference, interval: { low: difference - half, high: difference + half, level }, degrees };
}

/** A least-squares line y = intercept + slope·x with the slope's confidence interval. */
export interface LinearTrend {
  slope: number;
  intercept: number;
  /** t interval of the slope, n − 2 degrees of freedom (NaN bounds with fewer than three points). */
  interval: ConfidenceInterval;
  n: number;
}

/** Fits y on x by ordinary least squares; the slope is NaN when x does not vary. */
export function linearTrend(x: readonly number[], y: readonly number[], level = 0.95): LinearTrend {
  const n = Math.min(x.length, y.length);
  const meanX = mean(x.slice(0, n));
  const meanY = mean(y.slice(0, n));
  let sxx = 0;
  let sxy = 0;
  for (let index = 0; index < n; index += 1) {
    sxx += ((x[index] as number) - meanX) ** 2;
    sxy += ((x[index] as number) - meanX) * ((y[index] as number) - meanY);
  }
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  const intercept = meanY - slope * meanX;
  if (n < 3 || sxx === 0)
    return { slope, intercept, interval: { low: Number.NaN, high: Number.NaN, level }, n };
  let residuals = 0;
  for (let index = 0; index < n; index += 1)
    residuals += ((y[index] as number) - intercept - slope * (x[index] as number)) ** 2;
  const half = studentTQuantile(1 - (1 - level) / 2, n - 2) * Math.sqrt(residuals / (n - 2) / sxx);
  return { slope, intercept, interval: { low: slope - half, high: slope + half, level }, n };
}
