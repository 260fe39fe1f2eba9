import { CashLedger } from './cash-ledger';
import type {
  AgentInteraction,
  BridgeEvent,
  EnvironmentSetup,
  MarketEnvironmentDefinition,
} from './environment-schemas';
import { resolveAgentSelectors } from './environment-schemas';
import { lmsrPrices, lmsrQuantitiesForPrices } from './lmsr';

/** One market question: its outcomes, the market maker's quantities and the prices at the last tick. */
export interface QuestionState {
  id: string;
  text: string;
  outcomes: string[];
  /** LMSR quantities, one per outcome. */
  quantities: number[];
  pricesAtTick: number[];
  resolved?: string;
}

/**
 * Everything a market environment holds, shared by {@link MarketEnvironment} (the facade: tools,
 * trades, ticks, resolution) and the rule agents' trades (`market-rule-candidates.ts`).
 */
export interface MarketState {
  readonly name: string;
  readonly definition: MarketEnvironmentDefinition;
  readonly members: readonly string[];
  readonly memberSet: ReadonlySet<string>;
  /** Members who may trade (the others only see prices). */
  readonly traders: ReadonlySet<string>;
  /** Questions by id, in the order declared. */
  readonly questions: Map<string, QuestionState>;
  readonly cash: CashLedger;
  /** Shares per agent, question and outcome index. */
  readonly holdings: Map<string, Map<string, number[]>>;
  /** Bridge events not yet published. */
  events: BridgeEvent[];
  /** Interactions not yet published. */
  interactions: AgentInteraction[];
  readonly totals: { trades: number; volume: number; turnover: number };
}

/** A fresh market: every question at its initial prices, nobody holding shares. */
export function createMarketState(
  definition: MarketEnvironmentDefinition,
  setup: EnvironmentSetup,
): MarketState {
  const memberSet = new Set(setup.members);
  const state: MarketState = {
    name: definition.name,
    definition,
    members: setup.members,
    memberSet,
    traders: new Set(
      resolveAgentSelectors(definition.traders, setup.agents).filter((id) => memberSet.has(id)),
    ),
    questions: new Map(),
    cash: new CashLedger(definition.cash),
    holdings: new Map(),
    events: [],
    interactions: [],
    totals: { trades: 0, volume: 0, turnover: 0 },
  };
  for (const question of definition.questions) {
    const prices = question.initial_prices ?? question.outcomes.map(() => 1 / question.outcomes.length);
    const quantities = lmsrQuantitiesForPrices(prices, definition.liquidity);
    state.questions.set(question.id, {
      id: question.id,
      text: question.text,
      outcomes: [...question.outcomes],
      quantities,
      pricesAtTick: lmsrPrices(quantities, definition.liquidity),
    });
  }
  return state;
}

/** The questions not yet resolved, in the order declared. */
export function openQuestions(state: MarketState): QuestionState[] {
  return [...state.questions.values()].filter((question) => question.resolved === undefined);
}
