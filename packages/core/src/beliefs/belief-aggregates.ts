/**
 * Population summaries of positions on one topic. All take positions in [-1, 1] and return 0 for an
 * empty population.
 */

/** Mean position. */
export function meanPosition(positions: readonly number[]): number {
  if (positions.length === 0) return 0;
  let sum = 0;
  for (const position of positions) sum += position;
  return sum / positions.length;
}

/**
 * Polarization as the population variance of positions. On [-1, 1] it runs from 0 (everyone
 * agrees) to 1 (two equal camps at −1 and +1); a uniform spread gives 1/3.
 */
export function polarization(positions: readonly number[]): number {
  if (positions.length === 0) return 0;
  const mean = meanPosition(positions);
  let sum = 0;
  for (const position of positions) sum += (position - mean) ** 2;
  return sum / positions.length;
}

/** Consensus: the share of agents within `epsilon` of the mean position, in [0, 1]. */
export function consensus(positions: readonly number[], epsilon: number): number {
  if (positions.length === 0) return 0;
  const mean = meanPosition(positions);
  let within = 0;
  for (const position of positions) if (Math.abs(position - mean) < epsilon) within += 1;
  return within / positions.length;
}
