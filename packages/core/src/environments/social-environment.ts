import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import type { Exposure } from '../beliefs/exposure';
import type { Random } from '../random';
import type { ActionOutcome, Environment, EnvironmentContext, RuleCandidate } from './environment';
import type {
  AgentInteraction,
  BridgeEvent,
  EnvironmentSetup,
  SocialEnvironmentDefinition,
} from './environment-schemas';
import { executeSocialCall, socialTools } from './social-actions';
import { type FeedItem, rankedFeed, recordFeedExposures, type SocialView, socialViewOf } from './social-feed';
import { socialRuleCandidates } from './social-rule-candidates';
import { createSocialState, follows, type SocialState } from './social-state';
import type { ToolCallRequest, ToolDefinition } from './tool';

const excerptLength = 80;

function excerpt(text: string): string {
  return text.length > excerptLength ? `${text.slice(0, excerptLength - 1)}…` : text;
}

/**
 * A social feed (seed 003's social environment). Members post, reply, like, repost and follow
 * through tools named `<name>_post`, `<name>_reply`, `<name>_like`, `<name>_repost`,
 * `<name>_follow` and `<name>_unfollow`; posts carry an author, a topic, an optional stance in
 * [-1, 1] and text.
 *
 * Each member observes its own feed: posts of the last `window` steps by others, ranked by
 * `score = w_recency · 2^(−age / half_life) + w_engagement · E / (E + scale) + w_follows · followed`
 * where E = likes + 2·reposts + replies and `followed` is 1 when the reader follows the author or
 * someone who reposted the post; ties go to the newer post. With `scope: following` a feed holds
 * only followed posts and replies to the reader.
 *
 * Showing a post records an exposure (once per reader and content hash) and engaging with one
 * records another (`liked`, `reposted`, `replied`); {@link publishExposures} hands them to the belief
 * store. A post whose likes + reposts + replies reach `viral_threshold` publishes a `viral-post`
 * bridge event at the next tick.
 */
export class SocialEnvironment implements Environment {
  readonly name: string;
  readonly members: readonly string[];
  /** Posts, follows and what is not yet published, shared with the feed, actions and rule moves. */
  private readonly state: SocialState;

  constructor(definition: SocialEnvironmentDefinition, setup: EnvironmentSetup) {
    this.name = definition.name;
    this.members = setup.members;
    this.state = createSocialState(definition, setup);
  }

  /** Whether the agent takes part in this environment. */
  isMember(agentId: string): boolean {
    return this.state.memberSet.has(agentId);
  }

  /** Whether `from` follows `to`. */
  follows(from: string, to: string): boolean {
    return follows(this.state, from, to);
  }

  /** Content hashes of the posts an agent has been shown, in the order it first saw them. */
  exposuresOf(agentId: string): string[] {
    return [...(this.state.seen.get(agentId) ?? [])];
  }

  tools(agent: AgentRuntime, _context: EnvironmentContext): ToolDefinition[] {
    return socialTools(this.state, agent);
  }

  execute(agent: AgentRuntime, call: ToolCallRequest, context: EnvironmentContext): ActionOutcome {
    return executeSocialCall(this.state, agent, call, context);
  }

  /**
   * The feed a member would see at `step`, best first, without recording exposures. Pure: the same
   * state gives the same feed.
   */
  rankedFeed(agentId: string, step: number): FeedItem[] {
    return rankedFeed(this.state, agentId, step);
  }

  /**
   * What a member sees now — feed, follows, follower count — without recording anything (for
   * interviews and inspection). Non-members get an empty view.
   */
  viewOf(agentId: string, step: number): Record<string, unknown> {
    return socialViewOf(this.state, agentId, step);
  }

  /**
   * {@link viewOf}, and an exposure for each post shown that the member has not seen before (so
   * call it once per agent and step, when building the observation).
   */
  observe(agent: AgentRuntime, context: EnvironmentContext): Record<string, unknown> {
    const id = agent.spec.id;
    const view = this.viewOf(id, context.step);
    if (!this.state.memberSet.has(id)) return view;
    recordFeedExposures(this.state, id, view as SocialView);
    return view;
  }

  /** Ends a step: posts whose engagement reached the threshold start trending. */
  tick(context: EnvironmentContext): void {
    this.state.currentStep = context.step;
    const engaged = [...this.state.engaged].sort((first, second) => first.sequence - second.sequence);
    this.state.engaged.clear();
    for (const post of engaged) {
      const engagement = post.likes.size + post.reposts.size + post.replies;
      if (post.trending || engagement < this.state.definition.viral_threshold) continue;
      post.trending = true;
      this.state.totals.trending += 1;
      const author = context.agents.get(post.author)?.spec.name ?? post.author;
      this.state.events.push({
        source: this.name,
        type: 'viral-post',
        text: `Trending: "${excerpt(post.text)}" by ${author}`,
        step: context.step,
        data: {
          post: post.id,
          author: post.author,
          topic: post.topic,
          engagement,
          ...(post.stance !== undefined ? { stance: post.stance } : {}),
        },
      });
    }
  }

  /** Moves a rule agent could make here; see {@link socialRuleCandidates}. Nothing changes. */
  ruleCandidates(
    agent: AgentRuntime,
    observation: Observation,
    context: EnvironmentContext,
    random: Random,
  ): RuleCandidate[] {
    return socialRuleCandidates(this.state, agent, observation, context, random);
  }

  /** Bridge events since the last call (each is returned once). */
  publishEvents(): BridgeEvent[] {
    const events = this.state.events;
    this.state.events = [];
    return events;
  }

  /** Interactions (follows, likes, reposts, replies) since the last call. */
  publishInteractions(): AgentInteraction[] {
    const interactions = this.state.interactions;
    this.state.interactions = [];
    return interactions;
  }

  /** Exposures (posts shown, posts engaged with) since the last call, for the belief store. */
  publishExposures(): Exposure[] {
    const exposures = this.state.exposures;
    this.state.exposures = [];
    return exposures;
  }

  /**
   * Totals: `posts` (replies included), `replies`, `likes`, `reposts`, `engagement` (their sum),
   * `follows` (edges now), `trending` (posts that went viral), and per topic `stance.<topic>`: the
   * mean stance of posts within the window of the last tick.
   */
  metrics(): Record<string, number> {
    let follows = 0;
    for (const set of this.state.following.values()) follows += set.size;
    const values: Record<string, number> = {
      posts: this.state.posts.length,
      replies: this.state.totals.replies,
      likes: this.state.totals.likes,
      reposts: this.state.totals.reposts,
      engagement: this.state.totals.likes + this.state.totals.reposts + this.state.totals.replies,
      follows,
      trending: this.state.totals.trending,
    };
    const stances = new Map<string, { sum: number; count: number }>();
    for (const topic of this.state.topics) stances.set(topic, { sum: 0, count: 0 });
    for (const post of this.state.posts) {
      if (post.stance === undefined || post.step <= this.state.currentStep - this.state.definition.window)
        continue;
      const entry = stances.get(post.topic) ?? { sum: 0, count: 0 };
      entry.sum += post.stance;
      entry.count += 1;
      stances.set(post.topic, entry);
    }
    for (const [topic, { sum, count }] of stances) values[`stance.${topic}`] = count > 0 ? sum / count : 0;
    return values;
  }
}
