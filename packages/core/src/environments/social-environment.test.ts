import { describe, expect, it } from 'vitest';
import type { Observation } from '../agents/brain';
import { RunContext } from '../engine/run-context';
import { createRandom } from '../random';
import type { Scenario } from '../scenario/scenario';
import { parseScenario } from '../scenario/scenario-loader';
import type { EnvironmentContext, RuleCandidate } from './environment';
import { type EnvironmentDefinitionInput, SocialEnvironmentDefinition } from './environment-schemas';
import { SocialEnvironment } from './social-environment';
import { readStanceTags, stanceTag } from './stance-tags';

const scenario = parseScenario(`
name: Social test
seed: 11
clock: { steps: 10 }
agents:
  - { id: ana, name: Ana, role: reporter }
  - { id: ben, role: reader }
  - { id: cy, role: reader }
  - { id: dee, role: reader }
  - { id: eve, role: outsider }
`);

/** An environment context at step 1, built the way the engine builds it. */
function contextFor(source: Scenario): EnvironmentContext {
  return { ...new RunContext(source).environmentContext(), step: 1 };
}

function socialWith(overrides: Partial<EnvironmentDefinitionInput> = {}) {
  const definition = SocialEnvironmentDefinition.parse({ type: 'social', ...overrides });
  const members = ['ana', 'ben', 'cy', 'dee'];
  const environment = new SocialEnvironment(definition, { members, agents: scenario.agents, seed: 11 });
  const context = contextFor(scenario);
  const act = (id: string, tool: string, args: Record<string, unknown>) =>
    environment.execute(context.agents.get(id)!, { tool, arguments: args }, context);
  const feed = (id: string) =>
    (environment.observe(context.agents.get(id)!, context).feed as Array<{ id: string }>).map(
      (item) => item.id,
    );
  return { environment, context, act, feed };
}

describe('SocialEnvironment', () => {
  it('ranks each agent’s feed by whom it follows', () => {
    const { context, act, feed, environment } = socialWith();
    expect(act('ana', 'social_post', { text: 'Port closes tomorrow', stance: 0.8 }).ok).toBe(true);
    expect(act('ben', 'social_post', { text: 'Nothing will happen', stance: -0.5 }).ok).toBe(true);
    expect(act('cy', 'social_follow', { agent: 'ana' }).ok).toBe(true);
    expect(act('dee', 'social_follow', { agent: 'ben' }).ok).toBe(true);
    context.step = 2;
    expect(feed('cy')).toEqual(['p1', 'p2']);
    expect(feed('dee')).toEqual(['p2', 'p1']);
    expect(environment.observe(context.agents.get('eve')!, context)).toEqual({});
  });

  it('ranks a post reposted by a followed agent as followed', () => {
    const { context, act, environment } = socialWith();
    act('ana', 'social_post', { text: 'Old claim' });
    act('cy', 'social_post', { text: 'Newer claim' });
    act('dee', 'social_follow', { agent: 'ben' });
    act('ben', 'social_repost', { post: 'p1' });
    context.step = 2;
    const [top] = environment.rankedFeed('dee', 2);
    expect(top).toMatchObject({ id: 'p1', followed: true, repostedBy: ['ben'] });
  });

  it('lifts an engaged post above a followed one, and `following` scope hides the rest', () => {
    const ranking = { recency: 1, engagement: 2, follows: 1, engagement_scale: 1 };
    const { context, act, feed, environment } = socialWith({ ranking });
    act('ana', 'social_post', { text: 'Big news' });
    act('ben', 'social_post', { text: 'Small news' });
    act('dee', 'social_follow', { agent: 'ben' });
    context.step = 2;
    expect(feed('dee')[0]).toBe('p2');
    for (const liker of ['ben', 'cy', 'dee']) expect(act(liker, 'social_like', { post: 'p1' }).ok).toBe(true);
    context.step = 3;
    expect(feed('dee')[0]).toBe('p1');
    const top = environment.rankedFeed('dee', 3)[0]!;
    expect(top.likes).toBe(3);
    expect(top.followed).toBe(false);

    const following = socialWith({ scope: 'following' });
    following.act('ana', 'social_post', { text: 'Big news' });
    following.act('ben', 'social_post', { text: 'Small news' });
    following.act('dee', 'social_follow', { agent: 'ben' });
    following.context.step = 2;
    expect(following.feed('dee')).toEqual(['p2']);
    expect(following.feed('cy')).toEqual([]);
  });

  it('validates arguments and refuses bad calls without throwing', () => {
    const { act, environment, context } = socialWith({ topics: ['strike', 'weather'] });
    const fails = (id: string, tool: string, args: Record<string, unknown>) => {
      const outcome = act(id, tool, args);
      expect(outcome.ok).toBe(false);
      return outcome.result;
    };
    expect(fails('ana', 'social_post', { text: 'x', stance: 2 })).toContain('above the maximum 1');
    expect(fails('ana', 'social_post', { text: 'x', topic: 'sports' })).toContain(
      'not one of strike, weather',
    );
    expect(fails('ana', 'social_post', { stance: 0 })).toContain('missing argument "text"');
    expect(fails('ana', 'social_post', { text: 'x', mood: 'happy' })).toContain('unknown argument "mood"');
    expect(fails('ana', 'social_like', { post: 'p9' })).toContain('no post "p9"');
    expect(fails('ana', 'social_follow', { agent: 'eve' })).toContain('not one of');
    expect(fails('ana', 'social_unfollow', { agent: 'ben' })).toContain('offers no tool');
    expect(fails('eve', 'social_post', { text: 'hi' })).toContain('not a member');
    expect(fails('ana', 'market_buy', {})).toContain('offers no tool');
    expect(act('ana', 'social_post', { text: 'Strike on', stance: 1 }).result).toBe('posted p1 on strike');
    expect(fails('ana', 'social_like', { post: 'p1' })).toContain('your own post');
    expect(act('ben', 'social_like', { post: 'p1' }).ok).toBe(true);
    expect(fails('ben', 'social_like', { post: 'p1' })).toContain('already liked');
    expect(environment.tools(context.agents.get('eve')!, context)).toEqual([]);
    expect(environment.tools(context.agents.get('ana')!, context).map((tool) => tool.name)).toEqual([
      'social_post',
      'social_reply',
      'social_like',
      'social_repost',
      'social_follow',
    ]);
  });

  it('publishes a viral-post bridge event once engagement reaches the threshold', () => {
    const { act, environment, context } = socialWith({ viral_threshold: 3 });
    act('ana', 'social_post', { text: 'The port will close', stance: 0.9 });
    act('ben', 'social_like', { post: 'p1' });
    act('cy', 'social_repost', { post: 'p1' });
    environment.tick(context);
    expect(environment.publishEvents()).toEqual([]);
    context.step = 2;
    act('dee', 'social_reply', { post: 'p1', text: 'No way', stance: -0.6 });
    environment.tick(context);
    const events = environment.publishEvents();
    expect(events).toEqual([
      {
        source: 'social',
        type: 'viral-post',
        text: 'Trending: "The port will close" by Ana',
        step: 2,
        data: { post: 'p1', author: 'ana', topic: 'general', engagement: 3, stance: 0.9 },
      },
    ]);
    act('eve', 'social_like', { post: 'p1' });
    act('ben', 'social_repost', { post: 'p1' });
    environment.tick(context);
    expect(environment.publishEvents()).toEqual([]);
    expect(environment.metrics()).toMatchObject({ posts: 2, likes: 1, reposts: 2, replies: 1, trending: 1 });
  });

  it('records exposures once per reader and content, plus engagement, and interactions', () => {
    const { act, environment, context, feed } = socialWith();
    act('ana', 'social_post', { text: 'Rumour', stance: 0.7 });
    context.step = 2;
    expect(environment.viewOf('ben', 2)).toMatchObject({ feed: [{ id: 'p1' }] });
    expect(environment.publishExposures()).toEqual([]);
    feed('ben');
    feed('ben');
    act('ben', 'social_like', { post: 'p1' });
    act('cy', 'social_reply', { post: 'p1', text: 'Wrong', stance: -0.4 });
    const exposures = environment.publishExposures();
    expect(exposures.map((exposure) => [exposure.agentId, exposure.engagement])).toEqual([
      ['ben', 'read'],
      ['ben', 'liked'],
      ['cy', 'replied'],
    ]);
    expect(exposures[2]).toMatchObject({ author: 'ana', stance: 0.7, replyStance: -0.4, topic: 'general' });
    expect(environment.exposuresOf('ben')).toEqual([exposures[0]!.hash]);
    expect(environment.publishExposures()).toEqual([]);
    expect(environment.publishInteractions().map(({ from, to, kind }) => `${from}>${to}:${kind}`)).toEqual([
      'ben>ana:like',
      'cy>ana:reply',
    ]);
  });

  it('builds the same random initial follow graph from the same seed', () => {
    const graph = () => {
      const { environment } = socialWith({ initial_follows: { random: 2 } });
      return ['ana', 'ben', 'cy', 'dee'].map((from) =>
        ['ana', 'ben', 'cy', 'dee'].filter((to) => environment.follows(from, to)),
      );
    };
    const first = graph();
    expect(first.every((targets) => targets.length === 2)).toBe(true);
    expect(graph()).toEqual(first);
    const all = socialWith({ initial_follows: 'all' }).environment;
    expect(all.metrics().follows).toBe(12);
  });
});

describe('stance tags', () => {
  it('writes `#topic ±x` and reads it back from any text, clamped', () => {
    expect(stanceTag('rumour', 0.625)).toBe('#rumour +0.63');
    expect(stanceTag('bus fares', -1.4)).toBe('#bus_fares -1.00');
    expect(readStanceTags('[Social] Trending: "#merger +0.80 Leaked memo" by Sam; #rumour -0.2 no')).toEqual([
      { topic: 'merger', stance: 0.8 },
      { topic: 'rumour', stance: -0.2 },
    ]);
    expect(readStanceTags('#merger 3 and #merger up')).toEqual([{ topic: 'merger', stance: 1 }]);
    expect(readStanceTags('no tags here')).toEqual([]);
  });
});

describe('SocialEnvironment.ruleCandidates', () => {
  const believers = parseScenario(`
name: Rule candidates
seed: 4
clock: { steps: 10 }
agents:
  - { id: ana, role: reader, traits: { sociability: 1, cooperation: 0.8 } }
  - { id: ben, role: reader, traits: { sociability: 1 } }
  - { id: cy, role: reader, traits: { sociability: 1 } }
  - { id: dee, role: reader, traits: { sociability: 0 } }
  - { id: eve, role: outsider }
beliefs:
  topics:
    - { name: rumour, initial: { mean: 0, spread: 0 } }
  epsilon: 0.6
  trust: { initial: 0.8 }
`);

  function world() {
    const definition = SocialEnvironmentDefinition.parse({ type: 'social', topics: ['rumour'] });
    const environment = new SocialEnvironment(definition, {
      members: ['ana', 'ben', 'cy', 'dee'],
      agents: believers.agents,
      seed: 4,
    });
    const run = new RunContext(believers);
    const context: EnvironmentContext = { ...run.environmentContext(), step: 1 };
    const act = (id: string, tool: string, args: Record<string, unknown>) =>
      environment.execute(context.agents.get(id)!, { tool, arguments: args }, context);
    /** What `id` would propose now, holding `position` with `confidence` on the rumour. */
    const propose = (
      id: string,
      position: number,
      confidence: number,
      extra: Partial<Observation> = {},
      seed = 1,
    ): RuleCandidate[] => {
      const agent = context.agents.get(id)!;
      const observation: Observation = {
        ...run.interviewObservation(agent),
        step: context.step,
        environments: { social: environment.viewOf(id, context.step) },
        beliefs: { rumour: { position, confidence } },
        ...extra,
      };
      return environment.ruleCandidates(agent, observation, context, createRandom(seed, ['test', id]));
    };
    return { environment, context, act, propose };
  }

  /** The candidates of every seed from 1 to `seeds`, flattened. */
  function overSeeds(seeds: number, propose: (seed: number) => RuleCandidate[]): RuleCandidate[] {
    return Array.from({ length: seeds }, (_, index) => propose(index + 1)).flat();
  }

  it('proposes nothing to non-members', () => {
    const { context, environment, propose } = world();
    const eve = context.agents.get('eve')!;
    const observation = { ...new RunContext(believers).interviewObservation(eve), environments: {} };
    expect(environment.ruleCandidates(eve, observation, context, createRandom(1))).toEqual([]);
    expect(propose('ana', 0.5, 0.5).every((candidate) => candidate.call.tool.startsWith('social_'))).toBe(
      true,
    );
  });

  it('likes and reposts what is close to its position, argues with what is far, and follows who agrees', () => {
    const { act, context, propose } = world();
    act('ben', 'social_post', { text: '#rumour +0.70 It is true', topic: 'rumour', stance: 0.7 });
    act('cy', 'social_post', { text: '#rumour -0.80 Nonsense', topic: 'rumour', stance: -0.8 });
    context.step = 2;
    const believer = overSeeds(20, (seed) => propose('ana', 0.6, 0.8, {}, seed));
    const target = (tool: string) =>
      new Set(
        believer
          .filter((candidate) => candidate.call.tool === tool)
          .map((candidate) => candidate.call.arguments.post ?? candidate.call.arguments.agent),
      );
    expect(target('social_like')).toEqual(new Set(['p1']));
    expect(target('social_repost')).toEqual(new Set(['p1']));
    expect(target('social_follow')).toEqual(new Set(['ben']));
    expect(target('social_reply')).toEqual(new Set(['p2']));
    const reply = believer.find((candidate) => candidate.call.tool === 'social_reply')!;
    expect(reply.call.arguments).toMatchObject({ stance: 0.6 });
    expect(String(reply.call.arguments.text)).toMatch(/^#rumour \+0\.60 @cy /);
    const like = believer.find((candidate) => candidate.call.tool === 'social_like')!;
    expect(like.score).toBeGreaterThan(0);
    expect(like.note).toContain('like p1');
    // Every proposal is a valid call.
    for (const candidate of propose('ana', 0.6, 0.8))
      expect(act('ana', candidate.call.tool, candidate.call.arguments).ok).toBe(true);
  });

  it('skips posts it already liked or reposted and scores distrusted authors lower', () => {
    const { act, context, propose } = world();
    act('ben', 'social_post', { text: '#rumour +0.50 Maybe', topic: 'rumour', stance: 0.5 });
    context.step = 2;
    act('ana', 'social_like', { post: 'p1' });
    act('ana', 'social_repost', { post: 'p1' });
    const tools = overSeeds(20, (seed) => propose('ana', 0.5, 0.5, {}, seed)).map(
      (candidate) => candidate.call.tool,
    );
    expect(tools).not.toContain('social_like');
    expect(tools).not.toContain('social_repost');
    const trusting = overSeeds(10, (seed) => propose('cy', 0.5, 0.5, {}, seed)).find(
      (candidate) => candidate.call.tool === 'social_repost',
    )!;
    const wary = {
      ...believers,
      beliefs: { ...believers.beliefs!, trust: { initial: 0.2, learning_rate: 0.1 } },
    };
    const definition = SocialEnvironmentDefinition.parse({ type: 'social', topics: ['rumour'] });
    const environment = new SocialEnvironment(definition, {
      members: ['ana', 'ben', 'cy', 'dee'],
      agents: wary.agents,
      seed: 4,
    });
    const run = new RunContext(wary);
    const waryContext: EnvironmentContext = { ...run.environmentContext(), step: 1 };
    environment.execute(
      waryContext.agents.get('ben')!,
      { tool: 'social_post', arguments: { text: 'x', topic: 'rumour', stance: 0.5 } },
      waryContext,
    );
    waryContext.step = 2;
    const cy = waryContext.agents.get('cy')!;
    const observation: Observation = {
      ...run.interviewObservation(cy),
      environments: { social: environment.viewOf('cy', 2) },
      beliefs: { rumour: { position: 0.5, confidence: 0.5 } },
    };
    const distrusting = Array.from({ length: 10 }, (_, index) =>
      environment.ruleCandidates(cy, observation, waryContext, createRandom(index + 1, ['test', 'cy'])),
    )
      .flat()
      .find((candidate) => candidate.call.tool === 'social_repost')!;
    expect(distrusting.score).toBeLessThan(trusting.score);
  });

  it('posts near its own position, more often when sociable and sure, and not on topics it has no view on', () => {
    const { propose } = world();
    const posts = (id: string, position: number, confidence: number) =>
      overSeeds(40, (seed) => propose(id, position, confidence, {}, seed)).filter(
        (candidate) => candidate.call.tool === 'social_post',
      );
    const sure = posts('ana', 0.7, 0.9);
    expect(sure.length).toBeGreaterThan(20);
    for (const post of sure) {
      expect(post.call.arguments.topic).toBe('rumour');
      expect(Math.abs(Number(post.call.arguments.stance) - 0.7)).toBeLessThan(0.05);
      expect(String(post.call.arguments.text)).toMatch(/^#rumour \+0\.[67]\d /);
    }
    expect(posts('ana', 0.1, 0.1).length).toBeLessThan(sure.length);
    expect(posts('dee', 0.7, 0.9)).toEqual([]);
  });

  it('shares news of an event that names a topic, with the stance the event carries', () => {
    const { propose } = world();
    const events = [
      { type: 'weather', description: 'Rain all week.' },
      { type: 'rumour', description: '#rumour +0.90 The utility was sold.' },
    ];
    const [top] = propose('ana', 0, 0.3, { events });
    expect(top?.call).toEqual({
      tool: 'social_post',
      arguments: { text: '#rumour +0.90 The utility was sold.', topic: 'rumour', stance: 0.9 },
    });
    expect(top?.score).toBeGreaterThan(0.3);
    const untagged = propose('ana', -0.4, 0.3, {
      events: [{ type: 'rumour', description: 'Odd goings-on.' }],
    });
    expect(untagged[0]?.call.arguments).toMatchObject({ text: '#rumour -0.40 Odd goings-on.', stance: -0.4 });
  });

  it('is deterministic for a seed, returns at most four, and changes nothing', () => {
    const { act, context, environment, propose } = world();
    for (const [author, stance] of [
      ['ben', 0.4],
      ['cy', -0.7],
      ['dee', 0.1],
    ] as const)
      act(author, 'social_post', { text: 't', topic: 'rumour', stance });
    context.step = 2;
    const before = JSON.stringify([environment.metrics(), environment.viewOf('ana', 2)]);
    const first = propose('ana', 0.3, 0.9, {}, 7);
    expect(propose('ana', 0.3, 0.9, {}, 7)).toEqual(first);
    expect(first.length).toBeLessThanOrEqual(4);
    for (let index = 1; index < first.length; index++)
      expect(first[index - 1]!.score).toBeGreaterThanOrEqual(first[index]!.score);
    expect(JSON.stringify([environment.metrics(), environment.viewOf('ana', 2)])).toBe(before);
    expect(environment.publishExposures()).toEqual([]);
  });
});
