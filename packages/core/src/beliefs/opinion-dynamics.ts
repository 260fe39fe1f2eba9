/**
 * Pure opinion-dynamics rules. Positions live in [-1, 1], confidence and trust in [0, 1].
 *
 * The position rule is Deffuant–Weisbuch bounded confidence (Deffuant, Neau, Amblard & Weisbuch,
 * "Mixing beliefs among interacting agents", 2000): two opinions closer than a bound ε move toward
 * each other by a fraction μ of their difference; further apart, nothing happens. Reading a post is
 * one-sided — the reader moves, the post does not — so {@link boundedConfidenceMove} is the
 * one-sided form, and {@link deffuantWeisbuchPair} the symmetric original.
 */

/** Clamps to [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/**
 * Moves `position` toward `stance` by `rate` × difference when |stance − position| < `epsilon`;
 * otherwise returns `position` unchanged. `rate` is clamped to [0, 1], the result to [-1, 1].
 */
export function boundedConfidenceMove(
  position: number,
  stance: number,
  epsilon: number,
  rate: number,
): number {
  const difference = stance - position;
  if (Math.abs(difference) >= epsilon) return position;
  return clamp(position + clamp(rate, 0, 1) * difference, -1, 1);
}

/** The symmetric Deffuant–Weisbuch step for a pair: both move toward each other by μ × difference. */
export function deffuantWeisbuchPair(
  first: number,
  second: number,
  epsilon: number,
  mu: number,
): [number, number] {
  const difference = second - first;
  if (Math.abs(difference) >= epsilon) return [first, second];
  return [first + mu * difference, second - mu * difference];
}

/**
 * Trust after reading content `distance` away from one's own position: within the bound it rises
 * toward 1 (more the closer it is), beyond it it falls toward 0 (more the further it is, fully at
 * 2ε). Learning rate 0 keeps trust fixed.
 */
export function updatedTrust(trust: number, distance: number, epsilon: number, learningRate: number): number {
  if (distance < epsilon) return clamp(trust + learningRate * (1 - trust) * (1 - distance / epsilon), 0, 1);
  const farness = clamp((distance - epsilon) / epsilon, 0, 1);
  return clamp(trust - learningRate * trust * Math.max(farness, 0.25), 0, 1);
}

/**
 * Confidence after reading content `distance` away: consistent content (within the bound) raises it
 * toward 1, more the closer it is; content beyond the bound is dismissed and leaves it as it was.
 */
export function updatedConfidence(
  confidence: number,
  distance: number,
  epsilon: number,
  learningRate: number,
): number {
  if (distance >= epsilon) return confidence;
  return clamp(confidence + learningRate * (1 - confidence) * (1 - distance / epsilon), 0, 1);
}
