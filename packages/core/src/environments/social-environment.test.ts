import { describe, expect, it } from 'vitest';
import { RunContext } from '../engine/run-context';
import type { Scenario } from '../scenario/scenario';
import { parseScenario } from '../scenario/scenario-loader';
import type { EnvironmentContext } from './environment';
import { type EnvironmentDefinitionInput, SocialEnvironmentDefinition } from './environment-schemas';
import { SocialEnvironment } from './social-environment';

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
