import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import { ruleTraitDefaults } from '../agents/rule-brain';
import type { Random } from '../random';
import {
  type ActionOutcome,
  type Environment,
  type EnvironmentContext,
  emptyOutcome,
  type RuleCandidate,
} from './environment';
import {
  type AgentInteraction,
  type BridgeEvent,
  type EnvironmentSetup,
  type MarketEnvironmentDefinition,
  type MoneySource,
  resolveAgentSelectors,
} from './environment-schemas';
import { readStanceTags, tagMatches } from './stance-tags';
import { type ToolCallRequest, type ToolDefinition, validateToolArguments } from './tool';

/** Cash differences below this are rounding, not shortfalls. */
const tolerance = 1e-9;

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

interface QuestionState {
  id: string;
  text: string;
  outcomes: string[];
  quantities: number[];
  pricesAtTick: number[];
  resolved?: string;
}

/** What a member observes of a market. */
export interface MarketView extends Record<string, unknown> {
  canTrade: boolean;
  /** Present for traders. */
  cash?: number;
  questions: Array<{
    id: string;
    text: string;
    resolved?: string;
    outcomes: Array<{ outcome: string; price: number; held: number }>;
  }>;
}

/** State changes and constraint hits produced outside an action (ticks, resolutions). */
export type EnvironmentWrites = Pick<ActionOutcome, 'changes' | 'hits'>;

/**
 * Money per agent, held either in the environment's own ledger (starting at a fixed amount) or in
 * a numeric agent variable, read and written through the world state so clamps become constraint
 * hits. Spending may not take a balance below 0 (or the variable's min, when higher).
 */
export class CashLedger {
  private readonly balances = new Map<string, number>();

  constructor(private readonly source: MoneySource) {}

  /** The agent's balance now. */
  balance(agentId: string, context: EnvironmentContext): number {
    if (typeof this.source === 'number') return this.balances.get(agentId) ?? this.source;
    const value = context.world.read(this.source.variable, agentId);
    return typeof value === 'number' ? value : 0;
  }

  /** The lowest balance spending may leave. */
  floor(agentId: string, context: EnvironmentContext): number {
    if (typeof this.source === 'number') return 0;
    return Math.max(context.world.definitionOf(this.source.variable, agentId)?.min ?? 0, 0);
  }

  /** Sets a balance, collecting the state change and any constraint hit. */
  set(agentId: string, value: number, context: EnvironmentContext, writes: EnvironmentWrites): void {
    if (typeof this.source === 'number') {
      this.balances.set(agentId, value);
      return;
    }
    const { change, hit } = context.world.write(this.source.variable, value, agentId);
    if (change) writes.changes.push(change);
    if (hit) writes.hits.push(hit);
  }
}

function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** How rule agents trade; see {@link MarketEnvironment.ruleCandidates}. */
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

/**
 * Shares of an outcome to buy (positive) or sell (negative) so that its LMSR price moves from
 * `price` to `target`, other quantities fixed: b · ln(target·(1 − price) / (price·(1 − target))).
 */
function sharesToReach(price: number, target: number, liquidity: number): number {
  return liquidity * Math.log((target * (1 - price)) / (price * (1 - target)));
}

function floorTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.floor(value * scale + 1e-9) / scale;
}

/**
 * A prediction market over named questions, priced by Hanson's logarithmic market scoring rule
 * (LMSR): an automated market maker always quotes, prices are softmax(q / b), and a trade costs the
 * change of C(q) = b · ln Σ exp(q_i / b). Traders call `<name>_buy` (with `shares` or `amount` of cash)
 * and `<name>_sell` (shares they hold; no short selling). Holdings live in the environment; cash too,
 * unless `cash: { variable }` names an agent variable, which is then read and written through the
 * world state so clamps are recorded. A price that moves by `price_move_threshold` within a step
 * publishes a `price-move` bridge event at the tick.
 */
export class MarketEnvironment implements Environment {
  readonly name: string;
  readonly members: readonly string[];
  private readonly memberSet: ReadonlySet<string>;
  private readonly traders: ReadonlySet<string>;
  private readonly questions = new Map<string, QuestionState>();
  private readonly cash: CashLedger;
  private readonly holdings = new Map<string, Map<string, number[]>>();
  private events: BridgeEvent[] = [];
  private interactions: AgentInteraction[] = [];
  private readonly totals = { trades: 0, volume: 0, turnover: 0 };

  constructor(
    private readonly definition: MarketEnvironmentDefinition,
    setup: EnvironmentSetup,
  ) {
    this.name = definition.name;
    this.members = setup.members;
    this.memberSet = new Set(setup.members);
    this.cash = new CashLedger(definition.cash);
    this.traders = new Set(
      resolveAgentSelectors(definition.traders, setup.agents).filter((id) => this.memberSet.has(id)),
    );
    for (const question of definition.questions) {
      const prices = question.initial_prices ?? question.outcomes.map(() => 1 / question.outcomes.length);
      const quantities = lmsrQuantitiesForPrices(prices, definition.liquidity);
      this.questions.set(question.id, {
        id: question.id,
        text: question.text,
        outcomes: [...question.outcomes],
        quantities,
        pricesAtTick: lmsrPrices(quantities, definition.liquidity),
      });
    }
  }

  /** Whether the agent takes part in this environment (sees prices). */
  isMember(agentId: string): boolean {
    return this.memberSet.has(agentId);
  }

  /** Whether the agent may trade. */
  isTrader(agentId: string): boolean {
    return this.traders.has(agentId);
  }

  /** Current prices of a question's outcomes, by outcome name; undefined for unknown questions. */
  prices(questionId: string): Record<string, number> | undefined {
    const question = this.questions.get(questionId);
    if (!question) return undefined;
    const prices = lmsrPrices(question.quantities, this.definition.liquidity);
    return Object.fromEntries(question.outcomes.map((outcome, index) => [outcome, prices[index] ?? 0]));
  }

  /** Shares an agent holds of each outcome of a question. */
  holdingsOf(agentId: string, questionId: string): Record<string, number> {
    const question = this.questions.get(questionId);
    const held = this.holdings.get(agentId)?.get(questionId);
    return Object.fromEntries(
      question?.outcomes.map((outcome, index) => [outcome, held?.[index] ?? 0]) ?? [],
    );
  }

  /** An agent's cash: its agent variable when `cash.variable` is set, otherwise the market's ledger. */
  cashOf(agentId: string, context: EnvironmentContext): number {
    return this.cash.balance(agentId, context);
  }

  private openQuestions(): QuestionState[] {
    return [...this.questions.values()].filter((question) => question.resolved === undefined);
  }

  tools(agent: AgentRuntime, _context: EnvironmentContext): ToolDefinition[] {
    if (!this.traders.has(agent.spec.id)) return [];
    const open = this.openQuestions();
    if (open.length === 0) return [];
    const question = { type: 'string', enum: open.map((entry) => entry.id), description: 'Question id' };
    const outcome = {
      type: 'string',
      enum: [...new Set(open.flatMap((entry) => entry.outcomes))],
      description: 'Outcome of that question',
    };
    const shares = {
      type: 'number',
      minimum: 0,
      maximum: this.definition.max_shares_per_trade,
      description: 'Number of shares; each pays 1 if the outcome happens',
    };
    const amount = { type: 'number', minimum: 0, description: 'Cash to spend instead of a number of shares' };
    const parameters = (properties: Record<string, Record<string, unknown>>, required: string[]) => ({
      type: 'object' as const,
      properties,
      required,
      additionalProperties: false as const,
    });
    return [
      {
        name: `${this.name}_buy`,
        description: 'Buy shares of an outcome from the market maker; give shares or amount.',
        environment: this.name,
        parameters: parameters({ question, outcome, shares, amount }, ['question', 'outcome']),
      },
      {
        name: `${this.name}_sell`,
        description: 'Sell shares of an outcome you hold back to the market maker.',
        environment: this.name,
        parameters: parameters({ question, outcome, shares }, ['question', 'outcome', 'shares']),
      },
    ];
  }

  execute(agent: AgentRuntime, call: ToolCallRequest, context: EnvironmentContext): ActionOutcome {
    const id = agent.spec.id;
    if (!this.traders.has(id)) return emptyOutcome(false, `${id} may not trade on ${this.name}`);
    const tool = this.tools(agent, context).find((candidate) => candidate.name === call.tool);
    if (!tool) return emptyOutcome(false, `${this.name} offers no tool "${call.tool}" now`);
    const problems = validateToolArguments(tool, call.arguments, () => false);
    if (problems.length > 0) return emptyOutcome(false, problems.join('; '));
    const question = this.questions.get(String(call.arguments.question));
    if (!question || question.resolved !== undefined)
      return emptyOutcome(false, `no open question "${String(call.arguments.question)}"`);
    const outcomeName = String(call.arguments.outcome);
    const outcome = question.outcomes.indexOf(outcomeName);
    if (outcome < 0)
      return emptyOutcome(
        false,
        `question ${question.id} has no outcome "${outcomeName}"; one of ${question.outcomes.join(', ')}`,
      );
    const selling = call.tool === `${this.name}_sell`;
    const { shares: sharesArgument, amount } = call.arguments as { shares?: number; amount?: number };
    if (!selling && (sharesArgument === undefined) === (amount === undefined))
      return emptyOutcome(false, `${call.tool}: give exactly one of shares or amount`);
    const liquidity = this.definition.liquidity;
    const shares =
      sharesArgument ?? lmsrSharesForAmount(question.quantities, liquidity, outcome, amount as number);
    if (!(shares > 0)) return emptyOutcome(false, `${call.tool}: shares must be above 0`);
    if (shares > this.definition.max_shares_per_trade)
      return emptyOutcome(
        false,
        `${call.tool}: at most ${this.definition.max_shares_per_trade} shares per trade`,
      );
    const held = this.holdings.get(id)?.get(question.id) ?? question.outcomes.map(() => 0);
    const cash = this.cashOf(id, context);
    const cost = lmsrTradeCost(question.quantities, liquidity, outcome, selling ? -shares : shares);
    if (selling && (held[outcome] ?? 0) < shares - tolerance)
      return emptyOutcome(
        false,
        `cannot sell ${round(shares)} ${outcomeName}: you hold ${round(held[outcome] ?? 0)}`,
      );
    if (!selling && cash - cost < this.cash.floor(id, context) - tolerance)
      return emptyOutcome(false, `not enough cash: ${round(cost, 2)} needed, ${round(cash, 2)} available`);
    question.quantities[outcome] = (question.quantities[outcome] ?? 0) + (selling ? -shares : shares);
    held[outcome] = Math.max((held[outcome] ?? 0) + (selling ? -shares : shares), 0);
    const byQuestion = this.holdings.get(id) ?? new Map<string, number[]>();
    byQuestion.set(question.id, held);
    this.holdings.set(id, byQuestion);
    const writes: EnvironmentWrites = { changes: [], hits: [] };
    this.cash.set(id, cash - cost, context, writes);
    this.totals.trades += 1;
    this.totals.volume += shares;
    this.totals.turnover += Math.abs(cost);
    this.interactions.push({
      step: context.step,
      from: id,
      to: this.name,
      kind: 'trade',
      environment: this.name,
      amount: Math.abs(cost),
    });
    const price = lmsrPrices(question.quantities, liquidity)[outcome] ?? 0;
    const verb = selling ? 'sold' : 'bought';
    return {
      ok: true,
      result: `${verb} ${round(shares, 2)} ${outcomeName} on ${question.id} for ${round(Math.abs(cost), 2)}; ${outcomeName} now ${Math.round(price * 100)}%`,
      changes: writes.changes,
      hits: writes.hits,
      messages: [],
    };
  }

  /**
   * The belief topic a question is linked to: the topic named like the question's id, else a topic
   * whose name appears as a word in the question's text (case-insensitive); undefined without one.
   */
  private linkedTopic(question: QuestionState, context: EnvironmentContext): string | undefined {
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
   * Trades a rule agent could make (see {@link Environment.ruleCandidates}); nothing changes. For
   * each open question the trader estimates the probability of its first outcome:
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
  ruleCandidates(
    agent: AgentRuntime,
    observation: Observation,
    context: EnvironmentContext,
    _random: Random,
  ): RuleCandidate[] {
    const id = agent.spec.id;
    if (!this.traders.has(id)) return [];
    const riskAversion = agent.spec.traits.risk_aversion ?? ruleTraitDefaults.risk_aversion;
    const liquidity = this.definition.liquidity;
    const spendable = Math.max(this.cashOf(id, context) - this.cash.floor(id, context), 0);
    const smallestEdge = tradingRules.edgeBase + tradingRules.edgeWeight * riskAversion;
    const candidates: RuleCandidate[] = [];
    for (const question of this.openQuestions()) {
      const prices = lmsrPrices(question.quantities, liquidity);
      const first = prices[0] ?? 0;
      const topic = this.linkedTopic(question, context);
      const belief = topic !== undefined ? observation.beliefs[topic] : undefined;
      const confidence = belief?.confidence ?? tradingRules.defaultConfidence;
      let estimate = first;
      if (belief) estimate = confidence * ((1 + belief.position) / 2) + (1 - confidence) * first;
      const news = observation.digest
        .flatMap((line) => readStanceTags(line))
        .filter(
          (tag) =>
            tagMatches(tag.topic, question.id) || (topic !== undefined && tagMatches(tag.topic, topic)),
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
      const size = ((0.3 + 0.7 * confidence) * (1 - 0.6 * riskAversion)) / Math.max(this.traders.size, 1);
      const held = this.holdings.get(id)?.get(question.id) ?? [];
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
            Math.min(wanted, spendable * tradingRules.cashShare, this.definition.max_shares_per_trade),
            2,
          );
          if (shares <= 0 || (buy && buy.score >= score)) return;
          buy = {
            call: { tool: `${this.name}_buy`, arguments: { question: question.id, outcome, shares } },
            score,
            note: `buy ${note}`,
          };
        } else {
          const shares = floorTo(Math.min(wanted, held[index] ?? 0, this.definition.max_shares_per_trade), 2);
          if (shares <= 0 || (sell && sell.score >= score)) return;
          sell = {
            call: { tool: `${this.name}_sell`, arguments: { question: question.id, outcome, shares } },
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

  /** Prices and, for traders, cash and holdings. Non-members get an empty view. */
  observe(agent: AgentRuntime, context: EnvironmentContext): Record<string, unknown> {
    const id = agent.spec.id;
    if (!this.memberSet.has(id)) return {};
    const trader = this.traders.has(id);
    const view: MarketView = {
      canTrade: trader,
      ...(trader ? { cash: round(this.cashOf(id, context), 2) } : {}),
      questions: [...this.questions.values()].map((question) => {
        const prices = lmsrPrices(question.quantities, this.definition.liquidity);
        const held = this.holdings.get(id)?.get(question.id);
        return {
          id: question.id,
          text: question.text,
          ...(question.resolved !== undefined ? { resolved: question.resolved } : {}),
          outcomes: question.outcomes.map((outcome, index) => ({
            outcome,
            price: round(prices[index] ?? 0),
            held: round(held?.[index] ?? 0),
          })),
        };
      }),
    };
    return view;
  }

  /** Ends a step: a price that moved at least the threshold since the last tick publishes `price-move`. */
  tick(context: EnvironmentContext): void {
    for (const question of this.openQuestions()) {
      const prices = lmsrPrices(question.quantities, this.definition.liquidity);
      let moved = 0;
      if (question.outcomes.length > 2) {
        for (let index = 1; index < prices.length; index++) {
          const change = Math.abs((prices[index] ?? 0) - (question.pricesAtTick[index] ?? 0));
          if (change > Math.abs((prices[moved] ?? 0) - (question.pricesAtTick[moved] ?? 0))) moved = index;
        }
      }
      const change = (prices[moved] ?? 0) - (question.pricesAtTick[moved] ?? 0);
      question.pricesAtTick = prices;
      if (Math.abs(change) < this.definition.price_move_threshold) continue;
      const outcome = question.outcomes[moved] as string;
      const direction = change > 0 ? 'up' : 'down';
      const percent = Math.round((prices[moved] ?? 0) * 100);
      const subject = question.outcomes.length > 2 ? `${question.text}: ${outcome}` : question.text;
      this.events.push({
        source: this.name,
        type: 'price-move',
        text: `${subject} moved ${direction} to ${percent}%`,
        step: context.step,
        data: { question: question.id, outcome, price: round(prices[moved] ?? 0), change: round(change) },
      });
    }
  }

  /**
   * Settles a question: each share of `outcome` pays 1 to its holder (members in agent order), the
   * question closes to trading and a `market-resolved` bridge event is published.
   * @returns the cash writes, or undefined when the question or outcome is unknown or already settled
   */
  resolve(questionId: string, outcome: string, context: EnvironmentContext): EnvironmentWrites | undefined {
    const question = this.questions.get(questionId);
    const index = question?.outcomes.indexOf(outcome) ?? -1;
    if (!question || index < 0 || question.resolved !== undefined) return undefined;
    question.resolved = outcome;
    const writes: EnvironmentWrites = { changes: [], hits: [] };
    for (const member of this.members) {
      const held = this.holdings.get(member)?.get(questionId)?.[index] ?? 0;
      if (held > 0) this.cash.set(member, this.cashOf(member, context) + held, context, writes);
    }
    this.events.push({
      source: this.name,
      type: 'market-resolved',
      text: `${question.text} resolved: ${outcome}`,
      step: context.step,
      data: { question: questionId, outcome },
    });
    return writes;
  }

  /** Bridge events since the last call (each is returned once). */
  publishEvents(): BridgeEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** Trades (agent → this market) since the last call. */
  publishInteractions(): AgentInteraction[] {
    const interactions = this.interactions;
    this.interactions = [];
    return interactions;
  }

  /** `trades`, `volume` (shares), `turnover` (cash), and `price.<question>.<outcome>` for each outcome. */
  metrics(): Record<string, number> {
    const values: Record<string, number> = { ...this.totals };
    for (const question of this.questions.values()) {
      const prices = lmsrPrices(question.quantities, this.definition.liquidity);
      question.outcomes.forEach((outcome, index) => {
        values[`price.${question.id}.${outcome}`] = prices[index] ?? 0;
      });
    }
    return values;
  }
}
