import {
  defaultTopic,
  enumeratedMembersLimit,
  exposureOf,
  type Post,
  type SocialState,
  seenBy,
} from './social-state';

/** Newest posts considered for one feed; older ones fall out even inside the window. */
const maxFeedCandidates = 500;

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

/**
 * The feed a member would see at `step`, best first, without recording exposures. Pure: the same
 * state gives the same feed. The ranking is described on {@link SocialEnvironment}.
 */
export function rankedFeed(state: SocialState, agentId: string, step: number): FeedItem[] {
  if (!state.memberSet.has(agentId)) return [];
  const { ranking, window, feed_size: feedSize, scope } = state.definition;
  const follows = state.following.get(agentId);
  const scored: Array<{ post: Post; score: number; followed: boolean; repostedBy: string[] }> = [];
  let considered = 0;
  for (let index = state.posts.length - 1; index >= 0 && considered < maxFeedCandidates; index--) {
    const post = state.posts[index] as Post;
    if (post.step <= step - window) break;
    if (post.author === agentId) continue;
    considered += 1;
    const repostedBy: string[] = [];
    if (follows) for (const reposter of post.reposts) if (follows.has(reposter)) repostedBy.push(reposter);
    const followed = (follows?.has(post.author) ?? false) || repostedBy.length > 0;
    const answersReader = post.replyTo !== undefined && state.postsById.get(post.replyTo)?.author === agentId;
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
 * What a member sees now — feed, follows, follower count — without recording anything. Non-members
 * get an empty view.
 */
export function socialViewOf(state: SocialState, agentId: string, step: number): Record<string, unknown> {
  if (!state.memberSet.has(agentId)) return {};
  const view: SocialView = {
    feed: rankedFeed(state, agentId, step).map(({ score: _score, ...item }) => item),
    following: [...(state.following.get(agentId) ?? [])].slice(0, enumeratedMembersLimit),
    followers: state.followers.get(agentId) ?? 0,
    topics: state.topics.length > 0 ? [...state.topics] : [defaultTopic],
  };
  return view;
}

/** Records a `read` exposure for each post of a member's view that it has not seen before. */
export function recordFeedExposures(state: SocialState, agentId: string, view: SocialView): void {
  const seen = seenBy(state, agentId);
  for (const item of view.feed) {
    const post = state.postsById.get(item.id) as Post;
    if (seen.has(post.hash)) continue;
    seen.add(post.hash);
    state.exposures.push(exposureOf(state, agentId, post, 'read'));
  }
}
