import { describe, expect, it } from 'vitest';
import { RunContext } from '../engine/run-context';
import { createRandom } from '../random';
import type { Scenario } from '../scenario/scenario';
import { parseScenario } from '../scenario/scenario-loader';
import { EconomicEnvironment } from './economic-environment';
import type { EnvironmentContext } from './environment';
import { EconomicEnvironmentDefinition, type EnvironmentDefinitionInput } from './environment-schemas';

const scenario = parseScenario(`
name: Economy test
seed: 3
clock: { steps: 10 }
agent_variables:
  money: { type: float, default: 30, min: 0 }
agents:
  - { id: farm, name: Farm, role: farmer }
  - { id: mill, name: Mill, role: miller }
  - { id: town, name: Town, role: consumer }
`);

/** An environment context at step 1, built the way the engine builds it. */
function contextFor(source: Scenario): EnvironmentContext {
  return { ...new RunContext(source).environmentContext(), step: 1 };
}

function economyWith(overrides: Partial<EnvironmentDefinitionInput> = {}) {
  const definition = EconomicEnvironmentDefinition.parse({
    type: 'economic',
    goods: [
      { name: 'grain', base_price: 4 },
      { name: 'flour', base_price: 10 },
    ],
    production: { farmer: { grain: 5 } },
    inventory: { farmer: { grain: 10 } },
    budget: 100,
    ...overrides,
  });
  const environment = new EconomicEnvironment(definition, {
    members: ['farm', 'mill', 'town'],
    agents: scenario.agents,
    seed: 3,
  });
  const context = contextFor(scenario);
  const act = (id: string, tool: string, args: Record<string, unknown>) =>
    environment.execute(context.agents.get(id)!, { tool, arguments: args }, context);
  return { environment, context, act };
}

const offer = { agent: 'mill', side: 'sell', good: 'grain', quantity: 8, price: 5, due_step: 3 };

describe('EconomicEnvironment', () => {
  it('settles an accepted contract on its due step', () => {
    const { environment, context, act } = economyWith();
    expect(act('farm', 'economic_offer_contract', offer).result).toBe(
      'offered c1 to mill: sell 8 grain at 5 due step 3',
    );
    const millTools = environment.tools(context.agents.get('mill')!, context).map((tool) => tool.name);
    expect(millTools).toContain('economic_accept_contract');
    context.step = 2;
    expect(act('mill', 'economic_accept_contract', { contract: 'c1' }).ok).toBe(true);
    environment.tick(context);
    expect(environment.contractList()[0]!.status).toBe('accepted');
    context.step = 3;
    environment.tick(context);
    expect(environment.contractList()[0]!.status).toBe('settled');
    // 10 at start + 5 produced at each of 2 ticks − 8 delivered.
    expect(environment.inventoryOf('farm', 'grain')).toBe(12);
    expect(environment.inventoryOf('mill', 'grain')).toBe(8);
    expect(environment.cashOf('farm', context)).toBe(140);
    expect(environment.cashOf('mill', context)).toBe(60);
    expect(environment.publishInteractions().map(({ from, to, kind }) => `${from}>${to}:${kind}`)).toEqual([
      'farm>mill:contract-offer',
      'mill>farm:contract',
      'farm>mill:contract-settled',
    ]);
  });

  it('records a default when the seller lacks the goods or the buyer the cash', () => {
    const { environment, context, act } = economyWith({ production: {}, budget: { variable: 'money' } });
    act('farm', 'economic_offer_contract', { ...offer, quantity: 20 });
    act('town', 'economic_offer_contract', { ...offer, agent: 'farm', side: 'buy', quantity: 2, price: 40 });
    act('mill', 'economic_offer_contract', { ...offer, agent: 'town', due_step: 2 });
    act('mill', 'economic_accept_contract', { contract: 'c1' });
    act('farm', 'economic_accept_contract', { contract: 'c2' });
    context.step = 3;
    const writes = environment.tick(context);
    expect(environment.contractList().map((contract) => [contract.status, contract.defaulter])).toEqual([
      ['defaulted', 'farm'],
      ['defaulted', 'town'],
      ['expired', undefined],
    ]);
    expect(writes.changes).toEqual([]);
    const events = environment.publishEvents();
    expect(events.map((event) => event.type)).toEqual(['contract-defaulted', 'contract-defaulted']);
    expect(events[0]!.text).toBe('Farm defaulted on 20 grain with Mill (lacked 20 grain)');
    expect(events[1]!.text).toBe('Town defaulted on 2 grain with Farm (lacked 80 cash)');
    expect(environment.observe(context.agents.get('farm')!, context)).toMatchObject({ defaults: 1 });
    expect(environment.metrics()).toMatchObject({ contracts_defaulted: 2, contracts_expired: 1 });
  });

  it('moves cash held in an agent variable through the world at settlement', () => {
    const { environment, context, act } = economyWith({ budget: { variable: 'money' } });
    act('farm', 'economic_offer_contract', { ...offer, quantity: 2, price: 5 });
    act('mill', 'economic_accept_contract', { contract: 'c1' });
    context.step = 3;
    const writes = environment.tick(context);
    expect(writes.changes).toEqual([
      { agentId: 'mill', variable: 'money', from: 30, to: 20 },
      { agentId: 'farm', variable: 'money', from: 30, to: 40 },
    ]);
  });

  it('produces per role and moves prices with excess demand', () => {
    const { environment, context, act } = economyWith({
      consumption: { consumer: { flour: 3 } },
      price_adjustment: 0.2,
      price_change_threshold: 0.05,
    });
    environment.tick(context);
    expect(environment.inventoryOf('farm', 'grain')).toBe(15);
    expect(environment.inventoryOf('mill', 'grain')).toBe(0);
    // Town lacked 3 flour: demand only, so flour rises by the full rate.
    expect(environment.price('flour')).toBeCloseTo(12, 10);
    expect(environment.price('grain')).toBe(4);
    context.step = 2;
    expect(act('farm', 'economic_sell', { good: 'grain', quantity: 15 }).result).toBe(
      'sold 15 grain at 4 for 60',
    );
    expect(act('town', 'economic_buy', { good: 'grain', quantity: 5 }).ok).toBe(true);
    environment.tick(context);
    expect(environment.price('grain')).toBeCloseTo(4 * (1 + 0.2 * (-10 / 20)), 10);
    const events = environment.publishEvents();
    expect(events.map((event) => event.text)).toEqual([
      'flour price up 20% to 12',
      'grain price down 10% to 3.6',
      'flour price up 20% to 14.4',
    ]);
  });

  it('refuses bad calls without throwing', () => {
    const { environment, context, act } = economyWith();
    const reason = (id: string, tool: string, args: Record<string, unknown>) => {
      const outcome = act(id, tool, args);
      expect(outcome.ok).toBe(false);
      return outcome.result;
    };
    expect(reason('farm', 'economic_offer_contract', { ...offer, due_step: 1 })).toContain(
      'below the minimum 2',
    );
    expect(reason('farm', 'economic_offer_contract', { ...offer, agent: 'farm' })).toContain(
      'not one of mill, town',
    );
    expect(reason('farm', 'economic_offer_contract', { ...offer, good: 'gold' })).toContain('not one of');
    expect(reason('farm', 'economic_offer_contract', { ...offer, quantity: 0 })).toContain('above 0');
    expect(reason('mill', 'economic_accept_contract', { contract: 'c1' })).toContain('offers no tool');
    act('farm', 'economic_offer_contract', offer);
    expect(reason('town', 'economic_accept_contract', { contract: 'c1' })).toContain('offers no tool');
    expect(reason('mill', 'economic_sell', { good: 'grain', quantity: 1 })).toContain('you hold 0');
    expect(reason('mill', 'economic_buy', { good: 'flour', quantity: 11 })).toContain('not enough cash');
    expect(environment.observe(context.agents.get('mill')!, context)).toMatchObject({
      cash: 100,
      offers: [{ id: 'c1', seller: 'farm', buyer: 'mill', quantity: 8 }],
    });
  });
});

describe('EconomicEnvironment.ruleCandidates', () => {
  function economy(budget = 100) {
    const definition = EconomicEnvironmentDefinition.parse({
      type: 'economic',
      goods: [
        { name: 'grain', base_price: 4 },
        { name: 'flour', base_price: 10 },
      ],
      production: { farmer: { grain: 5 } },
      consumption: { miller: { grain: 3 }, consumer: { flour: 1 } },
      inventory: { farmer: { grain: 20 }, miller: { grain: 2 } },
      budget,
    });
    const environment = new EconomicEnvironment(definition, {
      members: ['farm', 'mill', 'town'],
      agents: scenario.agents,
      seed: 3,
    });
    const run = new RunContext(scenario);
    const context = { ...run.environmentContext(), step: 1 };
    const propose = (id: string) => {
      const agent = context.agents.get(id)!;
      return environment.ruleCandidates(agent, run.interviewObservation(agent), context, createRandom(1));
    };
    const apply = (id: string, call: { tool: string; arguments: Record<string, unknown> }) =>
      environment.execute(context.agents.get(id)!, call, context);
    return { environment, context, propose, apply };
  }
  const calls = (candidates: Array<{ call: { tool: string; arguments: Record<string, unknown> } }>) =>
    candidates.map((candidate) => candidate.call);

  it('offers surplus on contract to whoever needs it most, what it lacks, and sells surplus when the price beats its valuation', () => {
    const { propose, apply } = economy();
    const farm = calls(propose('farm'));
    // 20 grain, no use for it: all surplus, valued at 4 × (1 − 0.3) = 2.8 < the price of 4.
    expect(farm).toContainEqual({ tool: 'economic_sell', arguments: { good: 'grain', quantity: 10 } });
    const offer = farm.find((call) => call.tool === 'economic_offer_contract')!;
    expect(offer.arguments).toEqual({
      agent: 'mill',
      side: 'sell',
      good: 'grain',
      quantity: 7,
      price: 4,
      due_step: 3,
    });
    expect(apply('farm', offer).ok).toBe(true);
    // One open offer per good at a time.
    expect(calls(propose('farm')).map((call) => call.tool)).not.toContain('economic_offer_contract');
  });

  it('buys what it lacks within its cash and accepts an offer below its valuation', () => {
    const { propose, apply, environment } = economy();
    // The mill holds 2 grain and wants 3 steps × 3: it buys the 7 missing at 4.
    expect(calls(propose('mill'))).toContainEqual({
      tool: 'economic_buy',
      arguments: { good: 'grain', quantity: 7 },
    });
    apply('farm', {
      tool: 'economic_offer_contract',
      arguments: { agent: 'mill', side: 'sell', good: 'grain', quantity: 5, price: 5, due_step: 3 },
    });
    apply('farm', {
      tool: 'economic_offer_contract',
      arguments: { agent: 'mill', side: 'sell', good: 'flour', quantity: 1, price: 30, due_step: 3 },
    });
    const accepts = propose('mill').filter((candidate) => candidate.call.tool === 'economic_accept_contract');
    // Grain at 5 is below its valuation 4 × (1 + 0.5 × 7 / 9) ≈ 5.56; flour it does not need at 30 is not.
    expect(accepts.map((candidate) => candidate.call.arguments.contract)).toEqual(['c1']);
    expect(accepts[0]!.note).toContain('worth 5.56');
    expect(apply('mill', accepts[0]!.call).ok).toBe(true);
    // The town, with no flour, buys it; nobody proposes anything for goods it neither makes nor uses.
    expect(calls(propose('town'))).toEqual([
      { tool: 'economic_buy', arguments: { good: 'flour', quantity: 3 } },
    ]);
    expect(environment.contractList().map((contract) => contract.status)).toEqual(['accepted', 'offered']);
  });

  it('never proposes to spend more cash than it has', () => {
    const { propose, apply, environment, context } = economy(10);
    const [buy] = calls(propose('mill')).filter((call) => call.tool === 'economic_buy');
    expect(buy).toEqual({ tool: 'economic_buy', arguments: { good: 'grain', quantity: 2 } });
    expect(apply('mill', buy!).ok).toBe(true);
    // 2 left buys half a unit; then nothing.
    const [rest] = calls(propose('mill')).filter((call) => call.tool === 'economic_buy');
    expect(rest).toEqual({ tool: 'economic_buy', arguments: { good: 'grain', quantity: 0.5 } });
    expect(apply('mill', rest!).ok).toBe(true);
    expect(environment.cashOf('mill', context)).toBeCloseTo(0, 9);
    expect(calls(propose('mill')).filter((call) => call.tool === 'economic_buy')).toEqual([]);
  });
});
