import type { AgentRuntime } from '../agents/agent-runtime';
import type { EnvironmentWrites } from './cash-ledger';
import {
  addInventory,
  type Contract,
  type EconomyState,
  inventoryOf,
  openOffersTo,
  round,
  tolerance,
} from './economic-state';
import { type ActionOutcome, type EnvironmentContext, emptyOutcome } from './environment';
import { type ToolCallRequest, type ToolDefinition, validateToolArguments } from './tool';

/** Worlds up to this many members list every other member in the offer tool's enum. */
const enumeratedMembersLimit = 50;

/**
 * The tools a member may call now: `<name>_buy`, `_sell`, `_offer_contract`, and
 * `_accept_contract` while an offer to it is open. Non-members get none.
 */
export function economicTools(
  state: EconomyState,
  agent: AgentRuntime,
  context: EnvironmentContext,
): ToolDefinition[] {
  const id = agent.spec.id;
  if (!state.memberSet.has(id)) return [];
  const good = { type: 'string', enum: state.goods, description: 'Good' };
  const quantity = { type: 'number', minimum: 0, description: 'Units' };
  const others =
    state.members.length <= enumeratedMembersLimit
      ? state.members.filter((other) => other !== id)
      : undefined;
  const tool = (
    verb: string,
    description: string,
    properties: Record<string, Record<string, unknown>>,
    required: string[],
  ): ToolDefinition => ({
    name: `${state.name}_${verb}`,
    description,
    environment: state.name,
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
          maximum: context.step + state.definition.max_contract_steps,
          description: 'Step on which goods and cash change hands',
        },
      },
      ['agent', 'side', 'good', 'quantity', 'price', 'due_step'],
    ),
  ];
  const offers = openOffersTo(state, id, context.step);
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

/**
 * Applies one call of an economy tool: spot trades, contract offers and acceptances. Never throws:
 * bad calls come back `ok: false` with the reason.
 */
export function executeEconomicCall(
  state: EconomyState,
  agent: AgentRuntime,
  call: ToolCallRequest,
  context: EnvironmentContext,
): ActionOutcome {
  const id = agent.spec.id;
  if (!state.memberSet.has(id)) return emptyOutcome(false, `${id} is not a member of ${state.name}`);
  const tool = economicTools(state, agent, context).find((candidate) => candidate.name === call.tool);
  if (!tool) return emptyOutcome(false, `${state.name} offers no tool "${call.tool}" to ${id} now`);
  const problems = validateToolArguments(tool, call.arguments, (other) => {
    const runtime = context.agents.get(other);
    return state.memberSet.has(other) && runtime !== undefined && runtime.status !== 'terminated';
  });
  if (problems.length > 0) return emptyOutcome(false, problems.join('; '));
  const args = call.arguments;
  const verb = call.tool.slice(state.name.length + 1);
  switch (verb) {
    case 'buy':
    case 'sell':
      return trade(state, id, verb, String(args.good), Number(args.quantity), context);
    case 'offer_contract': {
      const counterparty = String(args.agent);
      if (counterparty === id) return emptyOutcome(false, 'cannot offer a contract to yourself');
      const quantity = Number(args.quantity);
      if (!(quantity > 0)) return emptyOutcome(false, `${call.tool}: quantity must be above 0`);
      const selling = args.side === 'sell';
      const contract: Contract = {
        id: `c${state.contracts.length + 1}`,
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
      state.contracts.push(contract);
      state.interactions.push({
        step: context.step,
        from: id,
        to: counterparty,
        kind: 'contract-offer',
        environment: state.name,
        amount: quantity * contract.price,
      });
      return emptyOutcome(
        true,
        `offered ${contract.id} to ${counterparty}: ${args.side} ${quantity} ${contract.good} at ${contract.price} due step ${contract.dueStep}`,
      );
    }
    case 'accept_contract': {
      const contract = state.contracts.find((entry) => entry.id === args.contract);
      if (contract?.status !== 'offered' || contract.counterparty !== id)
        return emptyOutcome(false, `no open offer "${String(args.contract)}" to ${id}`);
      contract.status = 'accepted';
      state.interactions.push({
        step: context.step,
        from: id,
        to: contract.proposer,
        kind: 'contract',
        environment: state.name,
        amount: contract.quantity * contract.price,
      });
      return emptyOutcome(
        true,
        `accepted ${contract.id} from ${contract.proposer}, due step ${contract.dueStep}`,
      );
    }
    default:
      return emptyOutcome(false, `${state.name} has no tool "${call.tool}"`);
  }
}

function trade(
  state: EconomyState,
  id: string,
  verb: 'buy' | 'sell',
  good: string,
  quantity: number,
  context: EnvironmentContext,
): ActionOutcome {
  if (!(quantity > 0)) return emptyOutcome(false, `${state.name}_${verb}: quantity must be above 0`);
  const price = state.prices.get(good) as number;
  const total = price * quantity;
  const cash = state.cash.balance(id, context);
  const writes: EnvironmentWrites = { changes: [], hits: [] };
  if (verb === 'buy') {
    if (cash - total < state.cash.floor(id, context) - tolerance)
      return emptyOutcome(false, `not enough cash: ${round(total)} needed, ${round(cash)} available`);
    state.cash.set(id, cash - total, context, writes);
    addInventory(state, id, good, quantity);
    state.demand.set(good, (state.demand.get(good) ?? 0) + quantity);
  } else {
    const held = inventoryOf(state, id, good);
    if (held < quantity - tolerance)
      return emptyOutcome(false, `cannot sell ${quantity} ${good}: you hold ${round(held)}`);
    addInventory(state, id, good, -quantity);
    state.cash.set(id, cash + total, context, writes);
    state.supply.set(good, (state.supply.get(good) ?? 0) + quantity);
  }
  state.totals.trades += 1;
  return {
    ok: true,
    result: `${verb === 'buy' ? 'bought' : 'sold'} ${quantity} ${good} at ${round(price)} for ${round(total)}`,
    changes: writes.changes,
    hits: writes.hits,
    messages: [],
  };
}
