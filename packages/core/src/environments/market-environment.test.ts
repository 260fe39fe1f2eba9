import { describe, expect, it } from 'vitest';
import type { Observation } from '../agents/brain';
import { RunContext } from '../engine/run-context';
import { createRandom } from '../random';
import type { Scenario } from '../scenario/scenario';
import { parseScenario } from '../scenario/scenario-loader';
import type { EnvironmentContext } from './environment';
import { type EnvironmentDefinitionInput, MarketEnvironmentDefinition } from './environment-schemas';
import { lmsrCost, lmsrPrices, lmsrQuantitiesForPrices, lmsrSharesForAmount, lmsrTradeCost } from './lmsr';
import { MarketEnvironment } from './market-environment';

const scenario = parseScenario(`
name: Market test
seed: 5
clock: { steps: 10 }
agent_variables:
  wealth: { type: float, default: 50, min: 0, max: 60 }
agents:
  - { id: ana, role: trader }
  - { id: ben, role: trader }
  - { id: cy, role: watcher }
`);

/** An environment context at step 1, built the way the engine builds it. */
function contextFor(source: Scenario): EnvironmentContext {
  return { ...new RunContext(source).environmentContext(), step: 1 };
}

const questions = [
  { id: 'strike', text: 'Strike ends by May', initial_prices: [0.4, 0.6] },
  { id: 'winner', text: 'Who wins', outcomes: ['red', 'blue', 'green'] },
];

function marketWith(overrides: Partial<EnvironmentDefinitionInput> = {}) {
  const definition = MarketEnvironmentDefinition.parse({
    type: 'market',
    questions,
    traders: ['role:trader'],
    ...overrides,
  });
  const environment = new MarketEnvironment(definition, {
    members: ['ana', 'ben', 'cy'],
    agents: scenario.agents,
    seed: 5,
  });
  const context = contextFor(scenario);
  const act = (id: string, tool: string, args: Record<string, unknown>) =>
    environment.execute(context.agents.get(id)!, { tool, arguments: args }, context);
  return { environment, context, act };
}

describe('LMSR', () => {
  it('prices are a softmax that sums to 1 and starts where asked', () => {
    const quantities = lmsrQuantitiesForPrices([0.2, 0.5, 0.3], 50);
    const prices = lmsrPrices(quantities, 50);
    expect(prices.map((price) => price.toFixed(6))).toEqual(['0.200000', '0.500000', '0.300000']);
    expect(lmsrPrices([300, -10, 5], 7).reduce((sum, price) => sum + price, 0)).toBeCloseTo(1, 12);
  });

  it('cost is path-independent and a round trip is free', () => {
    const start = [0, 0];
    const once = lmsrTradeCost(start, 100, 0, 25);
    const first = lmsrTradeCost(start, 100, 0, 10);
    const second = lmsrTradeCost([10, 0], 100, 0, 15);
    expect(first + second).toBeCloseTo(once, 10);
    expect(lmsrCost([25, 0], 100) - lmsrCost(start, 100)).toBeCloseTo(once, 10);
    expect(lmsrTradeCost([25, 0], 100, 0, -25)).toBeCloseTo(-once, 10);
    const shares = lmsrSharesForAmount(start, 100, 1, 12);
    expect(lmsrTradeCost(start, 100, 1, shares)).toBeCloseTo(12, 9);
  });
});

describe('MarketEnvironment', () => {
  it('moves prices with trades in the right direction, keeping their sum at 1', () => {
    const { environment, act } = marketWith();
    expect(environment.prices('strike')!.yes).toBeCloseTo(0.4, 10);
    const bought = act('ana', 'market_buy', { question: 'strike', outcome: 'yes', shares: 30 });
    expect(bought.ok).toBe(true);
    const afterBuy = environment.prices('strike')!;
    expect(afterBuy.yes).toBeGreaterThan(0.4);
    expect(afterBuy.no).toBeLessThan(0.6);
    expect(afterBuy.yes! + afterBuy.no!).toBeCloseTo(1, 12);
    expect(act('ben', 'market_buy', { question: 'winner', outcome: 'blue', amount: 10 }).ok).toBe(true);
    const winner = environment.prices('winner')!;
    expect(winner.blue).toBeGreaterThan(1 / 3);
    expect(winner.red).toBeCloseTo(winner.green!, 12);
    expect(winner.red! + winner.blue! + winner.green!).toBeCloseTo(1, 12);
    expect(act('ana', 'market_sell', { question: 'strike', outcome: 'yes', shares: 30 }).ok).toBe(true);
    expect(environment.prices('strike')!.yes).toBeCloseTo(0.4, 10);
    expect(environment.holdingsOf('ana', 'strike')).toEqual({ yes: 0, no: 0 });
  });

  it('keeps cash in its ledger: a buy-then-sell round trip costs nothing, overspending is refused', () => {
    const { environment, act, context } = marketWith();
    act('ana', 'market_buy', { question: 'strike', outcome: 'no', amount: 40 });
    expect(environment.cashOf('ana', context)).toBeCloseTo(60, 9);
    const shares = environment.holdingsOf('ana', 'strike').no!;
    const refused = act('ana', 'market_buy', { question: 'strike', outcome: 'no', amount: 70 });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.result).toContain('not enough cash');
    act('ana', 'market_sell', { question: 'strike', outcome: 'no', shares });
    expect(environment.cashOf('ana', context)).toBeCloseTo(100, 9);
  });

  it('reads and writes a cash agent variable through the world, recording clamps', () => {
    const { act, context } = marketWith({ cash: { variable: 'wealth' } });
    const bought = act('ana', 'market_buy', { question: 'strike', outcome: 'yes', amount: 10 });
    expect(bought.changes).toEqual([
      { agentId: 'ana', variable: 'wealth', from: 50, to: expect.closeTo(40, 9) },
    ]);
    context.world.write('wealth', 59, 'ana');
    const sold = act('ana', 'market_sell', { question: 'strike', outcome: 'yes', shares: 20 });
    expect(sold.ok).toBe(true);
    expect(sold.hits).toEqual([
      { agentId: 'ana', variable: 'wealth', attempted: expect.any(Number), clamped: 60, bound: 'max' },
    ]);
    expect(context.world.read('wealth', 'ana')).toBe(60);
  });

  it('refuses bad calls with a reason and offers no tools to non-traders', () => {
    const { environment, act, context } = marketWith();
    const reason = (id: string, tool: string, args: Record<string, unknown>) => {
      const outcome = act(id, tool, args);
      expect(outcome.ok).toBe(false);
      return outcome.result;
    };
    expect(reason('ana', 'market_buy', { question: 'strike', outcome: 'yes' })).toContain('exactly one of');
    expect(
      reason('ana', 'market_buy', { question: 'strike', outcome: 'yes', shares: 1, amount: 1 }),
    ).toContain('exactly one of');
    expect(reason('ana', 'market_buy', { question: 'strike', outcome: 'red', shares: 1 })).toContain(
      'has no outcome "red"',
    );
    expect(reason('ana', 'market_buy', { question: 'moon', outcome: 'yes', shares: 1 })).toContain(
      'not one of',
    );
    expect(reason('ana', 'market_buy', { question: 'strike', outcome: 'yes', shares: 'lots' })).toContain(
      'expected a number',
    );
    expect(reason('ana', 'market_sell', { question: 'strike', outcome: 'yes', shares: 1 })).toContain(
      'you hold 0',
    );
    expect(reason('cy', 'market_buy', { question: 'strike', outcome: 'yes', shares: 1 })).toContain(
      'may not trade',
    );
    expect(environment.tools(context.agents.get('cy')!, context)).toEqual([]);
    expect(environment.observe(context.agents.get('cy')!, context)).toMatchObject({ canTrade: false });
  });

  it('publishes a price-move event when a price moves past the threshold within a step', () => {
    const { environment, act, context } = marketWith({ price_move_threshold: 0.1 });
    act('ana', 'market_buy', { question: 'strike', outcome: 'yes', shares: 5 });
    environment.tick(context);
    expect(environment.publishEvents()).toEqual([]);
    context.step = 2;
    act('ben', 'market_buy', { question: 'strike', outcome: 'yes', amount: 45 });
    environment.tick(context);
    const [event, ...rest] = environment.publishEvents();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ source: 'market', type: 'price-move', step: 2 });
    const percent = Math.round(environment.prices('strike')!.yes! * 100);
    expect(event!.text).toBe(`Strike ends by May moved up to ${percent}%`);
    expect(environment.metrics()).toMatchObject({
      trades: 2,
      'price.strike.yes': environment.prices('strike')!.yes,
    });
  });

  it('pays winning shares on resolution and closes the question', () => {
    const { environment, act, context } = marketWith();
    act('ana', 'market_buy', { question: 'winner', outcome: 'red', shares: 10 });
    const cash = environment.cashOf('ana', context);
    expect(environment.resolve('winner', 'red', context)).toEqual({ changes: [], hits: [] });
    expect(environment.cashOf('ana', context)).toBeCloseTo(cash + 10, 9);
    expect(act('ana', 'market_buy', { question: 'winner', outcome: 'red', shares: 1 }).ok).toBe(false);
    expect(environment.resolve('winner', 'red', context)).toBeUndefined();
  });
});

describe('MarketEnvironment.ruleCandidates', () => {
  const traders = parseScenario(`
name: Rule traders
seed: 5
clock: { steps: 10 }
agents:
  - { id: ana, role: trader, traits: { risk_aversion: 0.2 } }
  - { id: ben, role: trader, traits: { risk_aversion: 0.9 } }
  - { id: cy, role: watcher }
beliefs:
  topics:
    - { name: strike, initial: { mean: 0, spread: 0 } }
`);

  function market(overrides: Partial<EnvironmentDefinitionInput> = {}) {
    const definition = MarketEnvironmentDefinition.parse({
      type: 'market',
      questions: [
        { id: 'strike', text: 'Strike ends by May', initial_prices: [0.3, 0.7] },
        { id: 'winner', text: 'Who wins', outcomes: ['red', 'blue', 'green'] },
      ],
      traders: ['role:trader'],
      liquidity: 50,
      ...overrides,
    });
    const environment = new MarketEnvironment(definition, {
      members: ['ana', 'ben', 'cy'],
      agents: traders.agents,
      seed: 5,
    });
    const run = new RunContext(traders);
    const context: EnvironmentContext = { ...run.environmentContext(), step: 1 };
    /** What `id` would trade, believing `position` on `strike` with `confidence`. */
    const propose = (id: string, position: number, confidence: number, digest: string[] = []) => {
      const agent = context.agents.get(id)!;
      const observation: Observation = {
        ...run.interviewObservation(agent),
        environments: { market: environment.observe(agent, context) },
        beliefs: { strike: { position, confidence } },
        digest,
      };
      return environment.ruleCandidates(agent, observation, context, createRandom(1));
    };
    const apply = (id: string, call: { tool: string; arguments: Record<string, unknown> }) =>
      environment.execute(context.agents.get(id)!, call, context);
    return { environment, context, propose, apply };
  }

  it('buys the outcome its belief says is underpriced, sized by confidence and caution, and the trade moves the price', () => {
    const { environment, propose, apply, context } = market();
    // Position 0.4 → probability 0.7; with confidence 0.8 the estimate is 0.8 × 0.7 + 0.2 × 0.3 = 0.62.
    const [buy] = propose('ana', 0.4, 0.8);
    expect(buy?.call).toMatchObject({
      tool: 'market_buy',
      arguments: { question: 'strike', outcome: 'yes' },
    });
    expect(buy?.note).toContain('worth 62%');
    expect(buy!.score).toBeGreaterThan(0.1);
    const shares = Number(buy!.call.arguments.shares);
    const [cautious] = propose('ben', 0.4, 0.8);
    expect(Number(cautious!.call.arguments.shares)).toBeLessThan(shares);
    const [unsure] = propose('ana', 0.4, 0.3);
    expect(Number(unsure?.call.arguments.shares ?? 0)).toBeLessThan(shares);
    expect(apply('ana', buy!.call).ok).toBe(true);
    expect(environment.prices('strike')!.yes).toBeGreaterThan(0.3);
    // Never past its estimate: the price stays below 0.62 even if it bought alone.
    expect(environment.prices('strike')!.yes).toBeLessThan(0.62);
    expect(environment.cashOf('ana', context)).toBeLessThan(100);
  });

  it('does not trade on a small edge, and non-traders get nothing', () => {
    const { propose } = market();
    // Position -0.4 → 0.3, the price: no edge at all.
    expect(propose('ana', -0.4, 0.9)).toEqual([]);
    expect(propose('cy', 0.9, 0.9)).toEqual([]);
  });

  it('sells held shares when the price rises above its estimate, and buys the other side when it holds none', () => {
    const { environment, propose, apply } = market();
    apply('ana', { tool: 'market_buy', arguments: { question: 'strike', outcome: 'yes', shares: 20 } });
    apply('ben', { tool: 'market_buy', arguments: { question: 'strike', outcome: 'yes', shares: 60 } });
    expect(environment.prices('strike')!.yes).toBeGreaterThan(0.6);
    const proposals = propose('ana', -0.2, 0.9);
    const sell = proposals.find((candidate) => candidate.call.tool === 'market_sell')!;
    expect(sell.call.arguments).toMatchObject({ question: 'strike', outcome: 'yes' });
    expect(Number(sell.call.arguments.shares)).toBeLessThanOrEqual(20);
    expect(proposals.find((candidate) => candidate.call.tool === 'market_buy')?.call.arguments.outcome).toBe(
      'no',
    );
    expect(apply('ana', sell.call).ok).toBe(true);
  });

  it('reads stance tags about the question in its digest as news', () => {
    const { propose } = market();
    const leak = ['[Social] Trending: "#strike +0.90 The union will sign tomorrow" by Sam'];
    // No belief in the question's direction (estimate = price) … until the news.
    expect(propose('ana', -0.4, 0.5)).toEqual([]);
    const [buy] = propose('ana', -0.4, 0.5, leak);
    expect(buy?.call.arguments).toMatchObject({ question: 'strike', outcome: 'yes' });
    expect(buy?.note).toContain('1 news');
    const [sell] = propose('ana', -0.4, 0.5, ['[Social] Trending: "#strike -0.90 Talks collapsed" by Sam']);
    expect(sell?.call.arguments).toMatchObject({ question: 'strike', outcome: 'no' });
    // Tags on other topics are not news about this question.
    expect(propose('ana', -0.4, 0.5, ['[Social] Trending: "#weather +0.90 Sunny" by Sam'])).toEqual([]);
  });

  it('trades a question without a linked belief only on news, and never spends more cash than it has', () => {
    const { propose, apply, environment, context } = market({ cash: 2 });
    const tagged = ['[Social] Trending: "#winner +1.00 Red is certain" by Sam'];
    const buys = propose('ana', -0.4, 0.5, tagged).filter(
      (candidate) => candidate.call.arguments.question === 'winner',
    );
    expect(buys.map((candidate) => candidate.call.arguments.outcome)).toEqual(['red']);
    expect(Number(buys[0]!.call.arguments.shares)).toBeLessThanOrEqual(2 * 0.95);
    expect(apply('ana', buys[0]!.call).ok).toBe(true);
    expect(environment.cashOf('ana', context)).toBeGreaterThan(0);
  });
});
