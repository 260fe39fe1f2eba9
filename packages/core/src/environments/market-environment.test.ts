import { describe, expect, it } from 'vitest';
import { RunContext } from '../engine/run-context';
import type { Scenario } from '../scenario/scenario';
import { parseScenario } from '../scenario/scenario-loader';
import type { EnvironmentContext } from './environment';
import { type EnvironmentDefinitionInput, MarketEnvironmentDefinition } from './environment-schemas';
import {
  lmsrCost,
  lmsrPrices,
  lmsrQuantitiesForPrices,
  lmsrSharesForAmount,
  lmsrTradeCost,
  MarketEnvironment,
} from './market-environment';

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
