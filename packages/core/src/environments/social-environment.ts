import type { AgentRuntime } from '../agents/agent-runtime';
import { contentHash, type EngagementKind, type Exposure } from '../beliefs/exposure';
import { createRandom } from '../random';
import { type ActionOutcome, type Environment, type EnvironmentContext, emptyOutcome } from './environment';
import type {
  AgentInteraction,
  BridgeEvent,
  EnvironmentSetup,
  InteractionKind,
  SocialEnvironmentDefinition,
} from './environment-schemas';
import { maxMessageLength } from './messaging-environment';
import { type ToolCallRequest, type ToolDefinition, validateToolArguments } from './tool';

/** Topic of posts when the environment declares none. */
export const defaultTopic = 'general';
/** Newest posts considered for one feed; older ones fall out even inside the window. */
const maxFeedCandidates = 500;
/** Worlds up to this many members list every other member in the follow tool's enum. */
const enumeratedMembersLimit = 50;
const excerptLength = 80;

interface Post {
  id: string;
  sequence: number;
  author: string;
  topic: string;
  stance?: number;
  text: string;
  step: number;
  replyTo?: string;
  hash: string;
  likes: Set<string>;
  reposts: Set<string>;
  replies: number;
  trending: boolean;
}

/** One post as a reader's feed shows it. */
export interface FeedItem {
  id: string;
  author: string;
  topic: string;
  stance?: number;
  text: string;
  step: number;
  likes: number;
  reposts: number;
  replies: number;
  /** The reader follows the author or someone who reposted it. */
  followed: boolean;
  /** Followed agents who reposted it (at most 3). */
  repostedBy?: string[];
  replyTo?: string;
  /** The ranking score (see {@link SocialEnvironment}). */
  score: number;
}

/** What a member observes of a social environment. */
export interface SocialView extends Record<string, unknown> {
  feed: Array<Omit<FeedItem, 'score'>>;
  /** Ids this agent follows (at most 50 shown). */
  following: string[];
  followers: number;
  topics: string[];
}

function engagementOf(post: Post): number {
  return post.likes.size + 2 * post.reposts.size + post.replies;
}

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
  private readonly memberSet: ReadonlySet<string>;
  private readonly topics: string[];
  private readonly posts: Post[] = [];
  private readonly postsById = new Map<string, Post>();
  private readonly following = new Map<string, Set<string>>();
  private readonly followers = new Map<string, number>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly engaged = new Set<Post>();
  private exposures: Exposure[] = [];
  private events: BridgeEvent[] = [];
  private interactions: AgentInteraction[] = [];
  private readonly totals = { likes: 0, reposts: 0, replies: 0, trending: 0 };
  private currentStep = 0;

  constructor(
    private readonly definition: SocialEnvironmentDefinition,
    setup: EnvironmentSetup,
  ) {
    this.name = definition.name;
    this.members = setup.members;
    this.memberSet = new Set(setup.members);
    this.topics = [...definition.topics];
    this.seedFollows(setup);
  }

  private seedFollows(setup: EnvironmentSetup): void {
    const initial = this.definition.initial_follows;
    const roles = new Map(setup.agents.map((agent) => [agent.id, agent.role]));
    for (const member of this.members) {
      const others = this.members.filter((other) => other !== member);
      let targets: string[] = [];
      if (initial === 'all') targets = others;
      else if (initial === 'same-role')
        targets = others.filter((other) => roles.get(other) === roles.get(member));
      else if (typeof initial === 'object' && 'random' in initial) {
        const random = createRandom(setup.seed, ['environment', this.name, 'follows', member]);
        targets = random.shuffle(others).slice(0, initial.random);
      } else if (typeof initial === 'object') {
        targets = (initial.edges[member] ?? []).filter(
          (other) => this.memberSet.has(other) && other !== member,
        );
      }
      for (const target of targets) this.addFollow(member, target);
    }
  }

  private addFollow(from: string, to: string): boolean {
    const set = this.following.get(from) ?? new Set<string>();
    if (set.has(to)) return false;
    set.add(to);
    this.following.set(from, set);
    this.followers.set(to, (this.followers.get(to) ?? 0) + 1);
    return true;
  }

  /** Whether the agent takes part in this environment. */
  isMember(agentId: string): boolean {
    return this.memberSet.has(agentId);
  }

  /** Whether `from` follows `to`. */
  follows(from: string, to: string): boolean {
    return this.following.get(from)?.has(to) ?? false;
  }

  /** Content hashes of the posts an agent has been shown, in the order it first saw them. */
  exposuresOf(agentId: string): string[] {
    return [...(this.seen.get(agentId) ?? [])];
  }

  tools(agent: AgentRuntime, _context: EnvironmentContext): ToolDefinition[] {
    const id = agent.spec.id;
    if (!this.memberSet.has(id)) return [];
    const text = { type: 'string', description: 'What you write', maxLength: maxMessageLength };
    const stance = {
      type: 'number',
      minimum: -1,
      maximum: 1,
      description: 'Your stance on the topic, from -1 (against) to 1 (for); leave out if none',
    };
    const post = { type: 'string', description: 'Id of a post in your feed' };
    const topic =
      this.topics.length > 0
        ? { type: 'string', enum: this.topics, description: `Topic; ${this.topics[0]} when left out` }
        : { type: 'string', description: `Topic; ${defaultTopic} when left out` };
    const others =
      this.members.length <= enumeratedMembersLimit
        ? this.members.filter((other) => other !== id)
        : undefined;
    const agentProperty = {
      type: 'string',
      description: 'Id of the agent',
      'x-sandtable-agent': true,
      ...(others && others.length > 0 ? { enum: others } : {}),
    };
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
      tool('post', `Publish a post on ${this.name}.`, { text, topic, stance }, ['text']),
      tool('reply', 'Reply to a post.', { post, text, stance }, ['post', 'text']),
      tool('like', 'Like a post.', { post }, ['post']),
      tool('repost', 'Repost a post to your followers.', { post }, ['post']),
      tool('follow', 'Follow an agent: their posts rank higher in your feed.', { agent: agentProperty }, [
        'agent',
      ]),
    ];
    if ((this.following.get(id)?.size ?? 0) > 0) {
      tools.push(tool('unfollow', 'Stop following an agent.', { agent: agentProperty }, ['agent']));
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
    const step = context.step;
    if (verb === 'post') {
      const topic = (args.topic as string | undefined) ?? this.topics[0] ?? defaultTopic;
      const created = this.createPost(
        id,
        topic,
        args.text as string,
        step,
        args.stance as number | undefined,
      );
      return emptyOutcome(true, `posted ${created.id} on ${topic}`);
    }
    if (verb === 'follow' || verb === 'unfollow')
      return this.changeFollow(id, verb, String(args.agent), step);
    const target = this.postsById.get(String(args.post));
    if (!target) return emptyOutcome(false, `no post "${String(args.post)}" on ${this.name}`);
    switch (verb) {
      case 'reply': {
        const replyStance = args.stance as number | undefined;
        const created = this.createPost(id, target.topic, args.text as string, step, replyStance, target.id);
        target.replies += 1;
        this.totals.replies += 1;
        this.engaged.add(target);
        this.engage(id, target, 'replied', 'reply', step, replyStance);
        return emptyOutcome(true, `replied ${created.id} to ${target.id}`);
      }
      case 'like':
      case 'repost': {
        if (target.author === id) return emptyOutcome(false, `cannot ${verb} your own post ${target.id}`);
        const set = verb === 'like' ? target.likes : target.reposts;
        if (set.has(id)) return emptyOutcome(false, `already ${verb}d ${target.id}`);
        set.add(id);
        this.totals[verb === 'like' ? 'likes' : 'reposts'] += 1;
        this.engaged.add(target);
        this.engage(id, target, verb === 'like' ? 'liked' : 'reposted', verb, step);
        return emptyOutcome(true, `${verb}d ${target.id} by ${target.author}`);
      }
      default:
        return emptyOutcome(false, `${this.name} has no tool "${call.tool}"`);
    }
  }

  private createPost(
    author: string,
    topic: string,
    text: string,
    step: number,
    stance?: number,
    replyTo?: string,
  ): Post {
    const sequence = this.posts.length + 1;
    const body = text.slice(0, maxMessageLength);
    const post: Post = {
      id: `p${sequence}`,
      sequence,
      author,
      topic,
      ...(stance !== undefined ? { stance } : {}),
      text: body,
      step,
      ...(replyTo !== undefined ? { replyTo } : {}),
      hash: contentHash([author, topic, stance, body]),
      likes: new Set(),
      reposts: new Set(),
      replies: 0,
      trending: false,
    };
    this.posts.push(post);
    this.postsById.set(post.id, post);
    return post;
  }

  private engage(
    agentId: string,
    post: Post,
    engagement: EngagementKind,
    kind: InteractionKind,
    step: number,
    replyStance?: number,
  ): void {
    if (post.author === agentId) return;
    this.exposures.push({
      ...this.exposureOf(agentId, post, engagement),
      ...(replyStance !== undefined ? { replyStance } : {}),
    });
    this.seenBy(agentId).add(post.hash);
    this.interactions.push({ step, from: agentId, to: post.author, kind, environment: this.name });
  }

  private changeFollow(id: string, verb: 'follow' | 'unfollow', other: string, step: number): ActionOutcome {
    if (other === id) return emptyOutcome(false, `cannot ${verb} yourself`);
    if (verb === 'follow') {
      if (!this.addFollow(id, other)) return emptyOutcome(false, `already following ${other}`);
    } else {
      const set = this.following.get(id);
      if (!set?.delete(other)) return emptyOutcome(false, `not following ${other}`);
      this.followers.set(other, (this.followers.get(other) ?? 1) - 1);
    }
    this.interactions.push({ step, from: id, to: other, kind: verb, environment: this.name });
    return emptyOutcome(true, `${verb}ed ${other}`);
  }

  private exposureOf(agentId: string, post: Post, engagement: EngagementKind): Exposure {
    return {
      agentId,
      author: post.author,
      topic: post.topic,
      ...(post.stance !== undefined ? { stance: post.stance } : {}),
      hash: post.hash,
      engagement,
      source: this.name,
      contentId: post.id,
    };
  }

  private seenBy(agentId: string): Set<string> {
    let set = this.seen.get(agentId);
    if (!set) {
      set = new Set();
      this.seen.set(agentId, set);
    }
    return set;
  }

  /**
   * The feed a member would see at `step`, best first, without recording exposures. Pure: the same
   * state gives the same feed.
   */
  rankedFeed(agentId: string, step: number): FeedItem[] {
    if (!this.memberSet.has(agentId)) return [];
    const { ranking, window, feed_size: feedSize, scope } = this.definition;
    const follows = this.following.get(agentId);
    const scored: Array<{ post: Post; score: number; followed: boolean; repostedBy: string[] }> = [];
    let considered = 0;
    for (let index = this.posts.length - 1; index >= 0 && considered < maxFeedCandidates; index--) {
      const post = this.posts[index] as Post;
      if (post.step <= step - window) break;
      if (post.author === agentId) continue;
      considered += 1;
      const repostedBy: string[] = [];
      if (follows) for (const reposter of post.reposts) if (follows.has(reposter)) repostedBy.push(reposter);
      const followed = (follows?.has(post.author) ?? false) || repostedBy.length > 0;
      const answersReader =
        post.replyTo !== undefined && this.postsById.get(post.replyTo)?.author === agentId;
      if (scope === 'following' && !followed && !answersReader) continue;
      const age = Math.max(step - post.step, 0);
      const engagement = engagementOf(post);
      const score =
        ranking.recency * 2 ** (-age / ranking.recency_half_life) +
        ranking.engagement * (engagement / (engagement + ranking.engagement_scale)) +
        ranking.follows * (followed || answersReader ? 1 : 0);
      scored.push({ post, score, followed, repostedBy });
    }
    scored.sort((first, second) => second.score - first.score || second.post.sequence - first.post.sequence);
    return scored.slice(0, feedSize).map(({ post, score, followed, repostedBy }) => ({
      id: post.id,
      author: post.author,
      topic: post.topic,
      ...(post.stance !== undefined ? { stance: post.stance } : {}),
      text: post.text,
      step: post.step,
      likes: post.likes.size,
      reposts: post.reposts.size,
      replies: post.replies,
      followed,
      ...(repostedBy.length > 0 ? { repostedBy: repostedBy.slice(0, 3) } : {}),
      ...(post.replyTo !== undefined ? { replyTo: post.replyTo } : {}),
      score,
    }));
  }

  /**
   * What a member sees now — feed, follows, follower count — without recording anything (for
   * interviews and inspection). Non-members get an empty view.
   */
  viewOf(agentId: string, step: number): Record<string, unknown> {
    if (!this.memberSet.has(agentId)) return {};
    const view: SocialView = {
      feed: this.rankedFeed(agentId, step).map(({ score: _score, ...item }) => item),
      following: [...(this.following.get(agentId) ?? [])].slice(0, enumeratedMembersLimit),
      followers: this.followers.get(agentId) ?? 0,
      topics: this.topics.length > 0 ? [...this.topics] : [defaultTopic],
    };
    return view;
  }

  /**
   * {@link viewOf}, and an exposure for each post shown that the member has not seen before (so
   * call it once per agent and step, when building the observation).
   */
  observe(agent: AgentRuntime, context: EnvironmentContext): Record<string, unknown> {
    const id = agent.spec.id;
    const view = this.viewOf(id, context.step);
    if (!this.memberSet.has(id)) return view;
    const seen = this.seenBy(id);
    for (const item of view.feed as SocialView['feed']) {
      const post = this.postsById.get(item.id) as Post;
      if (seen.has(post.hash)) continue;
      seen.add(post.hash);
      this.exposures.push(this.exposureOf(id, post, 'read'));
    }
    return view;
  }

  /** Ends a step: posts whose engagement reached the threshold start trending. */
  tick(context: EnvironmentContext): void {
    this.currentStep = context.step;
    const engaged = [...this.engaged].sort((first, second) => first.sequence - second.sequence);
    this.engaged.clear();
    for (const post of engaged) {
      const engagement = post.likes.size + post.reposts.size + post.replies;
      if (post.trending || engagement < this.definition.viral_threshold) continue;
      post.trending = true;
      this.totals.trending += 1;
      const author = context.agents.get(post.author)?.spec.name ?? post.author;
      this.events.push({
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

  /** Bridge events since the last call (each is returned once). */
  publishEvents(): BridgeEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** Interactions (follows, likes, reposts, replies) since the last call. */
  publishInteractions(): AgentInteraction[] {
    const interactions = this.interactions;
    this.interactions = [];
    return interactions;
  }

  /** Exposures (posts shown, posts engaged with) since the last call, for the belief store. */
  publishExposures(): Exposure[] {
    const exposures = this.exposures;
    this.exposures = [];
    return exposures;
  }

  /**
   * Totals: `posts` (replies included), `replies`, `likes`, `reposts`, `engagement` (their sum),
   * `follows` (edges now), `trending` (posts that went viral), and per topic `stance.<topic>`: the
   * mean stance of posts within the window of the last tick.
   */
  metrics(): Record<string, number> {
    let follows = 0;
    for (const set of this.following.values()) follows += set.size;
    const values: Record<string, number> = {
      posts: this.posts.length,
      replies: this.totals.replies,
      likes: this.totals.likes,
      reposts: this.totals.reposts,
      engagement: this.totals.likes + this.totals.reposts + this.totals.replies,
      follows,
      trending: this.totals.trending,
    };
    const stances = new Map<string, { sum: number; count: number }>();
    for (const topic of this.topics) stances.set(topic, { sum: 0, count: 0 });
    for (const post of this.posts) {
      if (post.stance === undefined || post.step <= this.currentStep - this.definition.window) continue;
      const entry = stances.get(post.topic) ?? { sum: 0, count: 0 };
      entry.sum += post.stance;
      entry.count += 1;
      stances.set(post.topic, entry);
    }
    for (const [topic, { sum, count }] of stances) values[`stance.${topic}`] = count > 0 ? sum / count : 0;
    return values;
  }
}
