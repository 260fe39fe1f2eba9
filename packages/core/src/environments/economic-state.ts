import { CashLedger } from './cash-ledger';
import type {
  AgentInteraction,
  BridgeEvent,
  EconomicEnvironmentDefinition,
  EnvironmentSetup,
} from './environment-schemas';

/** Quantities below this are rounding, not shortfalls. */
export const tolerance = 1e-9;

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

/** A value rounded to `digits` decimals (2 unless told). */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function amountsFor(role: string, byRole: Record<string, Record<string, number>>): Record<string, number> {
  const amounts: Record<string, number> = {};
  for (const source of [byRole['*'], byRole[role]])
    for (const [good, amount] of Object.entries(source ?? {})) amounts[good] = (amounts[good] ?? 0) + amount;
  return amounts;
}

/**
 * Everything an economic environment holds, shared by {@link EconomicEnvironment} (the facade:
 * views, ticks, settlement, prices), its actions (`economic-actions.ts`) and the rule agents' moves
 * (`economic-rule-candidates.ts`).
 */
export interface EconomyState {
  readonly name: string;
  readonly definition: EconomicEnvironmentDefinition;
  readonly members: readonly string[];
  readonly memberSet: ReadonlySet<string>;
  /** Good names, in the order declared. */
  readonly goods: string[];
  /** Price bounds per good. */
  readonly bounds: Map<string, { min: number; max: number }>;
  /** Current price per good. */
  readonly prices: Map<string, number>;
  readonly inventories: Map<string, Map<string, number>>;
  /** Units each member produces per step, by good. */
  readonly production: Map<string, Record<string, number>>;
  /** Units each member consumes per step, by good. */
  readonly consumption: Map<string, Record<string, number>>;
  readonly cash: CashLedger;
  /** Every contract so far, in the order offered. */
  readonly contracts: Contract[];
  /** Defaults per member. */
  readonly defaults: Map<string, number>;
  /** Units demanded per good since the last price adjustment (spot buys and shortages). */
  demand: Map<string, number>;
  /** Units sold on the spot market per good since the last price adjustment. */
  supply: Map<string, number>;
  /** Bridge events not yet published. */
  events: BridgeEvent[];
  /** Interactions not yet published. */
  interactions: AgentInteraction[];
  readonly totals: { trades: number; produced: number; shortage: number };
}

/** A fresh economy: base prices, each member's role amounts and starting inventory. */
export function createEconomyState(
  definition: EconomicEnvironmentDefinition,
  setup: EnvironmentSetup,
): EconomyState {
  const state: EconomyState = {
    name: definition.name,
    definition,
    members: setup.members,
    memberSet: new Set(setup.members),
    goods: definition.goods.map((good) => good.name),
    bounds: new Map(),
    prices: new Map(),
    inventories: new Map(),
    production: new Map(),
    consumption: new Map(),
    cash: new CashLedger(definition.budget),
    contracts: [],
    defaults: new Map(),
    demand: new Map(),
    supply: new Map(),
    events: [],
    interactions: [],
    totals: { trades: 0, produced: 0, shortage: 0 },
  };
  for (const good of definition.goods) {
    state.prices.set(good.name, good.base_price);
    state.bounds.set(good.name, {
      min: good.min_price ?? good.base_price / 10,
      max: good.max_price ?? good.base_price * 10,
    });
  }
  const roles = new Map(setup.agents.map((agent) => [agent.id, agent.role]));
  for (const member of state.members) {
    const role = roles.get(member) ?? '';
    state.production.set(member, amountsFor(role, definition.production));
    state.consumption.set(member, amountsFor(role, definition.consumption));
    state.inventories.set(member, new Map(Object.entries(amountsFor(role, definition.inventory))));
  }
  return state;
}

/** Units of a good an agent holds. */
export function inventoryOf(state: EconomyState, agentId: string, good: string): number {
  return state.inventories.get(agentId)?.get(good) ?? 0;
}

/** Adds (or, negative, removes) units of a good; an inventory never goes below 0. */
export function addInventory(state: EconomyState, agentId: string, good: string, amount: number): void {
  const inventory = state.inventories.get(agentId) ?? new Map<string, number>();
  inventory.set(good, Math.max((inventory.get(good) ?? 0) + amount, 0));
  state.inventories.set(agentId, inventory);
}

/** Offers made to an agent that it may still accept at `step`. */
export function openOffersTo(state: EconomyState, agentId: string, step: number): Contract[] {
  return state.contracts.filter(
    (contract) =>
      contract.status === 'offered' && contract.counterparty === agentId && contract.dueStep >= step,
  );
}
