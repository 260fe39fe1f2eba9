import { describe, expect, it } from 'vitest';
import { RunContext } from '../engine/run-context';
import type { EnvironmentContext } from '../environments/environment';
import { SocialEnvironmentDefinition } from '../environments/environment-schemas';
import { SocialEnvironment } from '../environments/social-environment';
import type { Scenario } from '../scenario/scenario';
import { parseScenario } from '../scenario/scenario-loader';
import { BeliefStore } from './belief-store';
import { BeliefsDefinition, type BeliefsDefinitionInput } from './beliefs-schema';
import type { Exposure } from './exposure';

/** An environment context at step 1, built the way the engine builds it. */
function contextFor(source: Scenario): EnvironmentContext {
  return { ...new RunContext(source).environmentContext(), step: 1 };
}

const people = [
  { id: 'ana', role: 'reporter' },
  { id: 'ben', role: 'reader' },
  { id: 'cy', role: 'reader' },
];

function storeWith(overrides: Partial<BeliefsDefinitionInput> = {}) {
  const definition = BeliefsDefinition.parse({
    topics: [{ name: 'strike', initial: { mean: 0, spread: 0 } }],
    epsilon: 0.5,
    mu: 0.3,
    ...overrides,
  });
  return new BeliefStore(definition, people, 1);
}

const read = (agentId: string, stance: number, hash: string, extra: Partial<Exposure> = {}): Exposure => ({
  agentId,
  author: 'ana',
  topic: 'strike',
  stance,
  hash,
  engagement: 'read',
  ...extra,
});

describe('BeliefStore', () => {
  it('fills defaults and draws initial positions from the seed, per role', () => {
    const definition = BeliefsDefinition.parse({
      topics: [
        {
          name: 'strike',
          initial: { mean: 0.2, spread: 0.3 },
          roles: { reporter: { mean: -0.5, spread: 0 } },
        },
      ],
    });
    expect(definition).toMatchObject({ epsilon: 0.5, mu: 0.3, trust: { initial: 0.5, learning_rate: 0.1 } });
    const first = new BeliefStore(definition, people, 4);
    const again = new BeliefStore(definition, [...people].reverse(), 4);
    expect(first.position('ana', 'strike')).toBe(-0.5);
    expect(first.position('ben', 'strike')).toBe(again.position('ben', 'strike'));
    expect(first.position('ben', 'strike')).not.toBe(first.position('cy', 'strike'));
    expect(BeliefsDefinition.safeParse({ topics: [{ name: 'a' }, { name: 'a' }] }).success).toBe(false);
  });

  it('moves by mu × trust toward content inside epsilon, not across it, and reads each hash once', () => {
    const store = storeWith();
    const [change] = store.applyExposures(2, [read('ben', 0.4, 'h1')]);
    expect(change).toMatchObject({
      agentId: 'ben',
      position: { from: 0, to: expect.closeTo(0.3 * 0.5 * 0.4, 12) },
    });
    expect(change!.trust.to).toBeGreaterThan(0.5);
    expect(change!.confidence.to).toBeGreaterThan(change!.confidence.from);
    expect(store.applyExposures(3, [read('ben', 0.4, 'h1')])).toEqual([]);
    const [far] = store.applyExposures(3, [read('cy', 0.9, 'h2')]);
    expect(far!.position).toEqual({ from: 0, to: 0 });
    expect(far!.trust.to).toBeLessThan(0.5);
    expect(store.beliefsOf('ben')!.history).toEqual(new Set(['h1']));
  });

  it('pulls harder after a like or repost and less after a reply against', () => {
    const moved = (extra: Partial<Exposure>) =>
      storeWith().applyExposures(1, [read('ben', 0.4, 'h', extra)])[0]!.position.to;
    const reading = moved({});
    expect(moved({ engagement: 'liked' })).toBeGreaterThan(reading);
    expect(moved({ engagement: 'reposted' })).toBeGreaterThan(moved({ engagement: 'liked' }));
    expect(moved({ engagement: 'replied', replyStance: 0.5 })).toBeCloseTo(reading, 12);
    expect(moved({ engagement: 'replied', replyStance: -0.3 })).toBeLessThan(reading);
  });

  it('ignores own content, unknown topics and unknown agents, and round-trips a snapshot', () => {
    const store = storeWith();
    expect(
      store.applyExposures(1, [
        read('ana', 0.3, 'a'),
        read('ben', 0.3, 'b', { topic: 'weather' }),
        read('zed', 0.3, 'c'),
        read('cy', 0.3, 'd', { stance: undefined }),
      ]),
    ).toEqual([]);
    store.applyExposures(2, [read('ben', 0.2, 'e'), read('cy', -0.2, 'f')]);
    const copy = storeWith();
    copy.restore(structuredClone(store.snapshot()));
    expect(copy.snapshot()).toEqual(store.snapshot());
    expect(copy.metrics()).toEqual(store.metrics());
    expect(Object.keys(store.metrics())).toEqual([
      'belief.strike.mean',
      'belief.strike.polarization',
      'belief.strike.consensus',
      'belief.strike.confidence',
    ]);
  });

  it('applies exposures in agent order whatever order they arrive in', () => {
    const exposures = [read('cy', 0.3, 'x'), read('ben', 0.2, 'y'), read('cy', 0.1, 'z')];
    const forward = storeWith().applyExposures(1, exposures);
    const backward = storeWith().applyExposures(1, [exposures[1]!, exposures[0]!, exposures[2]!]);
    expect(backward).toEqual(forward);
    expect(forward.map((change) => `${change.agentId}:${change.hash}`)).toEqual(['ben:y', 'cy:x', 'cy:z']);
  });
});

const crowd = parseScenario(`
name: Rumour
seed: 21
clock: { steps: 12 }
agents:
  - { id: source, role: insider }
  - { id: person, role: citizen, count: 40 }
`);

/**
 * A seeded rumour on a random follow graph: the insider posts stance +1; each step every citizen
 * reads its feed (only followed authors and their reposts), updates its beliefs, and reposts the top
 * post once it leans toward the rumour (position above 0.3). Returns the citizens' aggregate after
 * 10 steps.
 */
function spreadRumour(initialTrust: number) {
  const social = new SocialEnvironment(
    SocialEnvironmentDefinition.parse({
      type: 'social',
      topics: ['rumour'],
      scope: 'following',
      feed_size: 5,
      initial_follows: { random: 3 },
    }),
    { members: crowd.agents.map((agent) => agent.id), agents: crowd.agents, seed: crowd.seed },
  );
  const beliefs = new BeliefStore(
    BeliefsDefinition.parse({
      topics: [{ name: 'rumour', initial: { mean: 0.1, spread: 0.3 } }],
      epsilon: 1,
      mu: 0.3,
      trust: { initial: initialTrust, learning_rate: 0.05 },
    }),
    crowd.agents,
    crowd.seed,
  );
  const context = contextFor(crowd);
  const citizens = crowd.agents.filter((agent) => agent.role === 'citizen').map((agent) => agent.id);
  const agent = (id: string) => context.agents.get(id)!;
  const initialMean = beliefs.aggregate('rumour', citizens).mean;
  social.execute(
    agent('source'),
    { tool: 'social_post', arguments: { text: 'The mayor resigns', stance: 1 } },
    context,
  );
  for (let step = 2; step <= 11; step++) {
    context.step = step;
    const feeds = new Map(
      citizens.map((id) => [id, social.observe(agent(id), context).feed as Array<{ id: string }>]),
    );
    beliefs.applyExposures(step, social.publishExposures());
    for (const id of citizens) {
      if ((beliefs.position(id, 'rumour') ?? 0) <= 0.3) continue;
      const top = feeds.get(id)?.[0];
      if (top) social.execute(agent(id), { tool: 'social_repost', arguments: { post: top.id } }, context);
    }
    social.tick(context);
    beliefs.applyExposures(step, social.publishExposures());
  }
  return { initialMean, ...beliefs.aggregate('rumour', citizens), reposts: social.metrics().reposts! };
}

describe('a rumour spreading over a follow graph', () => {
  it('moves positions measurably further with high initial trust than with low', () => {
    const high = spreadRumour(0.9);
    const low = spreadRumour(0.1);
    // Same seed, same crowd: both start from the same positions.
    expect(high.initialMean).toBe(low.initialMean);
    // High trust: the rumour is reposted along the follow graph and drags the mean up by ~0.3.
    expect(high.reposts).toBeGreaterThanOrEqual(15);
    expect(high.mean - high.initialMean).toBeGreaterThan(0.25);
    // Low trust: nobody is convinced enough to repost, and the mean barely moves.
    expect(low.reposts).toBe(0);
    expect(low.mean - low.initialMean).toBeLessThan(0.05);
    expect(high.mean - low.mean).toBeGreaterThan(0.25);
    // Believers split off from the rest: polarization (variance) more than doubles.
    expect(high.polarization).toBeGreaterThan(2 * low.polarization);
    expect(spreadRumour(0.9)).toEqual(high);
  });
});
