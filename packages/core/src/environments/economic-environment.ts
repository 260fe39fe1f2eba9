import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import type { Random } from '../random';
import type { EnvironmentWrites } from './cash-ledger';
import { economicTools, executeEconomicCall } from './economic-actions';
import { economicRuleCandidates } from './economic-rule-candidates';
import {
  addInventory,
  type Contract,
  type ContractStatus,
  createEconomyState,
  type EconomyState,
  inventoryOf,
  openOffersTo,
  round,
  tolerance,
} from './economic-state';
import type { ActionOutcome, Environment, EnvironmentContext, RuleCandidate } from './environment';
import type {
  AgentInteraction,
  BridgeEvent,
  EconomicEnvironmentDefinition,
  EnvironmentSetup,
} from './environment-schemas';
import type { ToolCallRequest, ToolDefinition } from './tool';

/** Most offers and contracts shown in one observation. */
const listedContracts = 10;

/** What a member observes of an economy. */
export interface EconomicView extends Record<string, unknown> {
  cash: number;
  inventory: Record<string, number>;
  prices: Record<string, number>;
  production: Record<string, number>;
  consumption: Record<string, number>;
  /** Open offers made to this agent, which it may accept. */
  offers: Contract[];
  /** This agent's accepted contracts not yet due. */
  contracts: Contract[];
  /** Contracts this agent has defaulted on. */
  defaults: number;
}

/**
 * An economy (seed 003's economic environment). Every member has cash (a budget, in the
 * environment's ledger or an agent variable) and an inventory of goods. At each tick, in order:
 *
 * 1. members produce their role's `production` (`*` applies to every role);
 * 2. contracts due now settle — the seller must hold the goods and the buyer the cash, or the
 *    contract defaults (the seller is blamed first), publishing `contract-defaulted`; offers nobody
 *    accepted by their due step expire;
 * 3. members consume their role's `consumption`; what they lack is a shortage and counts as demand;
 * 4. each price moves with excess demand, p ← p·(1 + rate·(D − S) / max(D + S, 1)), clamped to
 *    [min_price, max_price], where D is units bought on the spot market plus shortages and S units
 *    sold; a change of at least `price_change_threshold` publishes `price-change`.
 *
 * Tools: `<name>_buy` / `<name>_sell` (spot trades at the current price against the market),
 * `<name>_offer_contract` (to an `agent`: side, good, quantity, unit price, due step) and
 * `<name>_accept_contract` (an open offer made to you). {@link tick} returns the cash writes it made;
 * the engine should emit them like any other state change.
 */
export class EconomicEnvironment implements Environment {
  readonly name: string;
  readonly members: readonly string[];
  /** Prices, inventories, cash, contracts and what is not yet published, shared with the parts. */
  private readonly state: EconomyState;

  constructor(definition: EconomicEnvironmentDefinition, setup: EnvironmentSetup) {
    this.name = definition.name;
    this.members = setup.members;
    this.state = createEconomyState(definition, setup);
  }

  /** Whether the agent takes part in this economy. */
  isMember(agentId: string): boolean {
    return this.state.memberSet.has(agentId);
  }

  /** The current price of a good; undefined for unknown goods. */
  price(good: string): number | undefined {
    return this.state.prices.get(good);
  }

  /** Units of a good an agent holds. */
  inventoryOf(agentId: string, good: string): number {
    return inventoryOf(this.state, agentId, good);
  }

  /** An agent's cash. */
  cashOf(agentId: string, context: EnvironmentContext): number {
    return this.state.cash.balance(agentId, context);
  }

  /** Every contract so far, in the order offered. */
  contractList(): readonly Contract[] {
    return this.state.contracts;
  }

  tools(agent: AgentRuntime, context: EnvironmentContext): ToolDefinition[] {
    return economicTools(this.state, agent, context);
  }

  execute(agent: AgentRuntime, call: ToolCallRequest, context: EnvironmentContext): ActionOutcome {
    return executeEconomicCall(this.state, agent, call, context);
  }

  /** Moves a rule agent could make here; see {@link economicRuleCandidates}. Nothing changes. */
  ruleCandidates(
    agent: AgentRuntime,
    observation: Observation,
    context: EnvironmentContext,
    _random: Random,
  ): RuleCandidate[] {
    return economicRuleCandidates(this.state, agent, observation, context);
  }

  /** Cash, inventory, prices, production, open offers to the agent and its contracts. Non-members get an empty view. */
  observe(agent: AgentRuntime, context: EnvironmentContext): Record<string, unknown> {
    const id = agent.spec.id;
    if (!this.state.memberSet.has(id)) return {};
    const view: EconomicView = {
      cash: round(this.state.cash.balance(id, context)),
      inventory: Object.fromEntries(
        this.state.goods.map((good) => [good, round(this.inventoryOf(id, good))]),
      ),
      prices: Object.fromEntries(
        this.state.goods.map((good) => [good, round(this.state.prices.get(good) ?? 0)]),
      ),
      production: this.state.production.get(id) ?? {},
      consumption: this.state.consumption.get(id) ?? {},
      offers: openOffersTo(this.state, id, context.step).slice(-listedContracts),
      contracts: this.state.contracts
        .filter(
          (contract) => contract.status === 'accepted' && (contract.seller === id || contract.buyer === id),
        )
        .slice(0, listedContracts),
      defaults: this.state.defaults.get(id) ?? 0,
    };
    return view;
  }

  /** Production, settlement, consumption and price adjustment (see the class comment). */
  tick(context: EnvironmentContext): EnvironmentWrites {
    const writes: EnvironmentWrites = { changes: [], hits: [] };
    for (const member of this.members) {
      for (const [good, amount] of Object.entries(this.state.production.get(member) ?? {})) {
        addInventory(this.state, member, good, amount);
        this.state.totals.produced += amount;
      }
    }
    for (const contract of this.state.contracts) {
      if (contract.dueStep > context.step) continue;
      if (contract.status === 'offered') contract.status = 'expired';
      else if (contract.status === 'accepted') this.settle(contract, context, writes);
    }
    for (const member of this.members) {
      for (const [good, need] of Object.entries(this.state.consumption.get(member) ?? {})) {
        const used = Math.min(need, this.inventoryOf(member, good));
        addInventory(this.state, member, good, -used);
        const shortage = need - used;
        if (shortage > tolerance) {
          this.state.totals.shortage += shortage;
          this.state.demand.set(good, (this.state.demand.get(good) ?? 0) + shortage);
        }
      }
    }
    this.adjustPrices(context.step);
    return writes;
  }

  private settle(contract: Contract, context: EnvironmentContext, writes: EnvironmentWrites): void {
    const total = contract.quantity * contract.price;
    const goodsShort = this.inventoryOf(contract.seller, contract.good) < contract.quantity - tolerance;
    const buyerCash = this.state.cash.balance(contract.buyer, context);
    const cashShort = buyerCash - total < this.state.cash.floor(contract.buyer, context) - tolerance;
    if (!goodsShort && !cashShort) {
      addInventory(this.state, contract.seller, contract.good, -contract.quantity);
      addInventory(this.state, contract.buyer, contract.good, contract.quantity);
      this.state.cash.set(contract.buyer, buyerCash - total, context, writes);
      this.state.cash.set(
        contract.seller,
        this.state.cash.balance(contract.seller, context) + total,
        context,
        writes,
      );
      contract.status = 'settled';
      this.state.interactions.push({
        step: context.step,
        from: contract.seller,
        to: contract.buyer,
        kind: 'contract-settled',
        environment: this.name,
        amount: total,
      });
      return;
    }
    const defaulter = goodsShort ? contract.seller : contract.buyer;
    const other = defaulter === contract.seller ? contract.buyer : contract.seller;
    contract.status = 'defaulted';
    contract.defaulter = defaulter;
    contract.reason = goodsShort
      ? `lacked ${contract.quantity} ${contract.good}`
      : `lacked ${round(total)} cash`;
    this.state.defaults.set(defaulter, (this.state.defaults.get(defaulter) ?? 0) + 1);
    this.state.interactions.push({
      step: context.step,
      from: defaulter,
      to: other,
      kind: 'contract-default',
      environment: this.name,
      amount: total,
    });
    const nameOf = (agentId: string) => context.agents.get(agentId)?.spec.name ?? agentId;
    this.state.events.push({
      source: this.name,
      type: 'contract-defaulted',
      text: `${nameOf(defaulter)} defaulted on ${contract.quantity} ${contract.good} with ${nameOf(other)} (${contract.reason})`,
      step: context.step,
      data: {
        contract: contract.id,
        defaulter,
        counterparty: other,
        good: contract.good,
        quantity: contract.quantity,
        price: contract.price,
      },
    });
  }

  private adjustPrices(step: number): void {
    for (const good of this.state.goods) {
      const demand = this.state.demand.get(good) ?? 0;
      const supply = this.state.supply.get(good) ?? 0;
      if (demand + supply <= 0) continue;
      const before = this.state.prices.get(good) as number;
      const bounds = this.state.bounds.get(good) as { min: number; max: number };
      const pressure = (demand - supply) / Math.max(demand + supply, 1);
      const adjusted = before * (1 + this.state.definition.price_adjustment * pressure);
      const after = Math.min(Math.max(adjusted, bounds.min), bounds.max);
      this.state.prices.set(good, after);
      const change = after / before - 1;
      if (Math.abs(change) < this.state.definition.price_change_threshold) continue;
      this.state.events.push({
        source: this.name,
        type: 'price-change',
        text: `${good} price ${change > 0 ? 'up' : 'down'} ${Math.round(Math.abs(change) * 100)}% to ${round(after)}`,
        step,
        data: { good, price: round(after, 4), change: round(change, 4), demand, supply },
      });
    }
    this.state.demand = new Map();
    this.state.supply = new Map();
  }

  /** Bridge events since the last call (each is returned once). */
  publishEvents(): BridgeEvent[] {
    const events = this.state.events;
    this.state.events = [];
    return events;
  }

  /** Contract offers, acceptances, settlements and defaults since the last call. */
  publishInteractions(): AgentInteraction[] {
    const interactions = this.state.interactions;
    this.state.interactions = [];
    return interactions;
  }

  /**
   * `price.<good>`, `inventory.<good>` (all members), `trades`, `produced`, `shortage` (cumulative
   * units) and `contracts_<status>` for each status.
   */
  metrics(): Record<string, number> {
    const values: Record<string, number> = { ...this.state.totals };
    for (const good of this.state.goods) {
      values[`price.${good}`] = this.state.prices.get(good) ?? 0;
      let held = 0;
      for (const member of this.members) held += this.inventoryOf(member, good);
      values[`inventory.${good}`] = held;
    }
    const statuses: ContractStatus[] = ['offered', 'accepted', 'settled', 'defaulted', 'expired'];
    for (const status of statuses) values[`contracts_${status}`] = 0;
    for (const contract of this.state.contracts)
      values[`contracts_${contract.status}`] = (values[`contracts_${contract.status}`] ?? 0) + 1;
    return values;
  }
}
