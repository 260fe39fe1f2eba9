import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import { ruleTraitDefaults } from '../agents/rule-brain';
import { type EconomyState, inventoryOf, openOffersTo, round } from './economic-state';
import type { EnvironmentContext, RuleCandidate } from './environment';

/** How rule agents trade goods; see {@link economicRuleCandidates}. */
const economyRules = {
  /** Steps of consumption an agent wants in stock. */
  coverSteps: 3,
  /** A short consumer values a good up to this much above its price. */
  shortagePremium: 0.5,
  /** A producer with surplus values it down to this much below its price. */
  surplusDiscount: 0.3,
  /** Steps ahead a contract offer is due. */
  offerLead: 2,
  /** Share of the surplus offered or sold at once. */
  surplusShare: 0.5,
} as const;

/** Units rounded down: whole units from 1 up, else hundredths. */
function units(value: number): number {
  return value >= 1 ? Math.floor(value + 1e-9) : Math.floor(value * 100 + 1e-9) / 100;
}

/**
 * What one unit of a good is worth to an agent now, from its stock and its role: price × (1 +
 * 0.5 × shortfall) for a consumer holding less than 3 steps of consumption (shortfall = the
 * missing share of that cover), price × (1 − 0.3 × surplus share) for an agent holding more than
 * it needs (surplus share = surplus / stock), else the price.
 */
function valuation(
  state: EconomyState,
  agentId: string,
  good: string,
): { value: number; need: number; surplus: number } {
  const price = state.prices.get(good) ?? 0;
  const stock = inventoryOf(state, agentId, good);
  const consumption = state.consumption.get(agentId)?.[good] ?? 0;
  const wanted = consumption * economyRules.coverSteps;
  const need = Math.max(wanted - stock, 0);
  // An agent keeps its cover; everything above it is surplus.
  const surplus = Math.max(stock - wanted, 0);
  if (need > 0 && wanted > 0)
    return { value: price * (1 + economyRules.shortagePremium * (need / wanted)), need, surplus };
  if (surplus > 0 && stock > 0)
    return { value: price * (1 - economyRules.surplusDiscount * (surplus / stock)), need, surplus };
  return { value: price, need, surplus };
}

/**
 * Moves a rule agent could make in an economy (see {@link Environment.ruleCandidates}); nothing
 * changes. Each good is valued as in {@link valuation}: above its price when the agent is short of
 * it, below when it holds a surplus.
 *
 * - **Accept** an open offer to buy below its valuation (if it has the cash now) or to sell above
 *   it (if stock plus production until the due step covers the quantity); score 0.05 + 0.5 ×
 *   relative gain.
 * - **Offer** on contract to the member who needs the good most (least stock against
 *   consumption, below 3 steps; agent order breaks ties) what it lacks, at most half the
 *   surplus, due in 2 steps, at the price × (1.05 − 0.1 × cooperation); score 0.04 + 0.1 ×
 *   surplus share. Not while its own offer of that good is open.
 * - **Buy** on the spot market what it lacks for 3 steps of consumption, as far as its spendable
 *   cash goes; score 0.03 + 0.2 × shortfall.
 * - **Sell** half its surplus on the spot market when the price is above its valuation; score
 *   0.03 + 0.5 × (price − valuation) / price.
 */
export function economicRuleCandidates(
  state: EconomyState,
  agent: AgentRuntime,
  _observation: Observation,
  context: EnvironmentContext,
): RuleCandidate[] {
  const id = agent.spec.id;
  if (!state.memberSet.has(id)) return [];
  const cooperation = agent.spec.traits.cooperation ?? ruleTraitDefaults.cooperation;
  const spendable = Math.max(state.cash.balance(id, context) - state.cash.floor(id, context), 0);
  const candidates: RuleCandidate[] = [];
  for (const offer of openOffersTo(state, id, context.step)) {
    const { value } = valuation(state, id, offer.good);
    if (value <= 0) continue;
    const buying = offer.buyer === id;
    const gain = buying ? (value - offer.price) / value : (offer.price - value) / value;
    if (gain <= 0) continue;
    if (buying && offer.quantity * offer.price > spendable) continue;
    if (!buying) {
      const steps = Math.max(offer.dueStep - context.step, 0);
      const perStep =
        (state.production.get(id)?.[offer.good] ?? 0) - (state.consumption.get(id)?.[offer.good] ?? 0);
      if (inventoryOf(state, id, offer.good) + perStep * steps < offer.quantity) continue;
    }
    candidates.push({
      call: { tool: `${state.name}_accept_contract`, arguments: { contract: offer.id } },
      score: 0.05 + 0.5 * gain,
      note: `accept ${offer.id}: ${buying ? 'buy' : 'sell'} ${offer.quantity} ${offer.good} at ${round(offer.price)}, worth ${round(value)} to me`,
    });
  }
  for (const good of state.goods) {
    const price = state.prices.get(good) ?? 0;
    if (price <= 0) continue;
    const { value, need, surplus } = valuation(state, id, good);
    const stock = inventoryOf(state, id, good);
    if (need > 0) {
      const quantity = units(Math.min(need, spendable / price));
      if (quantity > 0) {
        const wanted = (state.consumption.get(id)?.[good] ?? 0) * economyRules.coverSteps;
        candidates.push({
          call: { tool: `${state.name}_buy`, arguments: { good, quantity } },
          score: 0.03 + 0.2 * (wanted > 0 ? need / wanted : 0),
          note: `buy ${quantity} ${good} at ${round(price)}: short of ${round(need)}`,
        });
      }
    }
    if (surplus <= 0 || stock <= 0) continue;
    const quantity = units(surplus * economyRules.surplusShare);
    if (quantity <= 0) continue;
    if (price > value) {
      candidates.push({
        call: { tool: `${state.name}_sell`, arguments: { good, quantity } },
        score: 0.03 + (0.5 * (price - value)) / price,
        note: `sell ${quantity} surplus ${good} at ${round(price)}, worth ${round(value)} to me`,
      });
    }
    const pending = state.contracts.some(
      (contract) =>
        contract.status === 'offered' &&
        contract.proposer === id &&
        contract.good === good &&
        contract.dueStep >= context.step,
    );
    const buyer = pending ? undefined : neediest(state, id, good, context);
    // Offer what the buyer lacks, at most the share of the surplus.
    const offered = buyer ? units(Math.min(quantity, valuation(state, buyer, good).need)) : 0;
    if (buyer !== undefined && offered > 0) {
      const unitPrice = round(price * (1.05 - 0.1 * cooperation));
      candidates.push({
        call: {
          tool: `${state.name}_offer_contract`,
          arguments: {
            agent: buyer,
            side: 'sell',
            good,
            quantity: offered,
            price: unitPrice,
            due_step: context.step + Math.min(economyRules.offerLead, state.definition.max_contract_steps),
          },
        },
        score: 0.04 + 0.1 * (surplus / stock),
        note: `offer ${offered} surplus ${good} to ${context.agents.get(buyer)?.spec.name ?? buyer} at ${unitPrice}`,
      });
    }
  }
  return candidates;
}

/**
 * The active member other than `agentId` that consumes `good` and holds the fewest steps of it,
 * below the wanted cover; undefined when nobody is short.
 */
function neediest(
  state: EconomyState,
  agentId: string,
  good: string,
  context: EnvironmentContext,
): string | undefined {
  let best: string | undefined;
  let bestCover = Number.POSITIVE_INFINITY;
  for (const member of state.members) {
    if (member === agentId) continue;
    const runtime = context.agents.get(member);
    if (!runtime || runtime.status === 'terminated') continue;
    const consumption = state.consumption.get(member)?.[good] ?? 0;
    if (consumption <= 0) continue;
    const cover = inventoryOf(state, member, good) / consumption;
    if (cover < economyRules.coverSteps && cover < bestCover) {
      bestCover = cover;
      best = member;
    }
  }
  return best;
}
