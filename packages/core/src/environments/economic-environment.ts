import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import { ruleTraitDefaults } from '../agents/rule-brain';
import type { Random } from '../random';
import { CashLedger, type EnvironmentWrites } from './cash-ledger';
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
  EconomicEnvironmentDefinition,
  EnvironmentSetup,
} from './environment-schemas';
import { type ToolCallRequest, type ToolDefinition, validateToolArguments } from './tool';

/** Quantities below this are rounding, not shortfalls. */
const tolerance = 1e-9;
/** Worlds up to this many members list every other member in the offer tool's enum. */
const enumeratedMembersLimit = 50;
/** Most offers and contracts shown in one observation. */
const listedContracts = 10;

/** Where a contract is in its life. */
export type ContractStatus = 'offered' | 'accepted' | 'settled' | 'defaulted' | 'expired';

/** A delivery contract between two members: `seller` delivers `quantity` of `good` to `buyer` for `price` each. */
export interface Contract {
  id: string;
  proposer: string;
  counterparty: string;
  seller: string;
  buyer: string;
  good: string;
  quantity: number;
  /** Price per unit. */
  price: number;
  offeredStep: number;
  dueStep: number;
  status: ContractStatus;
  /** Who failed, for defaulted contracts. */
  defaulter?: string;
  reason?: string;
}

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

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** How rule agents trade goods; see {@link EconomicEnvironment.ruleCandidates}. */
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

function amountsFor(role: string, byRole: Record<string, Record<string, number>>): Record<string, number> {
  const amounts: Record<string, number> = {};
  for (const source of [byRole['*'], byRole[role]])
    for (const [good, amount] of Object.entries(source ?? {})) amounts[good] = (amounts[good] ?? 0) + amount;
  return amounts;
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
  private readonly memberSet: ReadonlySet<string>;
  private readonly goods: string[];
  private readonly bounds = new Map<string, { min: number; max: number }>();
  private readonly prices = new Map<string, number>();
  private readonly inventories = new Map<string, Map<string, number>>();
  private readonly production = new Map<string, Record<string, number>>();
  private readonly consumption = new Map<string, Record<string, number>>();
  private readonly cash: CashLedger;
  private readonly contracts: Contract[] = [];
  private readonly defaults = new Map<string, number>();
  private demand = new Map<string, number>();
  private supply = new Map<string, number>();
  private events: BridgeEvent[] = [];
  private interactions: AgentInteraction[] = [];
  private readonly totals = { trades: 0, produced: 0, shortage: 0 };

  constructor(
    private readonly definition: EconomicEnvironmentDefinition,
    setup: EnvironmentSetup,
  ) {
    this.name = definition.name;
    this.members = setup.members;
    this.memberSet = new Set(setup.members);
    this.cash = new CashLedger(definition.budget);
    this.goods = definition.goods.map((good) => good.name);
    for (const good of definition.goods) {
      this.prices.set(good.name, good.base_price);
      this.bounds.set(good.name, {
        min: good.min_price ?? good.base_price / 10,
        max: good.max_price ?? good.base_price * 10,
      });
    }
    const roles = new Map(setup.agents.map((agent) => [agent.id, agent.role]));
    for (const member of this.members) {
      const role = roles.get(member) ?? '';
      this.production.set(member, amountsFor(role, definition.production));
      this.consumption.set(member, amountsFor(role, definition.consumption));
      this.inventories.set(member, new Map(Object.entries(amountsFor(role, definition.inventory))));
    }
  }

  /** Whether the agent takes part in this economy. */
  isMember(agentId: string): boolean {
    return this.memberSet.has(agentId);
  }

  /** The current price of a good; undefined for unknown goods. */
  price(good: string): number | undefined {
    return this.prices.get(good);
  }

  /** Units of a good an agent holds. */
  inventoryOf(agentId: string, good: string): number {
    return this.inventories.get(agentId)?.get(good) ?? 0;
  }

  /** An agent's cash. */
  cashOf(agentId: string, context: EnvironmentContext): number {
    return this.cash.balance(agentId, context);
  }

  /** Every contract so far, in the order offered. */
  contractList(): readonly Contract[] {
    return this.contracts;
  }

  private addInventory(agentId: string, good: string, amount: number): void {
    const inventory = this.inventories.get(agentId) ?? new Map<string, number>();
    inventory.set(good, Math.max((inventory.get(good) ?? 0) + amount, 0));
    this.inventories.set(agentId, inventory);
  }

  private openOffersTo(agentId: string, step: number): Contract[] {
    return this.contracts.filter(
      (contract) =>
        contract.status === 'offered' && contract.counterparty === agentId && contract.dueStep >= step,
    );
  }

  tools(agent: AgentRuntime, context: EnvironmentContext): ToolDefinition[] {
    const id = agent.spec.id;
    if (!this.memberSet.has(id)) return [];
    const good = { type: 'string', enum: this.goods, description: 'Good' };
    const quantity = { type: 'number', minimum: 0, description: 'Units' };
    const others =
      this.members.length <= enumeratedMembersLimit
        ? this.members.filter((other) => other !== id)
        : undefined;
    const tool = (
      verb: string,
      description: string,
      properties: Record<string, Record<string, unknown>>,
      required: string[],
    ): ToolDefinition => ({
      name: `${this.name}_${verb}`,
      description,
      environment: this.name,
      parameters: { type: 'object', properties, required, additionalProperties: false },
    });
    const tools = [
      tool('buy', 'Buy units of a good on the market at the current price.', { good, quantity }, [
        'good',
        'quantity',
      ]),
      tool('sell', 'Sell units of a good you hold on the market at the current price.', { good, quantity }, [
        'good',
        'quantity',
      ]),
      tool(
        'offer_contract',
        'Offer another agent a delivery contract, settled on the due step: goods for cash.',
        {
          agent: {
            type: 'string',
            description: 'Counterparty id',
            'x-sandtable-agent': true,
            ...(others && others.length > 0 ? { enum: others } : {}),
          },
          side: { type: 'string', enum: ['sell', 'buy'], description: 'Whether you sell or buy the goods' },
          good,
          quantity,
          price: { type: 'number', minimum: 0, description: 'Price per unit' },
          due_step: {
            type: 'integer',
            minimum: context.step + 1,
            maximum: context.step + this.definition.max_contract_steps,
            description: 'Step on which goods and cash change hands',
          },
        },
        ['agent', 'side', 'good', 'quantity', 'price', 'due_step'],
      ),
    ];
    const offers = this.openOffersTo(id, context.step);
    if (offers.length > 0) {
      tools.push(
        tool(
          'accept_contract',
          'Accept a contract another agent offered you.',
          { contract: { type: 'string', enum: offers.map((offer) => offer.id), description: 'Contract id' } },
          ['contract'],
        ),
      );
    }
    return tools;
  }

  execute(agent: AgentRuntime, call: ToolCallRequest, context: EnvironmentContext): ActionOutcome {
    const id = agent.spec.id;
    if (!this.memberSet.has(id)) return emptyOutcome(false, `${id} is not a member of ${this.name}`);
    const tool = this.tools(agent, context).find((candidate) => candidate.name === call.tool);
    if (!tool) return emptyOutcome(false, `${this.name} offers no tool "${call.tool}" to ${id} now`);
    const problems = validateToolArguments(tool, call.arguments, (other) => {
      const runtime = context.agents.get(other);
      return this.memberSet.has(other) && runtime !== undefined && runtime.status !== 'terminated';
    });
    if (problems.length > 0) return emptyOutcome(false, problems.join('; '));
    const args = call.arguments;
    const verb = call.tool.slice(this.name.length + 1);
    switch (verb) {
      case 'buy':
      case 'sell':
        return this.trade(id, verb, String(args.good), Number(args.quantity), context);
      case 'offer_contract': {
        const counterparty = String(args.agent);
        if (counterparty === id) return emptyOutcome(false, 'cannot offer a contract to yourself');
        const quantity = Number(args.quantity);
        if (!(quantity > 0)) return emptyOutcome(false, `${call.tool}: quantity must be above 0`);
        const selling = args.side === 'sell';
        const contract: Contract = {
          id: `c${this.contracts.length + 1}`,
          proposer: id,
          counterparty,
          seller: selling ? id : counterparty,
          buyer: selling ? counterparty : id,
          good: String(args.good),
          quantity,
          price: Number(args.price),
          offeredStep: context.step,
          dueStep: Number(args.due_step),
          status: 'offered',
        };
        this.contracts.push(contract);
        this.interactions.push({
          step: context.step,
          from: id,
          to: counterparty,
          kind: 'contract-offer',
          environment: this.name,
          amount: quantity * contract.price,
        });
        return emptyOutcome(
          true,
          `offered ${contract.id} to ${counterparty}: ${args.side} ${quantity} ${contract.good} at ${contract.price} due step ${contract.dueStep}`,
        );
      }
      case 'accept_contract': {
        const contract = this.contracts.find((entry) => entry.id === args.contract);
        if (contract?.status !== 'offered' || contract.counterparty !== id)
          return emptyOutcome(false, `no open offer "${String(args.contract)}" to ${id}`);
        contract.status = 'accepted';
        this.interactions.push({
          step: context.step,
          from: id,
          to: contract.proposer,
          kind: 'contract',
          environment: this.name,
          amount: contract.quantity * contract.price,
        });
        return emptyOutcome(
          true,
          `accepted ${contract.id} from ${contract.proposer}, due step ${contract.dueStep}`,
        );
      }
      default:
        return emptyOutcome(false, `${this.name} has no tool "${call.tool}"`);
    }
  }

  private trade(
    id: string,
    verb: 'buy' | 'sell',
    good: string,
    quantity: number,
    context: EnvironmentContext,
  ): ActionOutcome {
    if (!(quantity > 0)) return emptyOutcome(false, `${this.name}_${verb}: quantity must be above 0`);
    const price = this.prices.get(good) as number;
    const total = price * quantity;
    const cash = this.cash.balance(id, context);
    const writes: EnvironmentWrites = { changes: [], hits: [] };
    if (verb === 'buy') {
      if (cash - total < this.cash.floor(id, context) - tolerance)
        return emptyOutcome(false, `not enough cash: ${round(total)} needed, ${round(cash)} available`);
      this.cash.set(id, cash - total, context, writes);
      this.addInventory(id, good, quantity);
      this.demand.set(good, (this.demand.get(good) ?? 0) + quantity);
    } else {
      const held = this.inventoryOf(id, good);
      if (held < quantity - tolerance)
        return emptyOutcome(false, `cannot sell ${quantity} ${good}: you hold ${round(held)}`);
      this.addInventory(id, good, -quantity);
      this.cash.set(id, cash + total, context, writes);
      this.supply.set(good, (this.supply.get(good) ?? 0) + quantity);
    }
    this.totals.trades += 1;
    return {
      ok: true,
      result: `${verb === 'buy' ? 'bought' : 'sold'} ${quantity} ${good} at ${round(price)} for ${round(total)}`,
      changes: writes.changes,
      hits: writes.hits,
      messages: [],
    };
  }

  /**
   * What one unit of a good is worth to an agent now, from its stock and its role: price × (1 +
   * 0.5 × shortfall) for a consumer holding less than 3 steps of consumption (shortfall = the
   * missing share of that cover), price × (1 − 0.3 × surplus share) for an agent holding more than
   * it needs (surplus share = surplus / stock), else the price.
   */
  private valuation(agentId: string, good: string): { value: number; need: number; surplus: number } {
    const price = this.prices.get(good) ?? 0;
    const stock = this.inventoryOf(agentId, good);
    const consumption = this.consumption.get(agentId)?.[good] ?? 0;
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
   * Moves a rule agent could make here (see {@link Environment.ruleCandidates}); nothing changes.
   * Each good is valued as in {@link valuation}: above its price when the agent is short of it,
   * below when it holds a surplus.
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
  ruleCandidates(
    agent: AgentRuntime,
    _observation: Observation,
    context: EnvironmentContext,
    _random: Random,
  ): RuleCandidate[] {
    const id = agent.spec.id;
    if (!this.memberSet.has(id)) return [];
    const cooperation = agent.spec.traits.cooperation ?? ruleTraitDefaults.cooperation;
    const spendable = Math.max(this.cash.balance(id, context) - this.cash.floor(id, context), 0);
    const candidates: RuleCandidate[] = [];
    for (const offer of this.openOffersTo(id, context.step)) {
      const { value } = this.valuation(id, offer.good);
      if (value <= 0) continue;
      const buying = offer.buyer === id;
      const gain = buying ? (value - offer.price) / value : (offer.price - value) / value;
      if (gain <= 0) continue;
      if (buying && offer.quantity * offer.price > spendable) continue;
      if (!buying) {
        const steps = Math.max(offer.dueStep - context.step, 0);
        const perStep =
          (this.production.get(id)?.[offer.good] ?? 0) - (this.consumption.get(id)?.[offer.good] ?? 0);
        if (this.inventoryOf(id, offer.good) + perStep * steps < offer.quantity) continue;
      }
      candidates.push({
        call: { tool: `${this.name}_accept_contract`, arguments: { contract: offer.id } },
        score: 0.05 + 0.5 * gain,
        note: `accept ${offer.id}: ${buying ? 'buy' : 'sell'} ${offer.quantity} ${offer.good} at ${round(offer.price)}, worth ${round(value)} to me`,
      });
    }
    for (const good of this.goods) {
      const price = this.prices.get(good) ?? 0;
      if (price <= 0) continue;
      const { value, need, surplus } = this.valuation(id, good);
      const stock = this.inventoryOf(id, good);
      if (need > 0) {
        const quantity = units(Math.min(need, spendable / price));
        if (quantity > 0) {
          const wanted = (this.consumption.get(id)?.[good] ?? 0) * economyRules.coverSteps;
          candidates.push({
            call: { tool: `${this.name}_buy`, arguments: { good, quantity } },
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
          call: { tool: `${this.name}_sell`, arguments: { good, quantity } },
          score: 0.03 + (0.5 * (price - value)) / price,
          note: `sell ${quantity} surplus ${good} at ${round(price)}, worth ${round(value)} to me`,
        });
      }
      const pending = this.contracts.some(
        (contract) =>
          contract.status === 'offered' &&
          contract.proposer === id &&
          contract.good === good &&
          contract.dueStep >= context.step,
      );
      const buyer = pending ? undefined : this.neediest(id, good, context);
      // Offer what the buyer lacks, at most the share of the surplus.
      const offered = buyer ? units(Math.min(quantity, this.valuation(buyer, good).need)) : 0;
      if (buyer !== undefined && offered > 0) {
        const unitPrice = round(price * (1.05 - 0.1 * cooperation));
        candidates.push({
          call: {
            tool: `${this.name}_offer_contract`,
            arguments: {
              agent: buyer,
              side: 'sell',
              good,
              quantity: offered,
              price: unitPrice,
              due_step: context.step + Math.min(economyRules.offerLead, this.definition.max_contract_steps),
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
  private neediest(agentId: string, good: string, context: EnvironmentContext): string | undefined {
    let best: string | undefined;
    let bestCover = Number.POSITIVE_INFINITY;
    for (const member of this.members) {
      if (member === agentId) continue;
      const runtime = context.agents.get(member);
      if (!runtime || runtime.status === 'terminated') continue;
      const consumption = this.consumption.get(member)?.[good] ?? 0;
      if (consumption <= 0) continue;
      const cover = this.inventoryOf(member, good) / consumption;
      if (cover < economyRules.coverSteps && cover < bestCover) {
        bestCover = cover;
        best = member;
      }
    }
    return best;
  }

  /** Cash, inventory, prices, production, open offers to the agent and its contracts. Non-members get an empty view. */
  observe(agent: AgentRuntime, context: EnvironmentContext): Record<string, unknown> {
    const id = agent.spec.id;
    if (!this.memberSet.has(id)) return {};
    const view: EconomicView = {
      cash: round(this.cash.balance(id, context)),
      inventory: Object.fromEntries(this.goods.map((good) => [good, round(this.inventoryOf(id, good))])),
      prices: Object.fromEntries(this.goods.map((good) => [good, round(this.prices.get(good) ?? 0)])),
      production: this.production.get(id) ?? {},
      consumption: this.consumption.get(id) ?? {},
      offers: this.openOffersTo(id, context.step).slice(-listedContracts),
      contracts: this.contracts
        .filter(
          (contract) => contract.status === 'accepted' && (contract.seller === id || contract.buyer === id),
        )
        .slice(0, listedContracts),
      defaults: this.defaults.get(id) ?? 0,
    };
    return view;
  }

  /** Production, settlement, consumption and price adjustment (see the class comment). */
  tick(context: EnvironmentContext): EnvironmentWrites {
    const writes: EnvironmentWrites = { changes: [], hits: [] };
    for (const member of this.members) {
      for (const [good, amount] of Object.entries(this.production.get(member) ?? {})) {
        this.addInventory(member, good, amount);
        this.totals.produced += amount;
      }
    }
    for (const contract of this.contracts) {
      if (contract.dueStep > context.step) continue;
      if (contract.status === 'offered') contract.status = 'expired';
      else if (contract.status === 'accepted') this.settle(contract, context, writes);
    }
    for (const member of this.members) {
      for (const [good, need] of Object.entries(this.consumption.get(member) ?? {})) {
        const used = Math.min(need, this.inventoryOf(member, good));
        this.addInventory(member, good, -used);
        const shortage = need - used;
        if (shortage > tolerance) {
          this.totals.shortage += shortage;
          this.demand.set(good, (this.demand.get(good) ?? 0) + shortage);
        }
      }
    }
    this.adjustPrices(context.step);
    return writes;
  }

  private settle(contract: Contract, context: EnvironmentContext, writes: EnvironmentWrites): void {
    const total = contract.quantity * contract.price;
    const goodsShort = this.inventoryOf(contract.seller, contract.good) < contract.quantity - tolerance;
    const buyerCash = this.cash.balance(contract.buyer, context);
    const cashShort = buyerCash - total < this.cash.floor(contract.buyer, context) - tolerance;
    if (!goodsShort && !cashShort) {
      this.addInventory(contract.seller, contract.good, -contract.quantity);
      this.addInventory(contract.buyer, contract.good, contract.quantity);
      this.cash.set(contract.buyer, buyerCash - total, context, writes);
      this.cash.set(contract.seller, this.cash.balance(contract.seller, context) + total, context, writes);
      contract.status = 'settled';
      this.interactions.push({
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
    this.defaults.set(defaulter, (this.defaults.get(defaulter) ?? 0) + 1);
    this.interactions.push({
      step: context.step,
      from: defaulter,
      to: other,
      kind: 'contract-default',
      environment: this.name,
      amount: total,
    });
    const nameOf = (agentId: string) => context.agents.get(agentId)?.spec.name ?? agentId;
    this.events.push({
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
    for (const good of this.goods) {
      const demand = this.demand.get(good) ?? 0;
      const supply = this.supply.get(good) ?? 0;
      if (demand + supply <= 0) continue;
      const before = this.prices.get(good) as number;
      const bounds = this.bounds.get(good) as { min: number; max: number };
      const pressure = (demand - supply) / Math.max(demand + supply, 1);
      const adjusted = before * (1 + this.definition.price_adjustment * pressure);
      const after = Math.min(Math.max(adjusted, bounds.min), bounds.max);
      this.prices.set(good, after);
      const change = after / before - 1;
      if (Math.abs(change) < this.definition.price_change_threshold) continue;
      this.events.push({
        source: this.name,
        type: 'price-change',
        text: `${good} price ${change > 0 ? 'up' : 'down'} ${Math.round(Math.abs(change) * 100)}% to ${round(after)}`,
        step,
        data: { good, price: round(after, 4), change: round(change, 4), demand, supply },
      });
    }
    this.demand = new Map();
    this.supply = new Map();
  }

  /** Bridge events since the last call (each is returned once). */
  publishEvents(): BridgeEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** Contract offers, acceptances, settlements and defaults since the last call. */
  publishInteractions(): AgentInteraction[] {
    const interactions = this.interactions;
    this.interactions = [];
    return interactions;
  }

  /**
   * `price.<good>`, `inventory.<good>` (all members), `trades`, `produced`, `shortage` (cumulative
   * units) and `contracts_<status>` for each status.
   */
  metrics(): Record<string, number> {
    const values: Record<string, number> = { ...this.totals };
    for (const good of this.goods) {
      values[`price.${good}`] = this.prices.get(good) ?? 0;
      let held = 0;
      for (const member of this.members) held += this.inventoryOf(member, good);
      values[`inventory.${good}`] = held;
    }
    const statuses: ContractStatus[] = ['offered', 'accepted', 'settled', 'defaulted', 'expired'];
    for (const status of statuses) values[`contracts_${status}`] = 0;
    for (const contract of this.contracts)
      values[`contracts_${contract.status}`] = (values[`contracts_${contract.status}`] ?? 0) + 1;
    return values;
  }
}
