import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BeliefsDefinition } from '../beliefs/beliefs-schema';
import { RunContext } from '../engine/run-context';
import type { Scenario } from '../scenario/scenario';
import { parseScenario } from '../scenario/scenario-loader';
import {
  Bridge,
  collectEnvironmentEvents,
  collectExposures,
  collectInteractions,
  createEnvironments,
  formatBridgeEvent,
  membershipsOf,
  scheduledBridgeEvents,
} from './bridge';
import type { Environment, EnvironmentContext } from './environment';
import {
  type BridgeEvent,
  checkEnvironmentDefinitions,
  EnvironmentDefinitions,
  environmentToolNames,
} from './environment-schemas';
import type { MarketEnvironment } from './market-environment';
import { MessagingEnvironment } from './messaging-environment';

const scenario = parseScenario(`
name: Bridge test
seed: 9
clock: { steps: 5 }
agent_variables:
  wealth: { type: float, default: 100 }
  motto: { type: string, default: calm }
agents:
  - { id: ana, name: Ana, role: reporter }
  - { id: ben, name: Ben, role: trader }
  - { id: cy, name: Cy, role: trader }
`);

/** An environment context at step 1, built the way the engine builds it. */
function contextFor(source: Scenario): EnvironmentContext {
  return { ...new RunContext(source).environmentContext(), step: 1 };
}

const definitions = EnvironmentDefinitions.parse([
  { type: 'social', members: ['ana', 'ben'], viral_threshold: 1 },
  {
    type: 'market',
    members: ['role:trader'],
    questions: [{ id: 'strike', text: 'Strike ends by May' }],
    price_move_threshold: 0.05,
  },
]);

const event = (source: string, text: string, affects?: string[]): BridgeEvent => ({
  source,
  type: 'note',
  text,
  step: 1,
  ...(affects ? { affects } : {}),
});

describe('Bridge', () => {
  it('gives an agent only the events of environments it is not a member of', () => {
    const bridge = new Bridge();
    bridge.collect([
      event('social', 'Trending: "Port closed" by Ana'),
      event('market', 'Strike moved up to 63%'),
    ]);
    expect(bridge.digestFor('ana', ['social'])).toEqual(['[Market] Strike moved up to 63%']);
    expect(bridge.digestFor('ben', ['social', 'market'])).toEqual([]);
    expect(bridge.digestFor('cy', ['market'])).toEqual(['[Social] Trending: "Port closed" by Ana']);
    expect(bridge.digestFor('cy', [], 1)).toEqual(['[Market] Strike moved up to 63%']);
    bridge.clear();
    expect(bridge.digestFor('cy', [])).toEqual([]);
  });

  it('includes scheduled events, for the agents they affect', () => {
    const bridge = new Bridge();
    bridge.collect(
      scheduledBridgeEvents(
        [
          { type: 'strike', description: 'Dockers walk out.' },
          { type: 'memo', description: 'Traders only.', affects: ['ben', 'cy'] },
        ],
        3,
      ),
    );
    expect(bridge.pending()[0]).toEqual({
      source: 'scheduled',
      type: 'strike',
      text: 'Dockers walk out.',
      step: 3,
    });
    expect(bridge.digestFor('ana', ['social'])).toEqual(['[Scheduled] Dockers walk out.']);
    expect(bridge.digestFor('ben', ['social', 'market'])).toEqual([
      '[Scheduled] Dockers walk out.',
      '[Scheduled] Traders only.',
    ]);
    expect(formatBridgeEvent(event('port_news', 'x'))).toBe('[Port news] x');
  });

  it('carries a step of real environments into the next step’s digests', () => {
    const environments: Environment[] = [
      new MessagingEnvironment(),
      ...createEnvironments(definitions, scenario, scenario.seed),
    ];
    const context = contextFor(scenario);
    const [, social, market] = environments;
    expect(environments.map((environment) => environment.name)).toEqual(['messaging', 'social', 'market']);
    expect(membershipsOf('ana', environments)).toEqual(['messaging', 'social']);
    expect(membershipsOf('cy', environments)).toEqual(['messaging', 'market']);
    const act = (environmentIndex: number, id: string, tool: string, args: Record<string, unknown>) =>
      environments[environmentIndex]!.execute(context.agents.get(id)!, { tool, arguments: args }, context);
    expect(act(1, 'ana', 'social_post', { text: 'Port closed', stance: 1 }).ok).toBe(true);
    expect(act(1, 'ben', 'social_like', { post: 'p1' }).ok).toBe(true);
    expect(act(2, 'cy', 'market_buy', { question: 'strike', outcome: 'yes', amount: 20 }).ok).toBe(true);
    for (const environment of environments) environment.tick?.(context);
    const bridge = new Bridge();
    bridge.clear();
    bridge.collect(collectEnvironmentEvents(environments));
    const percent = Math.round((market as MarketEnvironment).prices('strike')!.yes! * 100);
    expect(bridge.digestFor('ana', membershipsOf('ana', environments))).toEqual([
      `[Market] Strike ends by May moved up to ${percent}%`,
    ]);
    expect(bridge.digestFor('cy', membershipsOf('cy', environments))).toEqual([
      '[Social] Trending: "Port closed" by Ana',
    ]);
    expect(bridge.digestFor('ben', membershipsOf('ben', environments))).toEqual([]);
    expect(collectEnvironmentEvents(environments)).toEqual([]);
    expect(collectInteractions(environments).map((interaction) => interaction.kind)).toEqual([
      'like',
      'trade',
    ]);
    expect(collectExposures(environments).map((exposure) => exposure.engagement)).toEqual(['liked']);
    expect(social!.observe?.(context.agents.get('cy')!, context)).toEqual({});
  });
});

describe('environment definitions', () => {
  it('fill defaults and name tools after the environment', () => {
    const [social, market] = definitions;
    expect(social).toMatchObject({ name: 'social', feed_size: 10, ranking: { recency: 1, follows: 1 } });
    expect(market).toMatchObject({ name: 'market', kind: 'lmsr', liquidity: 100, cash: 100 });
    expect(environmentToolNames({ type: 'economic', name: 'town' })).toEqual([
      'town_buy',
      'town_sell',
      'town_offer_contract',
      'town_accept_contract',
    ]);
  });

  it('reject duplicate names, order books and mismatched prices', () => {
    const problems = (input: unknown[]) =>
      EnvironmentDefinitions.safeParse(input).error?.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message}`,
      );
    expect(
      problems([{ type: 'social' }, { type: 'market', name: 'social', questions: [{ id: 'q', text: 'Q' }] }]),
    ).toEqual(['1.name: environment name "social" is used twice; give each a unique name']);
    expect(
      problems([
        { type: 'market', kind: 'order-book', questions: [{ id: 'q', text: 'Q', initial_prices: [0.5] }] },
      ]),
    ).toEqual([
      '0.kind: only the `lmsr` automated market maker is supported (order books are not yet)',
      '0.questions.0.initial_prices: initial_prices needs one price per outcome',
    ]);
  });

  it('convert to JSON Schema for editors, beside the beliefs block', () => {
    const schema = z.toJSONSchema(EnvironmentDefinitions, { io: 'input', unrepresentable: 'any' });
    expect((schema.items as { oneOf: unknown[] }).oneOf).toHaveLength(3);
    const beliefs = z.toJSONSchema(BeliefsDefinition, { io: 'input', unrepresentable: 'any' });
    expect(beliefs.required).toEqual(['topics']);
  });

  it('report references a schema cannot check', () => {
    const checked = EnvironmentDefinitions.parse([
      {
        type: 'social',
        name: 'feed',
        members: ['role:pilot'],
        initial_follows: { edges: { ana: ['zed', 'ben-07'] } },
      },
      { type: 'market', questions: [{ id: 'q', text: 'Q' }], cash: { variable: 'motto' } },
      {
        type: 'economic',
        name: 'town',
        goods: [{ name: 'grain', base_price: 2 }],
        budget: { variable: 'gold' },
        production: { miner: { ore: 1 } },
      },
    ]);
    const issues = checkEnvironmentDefinitions(checked, {
      agents: [...scenario.agents, { id: 'ben', role: 'trader' }],
      agentVariables: scenario.agentVariables,
      takenToolNames: ['market_buy', 'town_sell', 'wait'],
    });
    expect(issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      '0.members.0: "role:pilot" matches no agent',
      '0.initial_follows.edges.ana: no agent "zed"',
      '1.name: tool "market_buy" is already defined by the scenario',
      '1.cash.variable: "motto" is not a numeric agent variable',
      '2.name: tool "town_sell" is already defined by the scenario',
      '2.budget.variable: no agent variable "gold"',
      '2.production.miner: no agent has role "miner"',
      '2.production.miner.ore: no good "ore"',
    ]);
  });
});
