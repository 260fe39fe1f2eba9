import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import type { Random } from '../random';
import type { EnvironmentWrites } from './cash-ledger';
import {
  type ActionOutcome,
  type Environment,
  type EnvironmentContext,
  emptyOutcome,
  type RuleCandidate,
} from './environment';
import type {
  AgentInteraction,
  BridgeEvent,
  EnvironmentSetup,
  MarketEnvironmentDefinition,
} from './environment-schemas';
import { lmsrPrices, lmsrSharesForAmount, lmsrTradeCost } from './lmsr';
import { marketRuleCandidates } from './market-rule-candidates';
import { createMarketState, type MarketState, openQuestions } from './market-state';
import { type ToolCallRequest, type ToolDefinition, validateToolArguments } from './tool';

/** Cash differences below this are rounding, not shortfalls. */
const tolerance = 1e-9;

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

function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
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
  /** Questions, holdings, cash and what is not yet published, shared with the rule agents' trades. */
  private readonly state: MarketState;

  constructor(definition: MarketEnvironmentDefinition, setup: EnvironmentSetup) {
    this.name = definition.name;
    this.members = setup.members;
    this.state = createMarketState(definition, setup);
  }

  /** Whether the agent takes part in this environment (sees prices). */
  isMember(agentId: string): boolean {
    return this.state.memberSet.has(agentId);
  }

  /** Whether the agent may trade. */
  isTrader(agentId: string): boolean {
    return this.state.traders.has(agentId);
  }

  /** Current prices of a question's outcomes, by outcome name; undefined for unknown questions. */
  prices(questionId: string): Record<string, number> | undefined {
    const question = this.state.questions.get(questionId);
    if (!question) return undefined;
    const prices = lmsrPrices(question.quantities, this.state.definition.liquidity);
    return Object.fromEntries(question.outcomes.map((outcome, index) => [outcome, prices[index] ?? 0]));
  }

  /** Shares an agent holds of each outcome of a question. */
  holdingsOf(agentId: string, questionId: string): Record<string, number> {
    const question = this.state.questions.get(questionId);
    const held = this.state.holdings.get(agentId)?.get(questionId);
    return Object.fromEntries(
      question?.outcomes.map((outcome, index) => [outcome, held?.[index] ?? 0]) ?? [],
    );
  }

  /** An agent's cash: its agent variable when `cash.variable` is set, otherwise the market's ledger. */
  cashOf(agentId: string, context: EnvironmentContext): number {
    return this.state.cash.balance(agentId, context);
  }

  tools(agent: AgentRuntime, _context: EnvironmentContext): ToolDefinition[] {
    if (!this.state.traders.has(agent.spec.id)) return [];
    const open = openQuestions(this.state);
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
      maximum: this.state.definition.max_shares_per_trade,
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
    if (!this.state.traders.has(id)) return emptyOutcome(false, `${id} may not trade on ${this.name}`);
    const tool = this.tools(agent, context).find((candidate) => candidate.name === call.tool);
    if (!tool) return emptyOutcome(false, `${this.name} offers no tool "${call.tool}" now`);
    const problems = validateToolArguments(tool, call.arguments, () => false);
    if (problems.length > 0) return emptyOutcome(false, problems.join('; '));
    const question = this.state.questions.get(String(call.arguments.question));
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
    const liquidity = this.state.definition.liquidity;
    const shares =
      sharesArgument ?? lmsrSharesForAmount(question.quantities, liquidity, outcome, amount as number);
    if (!(shares > 0)) return emptyOutcome(false, `${call.tool}: shares must be above 0`);
    if (shares > this.state.definition.max_shares_per_trade)
      return emptyOutcome(
        false,
        `${call.tool}: at most ${this.state.definition.max_shares_per_trade} shares per trade`,
      );
    const held = this.state.holdings.get(id)?.get(question.id) ?? question.outcomes.map(() => 0);
    const cash = this.cashOf(id, context);
    const cost = lmsrTradeCost(question.quantities, liquidity, outcome, selling ? -shares : shares);
    if (selling && (held[outcome] ?? 0) < shares - tolerance)
      return emptyOutcome(
        false,
        `cannot sell ${round(shares)} ${outcomeName}: you hold ${round(held[outcome] ?? 0)}`,
      );
    if (!selling && cash - cost < this.state.cash.floor(id, context) - tolerance)
      return emptyOutcome(false, `not enough cash: ${round(cost, 2)} needed, ${round(cash, 2)} available`);
    question.quantities[outcome] = (question.quantities[outcome] ?? 0) + (selling ? -shares : shares);
    held[outcome] = Math.max((held[outcome] ?? 0) + (selling ? -shares : shares), 0);
    const byQuestion = this.state.holdings.get(id) ?? new Map<string, number[]>();
    byQuestion.set(question.id, held);
    this.state.holdings.set(id, byQuestion);
    const writes: EnvironmentWrites = { changes: [], hits: [] };
    this.state.cash.set(id, cash - cost, context, writes);
    this.state.totals.trades += 1;
    this.state.totals.volume += shares;
    this.state.totals.turnover += Math.abs(cost);
    this.state.interactions.push({
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

  /** Trades a rule agent could make here; see {@link marketRuleCandidates}. Nothing changes. */
  ruleCandidates(
    agent: AgentRuntime,
    observation: Observation,
    context: EnvironmentContext,
    _random: Random,
  ): RuleCandidate[] {
    return marketRuleCandidates(this.state, agent, observation, context);
  }

  /** Prices and, for traders, cash and holdings. Non-members get an empty view. */
  observe(agent: AgentRuntime, context: EnvironmentContext): Record<string, unknown> {
    const id = agent.spec.id;
    if (!this.state.memberSet.has(id)) return {};
    const trader = this.state.traders.has(id);
    const view: MarketView = {
      canTrade: trader,
      ...(trader ? { cash: round(this.cashOf(id, context), 2) } : {}),
      questions: [...this.state.questions.values()].map((question) => {
        const prices = lmsrPrices(question.quantities, this.state.definition.liquidity);
        const held = this.state.holdings.get(id)?.get(question.id);
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
    for (const question of openQuestions(this.state)) {
      const prices = lmsrPrices(question.quantities, this.state.definition.liquidity);
      let moved = 0;
      if (question.outcomes.length > 2) {
        for (let index = 1; index < prices.length; index++) {
          const change = Math.abs((prices[index] ?? 0) - (question.pricesAtTick[index] ?? 0));
          if (change > Math.abs((prices[moved] ?? 0) - (question.pricesAtTick[moved] ?? 0))) moved = index;
        }
      }
      const change = (prices[moved] ?? 0) - (question.pricesAtTick[moved] ?? 0);
      question.pricesAtTick = prices;
      if (Math.abs(change) < this.state.definition.price_move_threshold) continue;
      const outcome = question.outcomes[moved] as string;
      const direction = change > 0 ? 'up' : 'down';
      const percent = Math.round((prices[moved] ?? 0) * 100);
      const subject = question.outcomes.length > 2 ? `${question.text}: ${outcome}` : question.text;
      this.state.events.push({
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
    const question = this.state.questions.get(questionId);
    const index = question?.outcomes.indexOf(outcome) ?? -1;
    if (!question || index < 0 || question.resolved !== undefined) return undefined;
    question.resolved = outcome;
    const writes: EnvironmentWrites = { changes: [], hits: [] };
    for (const member of this.members) {
      const held = this.state.holdings.get(member)?.get(questionId)?.[index] ?? 0;
      if (held > 0) this.state.cash.set(member, this.cashOf(member, context) + held, context, writes);
    }
    this.state.events.push({
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
    const events = this.state.events;
    this.state.events = [];
    return events;
  }

  /** Trades (agent → this market) since the last call. */
  publishInteractions(): AgentInteraction[] {
    const interactions = this.state.interactions;
    this.state.interactions = [];
    return interactions;
  }

  /** `trades`, `volume` (shares), `turnover` (cash), and `price.<question>.<outcome>` for each outcome. */
  metrics(): Record<string, number> {
    const values: Record<string, number> = { ...this.state.totals };
    for (const question of this.state.questions.values()) {
      const prices = lmsrPrices(question.quantities, this.state.definition.liquidity);
      question.outcomes.forEach((outcome, index) => {
        values[`price.${question.id}.${outcome}`] = prices[index] ?? 0;
      });
    }
    return values;
  }
}
