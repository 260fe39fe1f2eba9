import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import { ruleTraitDefaults } from '../agents/rule-brain';
import { contentHash, type EngagementKind, type Exposure } from '../beliefs/exposure';
import { createRandom, type Random } from '../random';
import {
  type ActionOutcome,
  type Environment,
  type EnvironmentContext,
  emptyOutcome,
  type RuleCandidate,
} from './environment';
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

/** A stance found in text: `#rumour +0.62` says "stance +0.62 on topic rumour". */
export interface StanceTag {
  /** The tag as written, without `#` (a topic name with `_` for spaces). */
  topic: string;
  /** In [-1, 1]. */
  stance: number;
}

const stanceTagPattern = /#([\p{L}\p{N}_.-]+)\s+([+-]?\d+(?:\.\d+)?)/gu;

/** The tag form of a topic name: spaces become `_`. */
function tagNameOf(topic: string): string {
  return topic.trim().replace(/\s+/g, '_');
}

/** Whether a tag names a topic (case and `_`/space insensitive). */
export function tagMatches(tag: string, topic: string): boolean {
  return tag.toLowerCase() === tagNameOf(topic).toLowerCase();
}

/**
 * The stance tag rule agents put at the start of what they write: `#<topic> <signed stance>`,
 * e.g. `#rumour +0.62`. Other rule agents read it back with {@link readStanceTags} (market
 * traders read it in their bridge digest), so it must stay within a trending excerpt.
 */
export function stanceTag(topic: string, stance: number): string {
  const value = Math.max(-1, Math.min(1, stance));
  return `#${tagNameOf(topic)} ${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(2)}`;
}

/** Every stance tag in a text, in order, stances clamped to [-1, 1]. */
export function readStanceTags(text: string): StanceTag[] {
  const tags: StanceTag[] = [];
  for (const match of text.matchAll(stanceTagPattern)) {
    const stance = Number(match[2]);
    if (Number.isFinite(stance))
      tags.push({ topic: match[1] as string, stance: Math.max(-1, Math.min(1, stance)) });
  }
  return tags;
}

/** Rule-agent posting and engagement weights; see {@link SocialEnvironment.ruleCandidates}. */
const socialRules = {
  /** Feed items (best ranked first) a rule agent looks at in one step. */
  feedItemsConsidered: 10,
  /** Chance of looking at the feed at all: base + weight × sociability. */
  attentionBase: 0.5,
  attentionWeight: 0.5,
  /** Posting chance: sociability × conviction × (base + weight × max(confidence, arousal)). */
  postBase: 0.35,
  postWeight: 0.65,
  /** Post score: base + slope × |position| × (0.5 + confidence). */
  postScore: 0.03,
  postSlope: 0.06,
  /** Score of sharing news: base + weight × sociability. */
  newsScore: 0.2,
  newsWeight: 0.2,
  /** Confidence bound and trust when the scenario declares no beliefs. */
  defaultEpsilon: 0.5,
  defaultTrust: 0.5,
  /** Following an author counts as this much extra trust. */
  followTrustBonus: 0.15,
  /** Least trust (besides agreement ≥ 0.5) for following an author. */
  followTrust: 0.4,
  /** Salience of a post without a stance (or a stance of 0); a stance of ±1 has salience 1. */
  salienceBase: 0.25,
  /** Score slopes of liking, reposting, following and replying. */
  like: 0.12,
  repost: 0.2,
  follow: 0.1,
  reply: 0.15,
  /** Most candidates proposed per step. */
  maxCandidates: 4,
} as const;

/** Words for a stance band, strongest "for" first; the last band is the strongest "against". */
const stancePhrases: ReadonlyArray<readonly [number, readonly string[]]> = [
  [0.6, ['No doubt about it.', 'I am convinced.']],
  [0.2, ['Leaning yes.', 'Seems right to me.']],
  [-0.2, ['Not sure either way.', 'Hard to tell yet.']],
  [-0.6, ['I doubt it.', 'Not convinced.']],
  [-1, ['Nonsense.', 'Simply not true.']],
];

function phraseFor(stance: number, random: Random): string {
  const band = stancePhrases.find(([floor]) => stance >= floor) ?? stancePhrases[stancePhrases.length - 1];
  return random.pick(band?.[1] ?? ['']);
}

function clampUnit(value: number): number {
  return Math.max(-1, Math.min(1, value));
}

function roundStance(value: number): number {
  return Math.round(clampUnit(value) * 100) / 100;
}

type RuleTrait = keyof typeof ruleTraitDefaults;

function traitOf(agent: AgentRuntime, name: RuleTrait): number {
  return agent.spec.traits[name] ?? ruleTraitDefaults[name];
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

  /**
   * Moves a rule agent could make here (see {@link Environment.ruleCandidates}), from what it
   * observed: its feed, its beliefs, its traits and mood. Nothing changes.
   *
   * Its position and confidence on a topic come from `observation.beliefs` (0 and 0 on topics
   * without a belief). Trust in an author is the scenario's initial trust (`beliefs.trust.initial`,
   * 0.5 without beliefs), plus 0.15 for an author it follows. Agreement with a post follows bounded
   * confidence: 1 for a stance within ε/2 of its position, falling linearly to 0 at ε (ε from
   * `beliefs.epsilon`, 0.5 without beliefs; a post without a stance counts as 0.5). Salience is
   * 0.25 + 0.75 × |stance| (strong claims engage more), freshness 2^(−(age − 1) / half-life) with
   * the feed's `recency_half_life`, and appeal = agreement × trust × salience × freshness.
   *
   * - **News.** The first event that reached the agent this step and names a topic (a stance tag
   *   `#topic ±x` in its description, else its `type` equal to a topic) is posted with probability
   *   0.5 + 0.5 × sociability, with the tag's stance or else the agent's position; score
   *   0.2 + 0.2 × sociability.
   * - **Post.** It picks a topic with weight |position| × (0.5 + confidence) (what it has no view on
   *   it does not talk about) and posts with probability sociability × conviction × (0.35 + 0.65 ×
   *   max(confidence, arousal)), conviction = min(1, 0.25 + 1.5 × |position|); stance = position
   *   plus noise that shrinks with confidence; score 0.03 + 0.06 × |position| × (0.5 + confidence).
   * - **Feed.** With probability 0.5 + 0.5 × sociability it reads its 10 best-ranked feed items and
   *   keeps the best of each: like (0.12 × appeal − 0.02), repost (0.2 × appeal × (0.4 + 0.6 ×
   *   max(cooperation, sociability)) − 0.02), follow an author it does not follow when agreement ≥
   *   0.5 and trust ≥ 0.4 (0.1 × appeal − 0.03), reply with its own stance to a post at least ε
   *   away (0.15 × confidence × min((distance − ε) / ε, 1) × salience × freshness − 0.02), and
   *   unfollow the author of such a post (0.06 × confidence − 0.04). Posts it already liked or
   *   reposted are skipped.
   *
   * It returns the best 4, best first. Everything it writes starts with a stance tag
   * ({@link stanceTag}), so rule agents elsewhere (market traders reading their digest) can read it.
   */
  ruleCandidates(
    agent: AgentRuntime,
    observation: Observation,
    context: EnvironmentContext,
    random: Random,
  ): RuleCandidate[] {
    const id = agent.spec.id;
    if (!this.memberSet.has(id)) return [];
    const view = observation.environments[this.name] as SocialView | undefined;
    if (!view) return [];
    const sociability = traitOf(agent, 'sociability');
    const cooperation = traitOf(agent, 'cooperation');
    const arousal = observation.self.mood.arousal;
    const beliefs = context.scenario.beliefs;
    const epsilon = beliefs?.epsilon ?? socialRules.defaultEpsilon;
    const baseTrust = beliefs?.trust.initial ?? socialRules.defaultTrust;
    const topics = this.topics.length > 0 ? this.topics : [defaultTopic];
    const beliefOn = (topic: string) => observation.beliefs[topic];
    const candidates: RuleCandidate[] = [];

    const news = this.newsCandidate(observation, topics, sociability, random);
    if (news) candidates.push(news);

    const chosen = this.chooseTopic(topics, observation, random);
    const chosenBelief = beliefOn(chosen);
    // Agents talk about what they hold views on: a neutral agent posts a quarter as often.
    const conviction = chosenBelief ? Math.min(1, 0.25 + 1.5 * Math.abs(chosenBelief.position)) : 1;
    const postChance =
      sociability *
      conviction *
      (socialRules.postBase + socialRules.postWeight * Math.max(chosenBelief?.confidence ?? 0, arousal));
    if (random.next() < postChance) {
      const position = chosenBelief?.position ?? 0;
      const confidence = chosenBelief?.confidence ?? 0;
      const stance = chosenBelief
        ? roundStance(position + random.normal(0, 0.1 * (1 - confidence)))
        : undefined;
      const text =
        stance === undefined
          ? `#${tagNameOf(chosen)} ${phraseFor(0, random)}`
          : `${stanceTag(chosen, stance)} ${phraseFor(stance, random)}`;
      candidates.push({
        call: {
          tool: `${this.name}_post`,
          arguments: { text, topic: chosen, ...(stance !== undefined ? { stance } : {}) },
        },
        score: socialRules.postScore + socialRules.postSlope * Math.abs(position) * (0.5 + confidence),
        note: `post on ${chosen}${stance !== undefined ? ` (stance ${stance.toFixed(2)})` : ''}`,
      });
    }

    if (random.next() < socialRules.attentionBase + socialRules.attentionWeight * sociability) {
      const best = new Map<string, RuleCandidate>();
      const keep = (kind: string, candidate: RuleCandidate) => {
        const current = best.get(kind);
        if (!current || candidate.score > current.score) best.set(kind, candidate);
      };
      const amplification = 0.4 + 0.6 * Math.max(cooperation, sociability);
      const halfLife = this.definition.ranking.recency_half_life;
      for (const item of view.feed.slice(0, socialRules.feedItemsConsidered)) {
        const post = this.postsById.get(item.id);
        if (!post || post.author === id) continue;
        const belief = beliefOn(post.topic);
        const position = belief?.position ?? 0;
        const confidence = belief?.confidence ?? 0;
        const distance = post.stance === undefined ? 0.75 * epsilon : Math.abs(post.stance - position);
        // Bounded confidence: anything within ε / 2 is agreeable, fading linearly to nothing at ε.
        const agreement = Math.min(1, Math.max(0, 2 - (2 * distance) / epsilon));
        const following = this.follows(id, post.author);
        const trust = Math.min(1, baseTrust + (following ? socialRules.followTrustBonus : 0));
        // Strong stances engage more than lukewarm ones, new posts more than old.
        const salience =
          socialRules.salienceBase + (1 - socialRules.salienceBase) * Math.abs(post.stance ?? 0);
        const freshness = 2 ** (-Math.max(context.step - post.step - 1, 0) / halfLife);
        const appeal = agreement * trust * salience * freshness;
        const author = context.agents.get(post.author)?.spec.name ?? post.author;
        if (!post.likes.has(id)) {
          keep('like', {
            call: { tool: `${this.name}_like`, arguments: { post: post.id } },
            score: socialRules.like * appeal - 0.02,
            note: `like ${post.id} by ${author} (agreement ${agreement.toFixed(2)}, trust ${trust.toFixed(2)})`,
          });
        }
        if (!post.reposts.has(id)) {
          keep('repost', {
            call: { tool: `${this.name}_repost`, arguments: { post: post.id } },
            score: socialRules.repost * appeal * amplification - 0.02,
            note: `repost ${post.id} by ${author} (agreement ${agreement.toFixed(2)}, trust ${trust.toFixed(2)})`,
          });
        }
        if (!following && agreement >= 0.5 && trust >= socialRules.followTrust) {
          keep('follow', {
            call: { tool: `${this.name}_follow`, arguments: { agent: post.author } },
            score: socialRules.follow * appeal - 0.03,
            note: `follow ${author}, who agrees (agreement ${agreement.toFixed(2)})`,
          });
        }
        if (post.stance !== undefined && distance >= epsilon && belief) {
          const farness = Math.min((distance - epsilon) / epsilon, 1);
          const stance = roundStance(position);
          keep('reply', {
            call: {
              tool: `${this.name}_reply`,
              arguments: {
                post: post.id,
                text: `${stanceTag(post.topic, stance)} @${post.author} ${phraseFor(stance, random)}`,
                stance,
              },
            },
            score: socialRules.reply * confidence * farness * salience * freshness - 0.02,
            note: `argue against ${post.id} by ${author} (distance ${distance.toFixed(2)})`,
          });
          if (following) {
            keep('unfollow', {
              call: { tool: `${this.name}_unfollow`, arguments: { agent: post.author } },
              score: 0.06 * confidence - 0.04,
              note: `unfollow ${author}, too far apart (distance ${distance.toFixed(2)})`,
            });
          }
        }
      }
      candidates.push(...best.values());
    }
    return candidates
      .map((candidate, index) => ({ candidate, index }))
      .sort((first, second) => second.candidate.score - first.candidate.score || first.index - second.index)
      .slice(0, socialRules.maxCandidates)
      .map(({ candidate }) => candidate);
  }

  /** A post sharing the first event of this step that names a topic, if the agent shares it. */
  private newsCandidate(
    observation: Observation,
    topics: readonly string[],
    sociability: number,
    random: Random,
  ): RuleCandidate | undefined {
    for (const event of observation.events) {
      const tag = readStanceTags(event.description).find((entry) =>
        topics.some((topic) => tagMatches(entry.topic, topic)),
      );
      const topic = tag
        ? topics.find((name) => tagMatches(tag.topic, name))
        : topics.find((name) => tagMatches(event.type, name));
      if (topic === undefined) continue;
      if (random.next() >= 0.5 + 0.5 * sociability) return undefined;
      const stance = roundStance(tag?.stance ?? observation.beliefs[topic]?.position ?? 0);
      const body = event.description.replace(stanceTagPattern, '').replace(/\s+/g, ' ').trim();
      return {
        call: {
          tool: `${this.name}_post`,
          arguments: { text: `${stanceTag(topic, stance)} ${body}`, topic, stance },
        },
        score: socialRules.newsScore + socialRules.newsWeight * sociability,
        note: `share the news (${event.type}) on ${topic}`,
      };
    }
    return undefined;
  }

  /**
   * A topic to post on, drawn with weight |position| × (0.5 + confidence), or 0.5 for a topic without
   * a belief: an agent does not talk about what it has no view on (a rumour nobody has heard yet).
   * When every weight is 0, any topic, uniformly.
   */
  private chooseTopic(topics: readonly string[], observation: Observation, random: Random): string {
    let weights = topics.map((topic) => {
      const belief = observation.beliefs[topic];
      return belief ? Math.abs(belief.position) * (0.5 + belief.confidence) : 0.5;
    });
    if (weights.every((weight) => weight <= 0)) weights = topics.map(() => 1);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let draw = random.next() * total;
    for (const [index, topic] of topics.entries()) {
      draw -= weights[index] as number;
      if (draw < 0) return topic;
    }
    return topics[topics.length - 1] as string;
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
