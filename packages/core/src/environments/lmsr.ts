/** Hanson's logarithmic market scoring rule (LMSR): the prices and trade costs of an automated market maker. */

function logSumExp(values: readonly number[]): number {
  const top = Math.max(...values);
  let sum = 0;
  for (const value of values) sum += Math.exp(value - top);
  return top + Math.log(sum);
}

/** The LMSR cost function C(q) = b · ln Σ exp(q_i / b), computed stably. */
export function lmsrCost(quantities: readonly number[], liquidity: number): number {
  return liquidity * logSumExp(quantities.map((quantity) => quantity / liquidity));
}

/** LMSR prices: softmax(q / b). They are positive and sum to 1. */
export function lmsrPrices(quantities: readonly number[], liquidity: number): number[] {
  const scaled = quantities.map((quantity) => quantity / liquidity);
  const top = Math.max(...scaled);
  const weights = scaled.map((value) => Math.exp(value - top));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

/**
 * What buying `shares` of `outcome` costs: C(q + shares·e_outcome) − C(q). Negative shares sell;
 * the result is then negative (the proceeds). Depends only on the start and end quantities, so
 * splitting a trade in parts costs the same as making it at once.
 */
export function lmsrTradeCost(
  quantities: readonly number[],
  liquidity: number,
  outcome: number,
  shares: number,
): number {
  const after = quantities.map((quantity, index) => (index === outcome ? quantity + shares : quantity));
  return lmsrCost(after, liquidity) - lmsrCost(quantities, liquidity);
}

/** How many shares of `outcome` `amount` buys: b · ln(1 + (e^(amount/b) − 1) / p_outcome). */
export function lmsrSharesForAmount(
  quantities: readonly number[],
  liquidity: number,
  outcome: number,
  amount: number,
): number {
  const price = lmsrPrices(quantities, liquidity)[outcome] ?? 0;
  if (price <= 0 || amount <= 0) return 0;
  return liquidity * Math.log1p(Math.expm1(amount / liquidity) / price);
}

/** Starting LMSR quantities that give the wanted prices: q_i = b · ln p_i after normalising. */
export function lmsrQuantitiesForPrices(prices: readonly number[], liquidity: number): number[] {
  const total = prices.reduce((sum, price) => sum + price, 0);
  return prices.map((price) => liquidity * Math.log(price / total));
}

/**
 * Shares of an outcome to buy (positive) or sell (negative) so that its LMSR price moves from
 * `price` to `target`, other quantities fixed: b · ln(target·(1 − price) / (price·(1 − target))).
 */
export function sharesToReach(price: number, target: number, liquidity: number): number {
  return liquidity * Math.log((target * (1 - price)) / (price * (1 - target)));
}
