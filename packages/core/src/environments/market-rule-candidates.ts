import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import { ruleTraitDefaults } from '../agents/rule-brain';
import type { EnvironmentContext, RuleCandidate } from './environment';
import { lmsrPrices, sharesToReach } from './lmsr';
import { type MarketState, openQuestions, type QuestionState } from './market-state';
import { readStanceTags, tagMatches } from './stance-tags';

/** How rule agents trade; see {@link marketRuleCandidates}. */
const tradingRules = {
  /** Weight of a piece of news (a stance tag in the digest) on the estimate. */
  newsWeight: 0.5,
  /** Smallest edge traded: base + weight × risk_aversion. */
  edgeBase: 0.02,
  edgeWeight: 0.06,
  /** Score of a trade: base + slope × (edge − smallest edge). */
  scoreBase: 0.02,
  scoreSlope: 1.5,
  /** Confidence assumed for questions without a linked belief. */
  defaultConfidence: 0.5,
  /** Estimates stay within [bound, 1 − bound]. */
  estimateBound: 0.01,
  /** Share of spendable cash a buy may commit (each share costs less than 1). */
  cashShare: 0.95,
} as const;

function floorTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.floor(value * scale + 1e-9) / scale;
}

/**
 * The belief topic a question is linked to: the topic named like the question's id, else a topic
 * whose name appears as a word in the question's text (case-insensitive); undefined without one.
 */
function linkedTopic(question: QuestionState, context: EnvironmentContext): string | undefined {
  const topics = context.scenario.beliefs?.topics.map((topic) => topic.name) ?? [];
  const exact = topics.find((topic) => tagMatches(question.id, topic));
  if (exact !== undefined) return exact;
  const text = question.text.toLowerCase();
  return topics.find((topic) => {
    const word = topic.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}_])${word}($|[^\\p{L}\\p{N}_])`, 'u').test(text);
  });
}

/**
 * Trades a rule agent could make in a market (see {@link Environment.ruleCandidates}); nothing
 * changes. For each open question the trader estimates the probability of its first outcome:
 *
 * 1. **Belief.** With a linked topic ({@link linkedTopic}), position x on it means
 *    probability (1 + x) / 2; the estimate is c × that + (1 − c) × price, c = its confidence on
 *    the topic (a trader defers to the market as much as it doubts itself). Without one, the
 *    estimate is the price (no opinion).
 * 2. **News.** Stance tags in its digest (`#topic ±s`, naming the linked topic or the question
 *    id, e.g. from a trending post in a social environment it is not in) move the estimate
 *    halfway toward (1 + s̄) / 2, s̄ = the stances' mean weighted by their size |s|.
 *
 * The other outcomes share the rest in proportion to their prices. It buys the outcome most
 * underpriced by at least 0.02 + 0.06 × risk_aversion, and sells held shares of the outcome most
 * overpriced by as much (no short selling). Size: the shares that would move the price to its
 * estimate, times (0.3 + 0.7 × confidence) × (1 − 0.6 × risk_aversion), divided by the number of
 * traders (all trade on the same prices at once, so each takes its share of the move); at most
 * `max_shares_per_trade`, and for a buy at most 95% of the cash it may spend (a share always
 * costs less than 1, so it never spends more than it holds). Score 0.02 + 1.5 × (edge − smallest
 * edge): a 10-point edge above the threshold scores like a clear goal gain.
 */
export function marketRuleCandidates(
  state: MarketState,
  agent: AgentRuntime,
  observation: Observation,
  context: EnvironmentContext,
): RuleCandidate[] {
  const id = agent.spec.id;
  if (!state.traders.has(id)) return [];
  const riskAversion = agent.spec.traits.risk_aversion ?? ruleTraitDefaults.risk_aversion;
  const liquidity = state.definition.liquidity;
  const spendable = Math.max(state.cash.balance(id, context) - state.cash.floor(id, context), 0);
  const smallestEdge = tradingRules.edgeBase + tradingRules.edgeWeight * riskAversion;
  const candidates: RuleCandidate[] = [];
  for (const question of openQuestions(state)) {
    const prices = lmsrPrices(question.quantities, liquidity);
    const first = prices[0] ?? 0;
    const topic = linkedTopic(question, context);
    const belief = topic !== undefined ? observation.beliefs[topic] : undefined;
    const confidence = belief?.confidence ?? tradingRules.defaultConfidence;
    let estimate = first;
    if (belief) estimate = confidence * ((1 + belief.position) / 2) + (1 - confidence) * first;
    const news = observation.digest
      .flatMap((line) => readStanceTags(line))
      .filter(
        (tag) => tagMatches(tag.topic, question.id) || (topic !== undefined && tagMatches(tag.topic, topic)),
      );
    const strength = news.reduce((sum, tag) => sum + Math.abs(tag.stance), 0);
    if (strength > 0) {
      // Strong claims say more than lukewarm ones: stances weighted by their size.
      const stance = news.reduce((sum, tag) => sum + tag.stance * Math.abs(tag.stance), 0) / strength;
      estimate += tradingRules.newsWeight * ((1 + stance) / 2 - estimate);
    }
    estimate = Math.min(Math.max(estimate, tradingRules.estimateBound), 1 - tradingRules.estimateBound);
    const estimates = prices.map((price, index) =>
      index === 0 ? estimate : first < 1 ? ((1 - estimate) * price) / (1 - first) : 0,
    );
    // Every trader sees the same prices and may trade at once: each takes its share of the move.
    const size = ((0.3 + 0.7 * confidence) * (1 - 0.6 * riskAversion)) / Math.max(state.traders.size, 1);
    const held = state.holdings.get(id)?.get(question.id) ?? [];
    const why = `${belief ? `belief ${topic} ${belief.position.toFixed(2)}` : 'no linked belief'}${news.length > 0 ? `, ${news.length} news` : ''}`;
    let buy: RuleCandidate | undefined;
    let sell: RuleCandidate | undefined;
    question.outcomes.forEach((outcome, index) => {
      const price = prices[index] ?? 0;
      const target = Math.min(Math.max(estimates[index] ?? price, 1e-6), 1 - 1e-6);
      const edge = target - price;
      if (Math.abs(edge) < smallestEdge || price <= 0 || price >= 1) return;
      const score = tradingRules.scoreBase + tradingRules.scoreSlope * (Math.abs(edge) - smallestEdge);
      const wanted = Math.abs(sharesToReach(price, target, liquidity)) * size;
      const note = `${outcome} on ${question.id} at ${Math.round(price * 100)}%, worth ${Math.round(target * 100)}% to me (${why})`;
      if (edge > 0) {
        const shares = floorTo(
          Math.min(wanted, spendable * tradingRules.cashShare, state.definition.max_shares_per_trade),
          2,
        );
        if (shares <= 0 || (buy && buy.score >= score)) return;
        buy = {
          call: { tool: `${state.name}_buy`, arguments: { question: question.id, outcome, shares } },
          score,
          note: `buy ${note}`,
        };
      } else {
        const shares = floorTo(Math.min(wanted, held[index] ?? 0, state.definition.max_shares_per_trade), 2);
        if (shares <= 0 || (sell && sell.score >= score)) return;
        sell = {
          call: { tool: `${state.name}_sell`, arguments: { question: question.id, outcome, shares } },
          score,
          note: `sell ${note}`,
        };
      }
    });
    if (buy) candidates.push(buy);
    if (sell) candidates.push(sell);
  }
  return candidates;
}
