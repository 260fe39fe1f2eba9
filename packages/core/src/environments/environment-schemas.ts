import { z } from 'zod';

/**
 * What a scenario's `environments:` list may hold (social feeds, prediction markets, economies),
 * and the data environments publish back to the engine (bridge events, agent interactions).
 *
 * This file imports nothing but zod on purpose: the scenario schema imports it, and the
 * environment classes import it, so anything more would close an import cycle
 * (scenario schema → environments → environment.ts → scenario types → scenario schema).
 * The classes are built from these definitions by `createEnvironments` in `bridge.ts`.
 */

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EnvironmentName = z
  .string()
  .regex(namePattern, 'must start with a letter or _ and hold only letters, digits and _');

/** Agent selectors: agent ids, population ids, `role:<role>` or `*`. */
const Selectors = z.array(z.string().min(1)).min(1);

/** An amount of money: a number, or the agent variable that holds it (read and written through the world, so clamps are recorded). */
export const MoneySource = z.union([
  z.number().nonnegative(),
  z.object({ variable: EnvironmentName.describe('A numeric agent variable') }).strict(),
]);

const baseFields = {
  description: z.string().optional(),
  members: Selectors.optional().describe(
    'Agent ids, population ids, role:<role> or *; all agents when left out',
  ),
};

/** How a social feed ranks posts; see {@link SocialEnvironmentDefinition}. */
export const FeedRanking = z
  .object({
    recency: z.number().nonnegative().default(1).describe('Weight of recency, 2^(-age / recency_half_life)'),
    engagement: z
      .number()
      .nonnegative()
      .default(1)
      .describe('Weight of engagement E / (E + engagement_scale), E = likes + 2·reposts + replies'),
    follows: z
      .number()
      .nonnegative()
      .default(1)
      .describe('Weight of 1 when the reader follows the author or someone who reposted the post'),
    recency_half_life: z.number().positive().default(2).describe('Steps after which recency halves'),
    engagement_scale: z.number().positive().default(5).describe('Engagement at which its score is 0.5'),
  })
  .strict();

/** Who follows whom when the run starts. */
export const InitialFollows = z.union([
  z.enum(['none', 'all', 'same-role']),
  z
    .object({ random: z.number().int().nonnegative().describe('Each member follows this many others') })
    .strict(),
  z
    .object({
      edges: z.record(z.string(), z.array(z.string())).describe('Agent id → ids it follows'),
    })
    .strict(),
]);

/**
 * A social feed: posts, replies, likes, reposts and follows as tools named `<name>_post`,
 * `<name>_reply`, `<name>_like`, `<name>_repost`, `<name>_follow`, `<name>_unfollow`.
 * Each member sees its own feed of `feed_size` posts ranked by
 * `recency·2^(-age/half_life) + engagement·E/(E + scale) + follows·[followed]`.
 */
export const SocialEnvironmentDefinition = z
  .object({
    type: z.literal('social'),
    name: EnvironmentName.default('social'),
    ...baseFields,
    topics: z
      .array(z.string().min(1))
      .default([])
      .describe('Topics posts may take; free text when empty (topic "general")'),
    feed_size: z.number().int().positive().max(100).default(10),
    ranking: FeedRanking.prefault({}),
    scope: z
      .enum(['everyone', 'following'])
      .default('everyone')
      .describe(
        '`following`: feeds only hold posts by followed authors, reposted by them, or replying to you',
      ),
    initial_follows: InitialFollows.default('none'),
    window: z.number().int().positive().default(20).describe('Posts older than this many steps leave feeds'),
    viral_threshold: z
      .number()
      .int()
      .positive()
      .default(5)
      .describe('Engagement (likes + reposts + replies) at which a post trends (bridge event)'),
  })
  .strict();

/** One prediction question of a market. */
export const MarketQuestion = z
  .object({
    id: EnvironmentName,
    text: z.string().min(1),
    outcomes: z.array(EnvironmentName).min(2).default(['yes', 'no']),
    initial_prices: z
      .array(z.number().gt(0).lt(1))
      .optional()
      .describe('One per outcome, normalised to sum to 1; equal when left out'),
  })
  .strict()
  .refine(
    (question) => !question.initial_prices || question.initial_prices.length === question.outcomes.length,
    { message: 'initial_prices needs one price per outcome', path: ['initial_prices'] },
  )
  .refine((question) => new Set(question.outcomes).size === question.outcomes.length, {
    message: 'outcomes must be unique',
    path: ['outcomes'],
  });

/**
 * A prediction market run by a logarithmic market scoring rule (LMSR) automated market maker:
 * tools `<name>_buy` and `<name>_sell`; prices are softmax(q / liquidity).
 */
export const MarketEnvironmentDefinition = z
  .object({
    type: z.literal('market'),
    name: EnvironmentName.default('market'),
    ...baseFields,
    kind: z
      .literal('lmsr', {
        error: 'only the `lmsr` automated market maker is supported (order books are not yet)',
      })
      .default('lmsr'),
    liquidity: z.number().positive().default(100).describe('LMSR b: higher means prices move less per share'),
    questions: z.array(MarketQuestion).min(1),
    traders: Selectors.optional().describe('Members who may trade; every member when left out'),
    cash: MoneySource.default(100).describe('Starting cash per trader, or the agent variable holding it'),
    max_shares_per_trade: z.number().positive().default(1_000),
    price_move_threshold: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.1)
      .describe('Change of a price within one step that publishes a price-move event'),
  })
  .strict();

/** A tradable good of an economy. */
export const EconomicGood = z
  .object({
    name: EnvironmentName,
    base_price: z.number().positive(),
    min_price: z.number().positive().optional().describe('Defaults to base_price / 10'),
    max_price: z.number().positive().optional().describe('Defaults to base_price × 10'),
  })
  .strict();

/** Amounts of goods per role (`*` for every role): role → good → amount. */
const AmountsByRole = z.record(z.string().min(1), z.record(EnvironmentName, z.number().nonnegative()));

/**
 * An economy: budgets, per-role production and consumption each step, a spot market whose prices
 * follow excess demand, and delivery contracts between agents with settlement and defaults.
 * Tools: `<name>_buy`, `<name>_sell`, `<name>_offer_contract`, `<name>_accept_contract`.
 */
export const EconomicEnvironmentDefinition = z
  .object({
    type: z.literal('economic'),
    name: EnvironmentName.default('economic'),
    ...baseFields,
    goods: z.array(EconomicGood).min(1),
    budget: MoneySource.default(100).describe('Starting cash per member, or the agent variable holding it'),
    production: AmountsByRole.default({}).describe('Units each member of a role produces every step'),
    consumption: AmountsByRole.default({}).describe('Units each member of a role consumes every step'),
    inventory: AmountsByRole.default({}).describe('Units each member of a role starts with'),
    price_adjustment: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('p ← p·(1 + rate·(demand − supply) / max(demand + supply, 1)) each step'),
    price_change_threshold: z
      .number()
      .gt(0)
      .default(0.05)
      .describe('Relative price change within one step that publishes a price-change event'),
    max_contract_steps: z.number().int().positive().default(20).describe('Furthest due step, from now'),
  })
  .strict();

/** One entry of a scenario's `environments:` list, discriminated by `type`. */
export const EnvironmentDefinition = z.discriminatedUnion('type', [
  SocialEnvironmentDefinition,
  MarketEnvironmentDefinition,
  EconomicEnvironmentDefinition,
]);

/** A scenario's `environments:` list: names must be unique. */
export const EnvironmentDefinitions = z.array(EnvironmentDefinition).superRefine((definitions, context) => {
  const seen = new Set<string>();
  definitions.forEach((definition, index) => {
    if (seen.has(definition.name)) {
      context.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: `environment name "${definition.name}" is used twice; give each a unique name`,
      });
    }
    seen.add(definition.name);
  });
});

export type MoneySource = z.output<typeof MoneySource>;
export type FeedRanking = z.output<typeof FeedRanking>;
export type InitialFollows = z.output<typeof InitialFollows>;
export type SocialEnvironmentDefinition = z.output<typeof SocialEnvironmentDefinition>;
export type MarketQuestion = z.output<typeof MarketQuestion>;
export type MarketEnvironmentDefinition = z.output<typeof MarketEnvironmentDefinition>;
export type EconomicGood = z.output<typeof EconomicGood>;
export type EconomicEnvironmentDefinition = z.output<typeof EconomicEnvironmentDefinition>;
/** A validated environment definition. */
export type EnvironmentDefinition = z.output<typeof EnvironmentDefinition>;
/** An environment definition as a user writes it, before defaults. */
export type EnvironmentDefinitionInput = z.input<typeof EnvironmentDefinition>;

/**
 * The tool names an environment definition produces: `<name>_<verb>`, so two environments of one
 * type never clash as long as their names differ.
 */
export function environmentToolNames(definition: Pick<EnvironmentDefinition, 'type' | 'name'>): string[] {
  const verbs: Record<EnvironmentDefinition['type'], string[]> = {
    social: ['post', 'reply', 'like', 'repost', 'follow', 'unfollow'],
    market: ['buy', 'sell'],
    economic: ['buy', 'sell', 'offer_contract', 'accept_contract'],
  };
  return verbs[definition.type].map((verb) => `${definition.name}_${verb}`);
}

/** An agent as selectors see it. */
export interface SelectableAgent {
  id: string;
  role: string;
  /** Population template id, which also selects the agent. */
  population?: string;
}

/**
 * Resolves selectors (`*`, `role:<role>`, agent or population ids) to agent ids, in agent order,
 * each once. Unknown selectors match nothing.
 */
export function resolveAgentSelectors(
  selectors: readonly string[] | undefined,
  agents: readonly SelectableAgent[],
): string[] {
  if (!selectors || selectors.includes('*')) return agents.map((agent) => agent.id);
  const roles = new Set(selectors.filter((selector) => selector.startsWith('role:')).map((s) => s.slice(5)));
  const ids = new Set(selectors);
  return agents
    .filter(
      (agent) =>
        roles.has(agent.role) ||
        ids.has(agent.id) ||
        (agent.population !== undefined && ids.has(agent.population)),
    )
    .map((agent) => agent.id);
}

/** What an environment class is built with besides its definition (see `createEnvironments`). */
export interface EnvironmentSetup {
  /** Member agent ids, in agent order. */
  members: readonly string[];
  /** Every agent of the scenario, in agent order. */
  agents: readonly SelectableAgent[];
  /** Run seed; environments derive their own streams from it. */
  seed: number;
}

/** A problem with an environment definition, by its path below `environments`. */
export interface EnvironmentIssue {
  path: Array<string | number>;
  message: string;
}

/** What {@link checkEnvironmentDefinitions} needs to know of the scenario. */
export interface EnvironmentCheckInput {
  /** Agents or agent templates (their ids also serve as population ids). */
  agents: readonly SelectableAgent[];
  /** Agent variable definitions by name. */
  agentVariables: Record<string, { type: string }>;
  /** Tool names already taken: scenario actions and built-in tools. */
  takenToolNames: readonly string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function selectorIssues(
  selectors: readonly string[] | undefined,
  agents: readonly SelectableAgent[],
  path: Array<string | number>,
): EnvironmentIssue[] {
  return (selectors ?? []).flatMap((selector, index) =>
    resolveAgentSelectors([selector], agents).length === 0
      ? [{ path: [...path, index], message: `"${selector}" matches no agent` }]
      : [],
  );
}

function moneyIssues(
  money: MoneySource,
  input: EnvironmentCheckInput,
  path: Array<string | number>,
): EnvironmentIssue[] {
  if (typeof money === 'number') return [];
  const definition = input.agentVariables[money.variable];
  if (!definition) return [{ path: [...path, 'variable'], message: `no agent variable "${money.variable}"` }];
  if (definition.type !== 'int' && definition.type !== 'float')
    return [{ path: [...path, 'variable'], message: `"${money.variable}" is not a numeric agent variable` }];
  return [];
}

/**
 * Checks what the schema cannot: selectors that match no agent, money variables that do not exist
 * or are not numbers, roles and goods that are not declared, tool names that clash with scenario
 * actions, built-in tools or another environment. Paths are relative to the `environments` list.
 */
export function checkEnvironmentDefinitions(
  definitions: readonly EnvironmentDefinition[],
  input: EnvironmentCheckInput,
): EnvironmentIssue[] {
  const issues: EnvironmentIssue[] = [];
  const tools = new Map<string, string>(input.takenToolNames.map((name) => [name, 'the scenario']));
  const roles = new Set(input.agents.map((agent) => agent.role));
  for (const [index, definition] of definitions.entries()) {
    issues.push(...selectorIssues(definition.members, input.agents, [index, 'members']));
    for (const tool of environmentToolNames(definition)) {
      const owner = tools.get(tool);
      if (owner)
        issues.push({ path: [index, 'name'], message: `tool "${tool}" is already defined by ${owner}` });
      tools.set(tool, `environment "${definition.name}"`);
    }
    switch (definition.type) {
      case 'social':
        if (typeof definition.initial_follows === 'object' && 'edges' in definition.initial_follows) {
          for (const [from, targets] of Object.entries(definition.initial_follows.edges)) {
            for (const id of [from, ...targets]) {
              // Checks run before populations expand: `person-07` belongs to template `person`.
              const known = input.agents.some(
                (agent) => agent.id === id || new RegExp(`^${escapeRegExp(agent.id)}-\\d+$`).test(id),
              );
              if (!known)
                issues.push({ path: [index, 'initial_follows', 'edges', from], message: `no agent "${id}"` });
            }
          }
        }
        break;
      case 'market':
        issues.push(...selectorIssues(definition.traders, input.agents, [index, 'traders']));
        issues.push(...moneyIssues(definition.cash, input, [index, 'cash']));
        break;
      case 'economic': {
        issues.push(...moneyIssues(definition.budget, input, [index, 'budget']));
        const goods = new Set(definition.goods.map((good) => good.name));
        if (goods.size !== definition.goods.length)
          issues.push({ path: [index, 'goods'], message: 'good names must be unique' });
        for (const section of ['production', 'consumption', 'inventory'] as const) {
          for (const [role, amounts] of Object.entries(definition[section])) {
            if (role !== '*' && !roles.has(role))
              issues.push({ path: [index, section, role], message: `no agent has role "${role}"` });
            for (const good of Object.keys(amounts)) {
              if (!goods.has(good))
                issues.push({ path: [index, section, role, good], message: `no good "${good}"` });
            }
          }
        }
        definition.goods.forEach((good, goodIndex) => {
          if (good.min_price !== undefined && good.max_price !== undefined && good.min_price > good.max_price)
            issues.push({ path: [index, 'goods', goodIndex], message: 'min_price is above max_price' });
        });
        break;
      }
      default: {
        const unreachable: never = definition;
        throw new TypeError(`unknown environment type in ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return issues;
}

/** Bridge event types the built-in environments publish; scheduled events keep their own type. */
export type KnownBridgeEventType =
  | 'viral-post'
  | 'price-move'
  | 'market-resolved'
  | 'price-change'
  | 'contract-defaulted';

/**
 * Something that happened in one environment that agents elsewhere should hear about, rendered
 * next step into the digest of agents who are not members of `source` (seed 003's bridge).
 */
export const BridgeEventSchema = z
  .object({
    source: z.string().min(1).describe('Environment name, or `scheduled`'),
    type: z.string().min(1),
    text: z.string().describe('One line, without the `[Source]` label'),
    step: z.number().int().nonnegative(),
    affects: z.array(z.string()).optional().describe('Agent ids who hear it; everyone when left out'),
    data: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  })
  .strict();

/** A validated bridge event; see {@link BridgeEventSchema}. */
export type BridgeEvent = z.output<typeof BridgeEventSchema> & {
  type: KnownBridgeEventType | (string & {});
};

/** Kinds of agent-to-agent (or agent-to-market) interaction environments report. */
export type InteractionKind =
  | 'follow'
  | 'unfollow'
  | 'like'
  | 'repost'
  | 'reply'
  | 'trade'
  | 'contract-offer'
  | 'contract'
  | 'contract-settled'
  | 'contract-default';

/**
 * One interaction an environment saw, as data the engine forwards to the interaction graph
 * (the `agent-acted` event alone cannot say whose post was liked or who a contract binds).
 */
export interface AgentInteraction {
  step: number;
  /** Acting agent id. */
  from: string;
  /** Other agent's id, or the environment's name for trades with a market maker. */
  to: string;
  kind: InteractionKind;
  environment: string;
  /** Money or shares involved, when any. */
  amount?: number;
}
