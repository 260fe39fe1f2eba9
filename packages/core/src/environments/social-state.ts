import type { EngagementKind, Exposure } from '../beliefs/exposure';
import { createRandom } from '../random';
import type {
  AgentInteraction,
  BridgeEvent,
  EnvironmentSetup,
  SocialEnvironmentDefinition,
} from './environment-schemas';

/** Topic of posts when the environment declares none. */
export const defaultTopic = 'general';
/** Worlds up to this many members list every other member in the follow tool's enum. */
export const enumeratedMembersLimit = 50;

/** One post on the feed, with who engaged with it. */
export interface Post {
  id: string;
  /** 1 for the first post, counting replies. */
  sequence: number;
  author: string;
  topic: string;
  stance?: number;
  text: string;
  step: number;
  replyTo?: string;
  /** Content hash of author, topic, stance and text: one exposure per reader and hash. */
  hash: string;
  likes: Set<string>;
  reposts: Set<string>;
  replies: number;
  trending: boolean;
}

/**
 * Everything a social environment holds, shared by its parts: the feed (`social-feed.ts`), the
 * actions (`social-actions.ts`) and the rule agents' moves (`social-rule-candidates.ts`).
 * {@link SocialEnvironment} is the facade over them.
 */
export interface SocialState {
  readonly name: string;
  readonly definition: SocialEnvironmentDefinition;
  readonly members: readonly string[];
  readonly memberSet: ReadonlySet<string>;
  /** The declared topics (possibly none: then {@link defaultTopic}). */
  readonly topics: string[];
  /** Every post, oldest first. */
  readonly posts: Post[];
  readonly postsById: Map<string, Post>;
  /** Whom each member follows. */
  readonly following: Map<string, Set<string>>;
  /** Follower count per member. */
  readonly followers: Map<string, number>;
  /** Content hashes each member has been shown or engaged with, in first-seen order. */
  readonly seen: Map<string, Set<string>>;
  /** Posts engaged with since the last tick: candidates for trending. */
  readonly engaged: Set<Post>;
  /** Exposures not yet published. */
  exposures: Exposure[];
  /** Bridge events not yet published. */
  events: BridgeEvent[];
  /** Interactions not yet published. */
  interactions: AgentInteraction[];
  readonly totals: { likes: number; reposts: number; replies: number; trending: number };
  /** The step of the last tick. */
  currentStep: number;
}

/** A fresh social state with the definition's initial follows. */
export function createSocialState(
  definition: SocialEnvironmentDefinition,
  setup: EnvironmentSetup,
): SocialState {
  const state: SocialState = {
    name: definition.name,
    definition,
    members: setup.members,
    memberSet: new Set(setup.members),
    topics: [...definition.topics],
    posts: [],
    postsById: new Map(),
    following: new Map(),
    followers: new Map(),
    seen: new Map(),
    engaged: new Set(),
    exposures: [],
    events: [],
    interactions: [],
    totals: { likes: 0, reposts: 0, replies: 0, trending: 0 },
    currentStep: 0,
  };
  seedFollows(state, setup);
  return state;
}

function seedFollows(state: SocialState, setup: EnvironmentSetup): void {
  const initial = state.definition.initial_follows;
  const roles = new Map(setup.agents.map((agent) => [agent.id, agent.role]));
  for (const member of state.members) {
    const others = state.members.filter((other) => other !== member);
    let targets: string[] = [];
    if (initial === 'all') targets = others;
    else if (initial === 'same-role')
      targets = others.filter((other) => roles.get(other) === roles.get(member));
    else if (typeof initial === 'object' && 'random' in initial) {
      const random = createRandom(setup.seed, ['environment', state.name, 'follows', member]);
      targets = random.shuffle(others).slice(0, initial.random);
    } else if (typeof initial === 'object') {
      targets = (initial.edges[member] ?? []).filter(
        (other) => state.memberSet.has(other) && other !== member,
      );
    }
    for (const target of targets) addFollow(state, member, target);
  }
}

/** Makes `from` follow `to`; false when it already did. */
export function addFollow(state: SocialState, from: string, to: string): boolean {
  const set = state.following.get(from) ?? new Set<string>();
  if (set.has(to)) return false;
  set.add(to);
  state.following.set(from, set);
  state.followers.set(to, (state.followers.get(to) ?? 0) + 1);
  return true;
}

/** Whether `from` follows `to`. */
export function follows(state: SocialState, from: string, to: string): boolean {
  return state.following.get(from)?.has(to) ?? false;
}

/** The content hashes an agent has seen, created empty on first use. */
export function seenBy(state: SocialState, agentId: string): Set<string> {
  let set = state.seen.get(agentId);
  if (!set) {
    set = new Set();
    state.seen.set(agentId, set);
  }
  return set;
}

/** The exposure of an agent to a post. */
export function exposureOf(
  state: SocialState,
  agentId: string,
  post: Post,
  engagement: EngagementKind,
): Exposure {
  return {
    agentId,
    author: post.author,
    topic: post.topic,
    ...(post.stance !== undefined ? { stance: post.stance } : {}),
    hash: post.hash,
    engagement,
    source: state.name,
    contentId: post.id,
  };
}
