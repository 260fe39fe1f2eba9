import type { AgentRuntime } from '../agents/agent-runtime';
import { contentHash, type EngagementKind } from '../beliefs/exposure';
import { type ActionOutcome, type EnvironmentContext, emptyOutcome } from './environment';
import type { InteractionKind } from './environment-schemas';
import { maxMessageLength } from './messaging-environment';
import {
  addFollow,
  defaultTopic,
  enumeratedMembersLimit,
  exposureOf,
  type Post,
  type SocialState,
  seenBy,
} from './social-state';
import { type ToolCallRequest, type ToolDefinition, validateToolArguments } from './tool';

/**
 * The tools a member may call now: `<name>_post`, `_reply`, `_like`, `_repost`, `_follow`, and
 * `_unfollow` once it follows someone. Non-members get none.
 */
export function socialTools(state: SocialState, agent: AgentRuntime): ToolDefinition[] {
  const id = agent.spec.id;
  if (!state.memberSet.has(id)) return [];
  const text = { type: 'string', description: 'What you write', maxLength: maxMessageLength };
  const stance = {
    type: 'number',
    minimum: -1,
    maximum: 1,
    description: 'Your stance on the topic, from -1 (against) to 1 (for); leave out if none',
  };
  const post = { type: 'string', description: 'Id of a post in your feed' };
  const topic =
    state.topics.length > 0
      ? { type: 'string', enum: state.topics, description: `Topic; ${state.topics[0]} when left out` }
      : { type: 'string', description: `Topic; ${defaultTopic} when left out` };
  const others =
    state.members.length <= enumeratedMembersLimit
      ? state.members.filter((other) => other !== id)
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
    name: `${state.name}_${verb}`,
    description,
    environment: state.name,
    parameters: { type: 'object', properties, required, additionalProperties: false },
  });
  const tools = [
    tool('post', `Publish a post on ${state.name}.`, { text, topic, stance }, ['text']),
    tool('reply', 'Reply to a post.', { post, text, stance }, ['post', 'text']),
    tool('like', 'Like a post.', { post }, ['post']),
    tool('repost', 'Repost a post to your followers.', { post }, ['post']),
    tool('follow', 'Follow an agent: their posts rank higher in your feed.', { agent: agentProperty }, [
      'agent',
    ]),
  ];
  if ((state.following.get(id)?.size ?? 0) > 0) {
    tools.push(tool('unfollow', 'Stop following an agent.', { agent: agentProperty }, ['agent']));
  }
  return tools;
}

/**
 * Applies one call of a social tool: validates it against {@link socialTools}, then posts, replies,
 * likes, reposts, follows or unfollows, recording the exposures and interactions it causes. Never
 * throws: bad calls come back `ok: false` with the reason.
 */
export function executeSocialCall(
  state: SocialState,
  agent: AgentRuntime,
  call: ToolCallRequest,
  context: EnvironmentContext,
): ActionOutcome {
  const id = agent.spec.id;
  if (!state.memberSet.has(id)) return emptyOutcome(false, `${id} is not a member of ${state.name}`);
  const tool = socialTools(state, agent).find((candidate) => candidate.name === call.tool);
  if (!tool) return emptyOutcome(false, `${state.name} offers no tool "${call.tool}" to ${id} now`);
  const problems = validateToolArguments(tool, call.arguments, (other) => {
    const runtime = context.agents.get(other);
    return state.memberSet.has(other) && runtime !== undefined && runtime.status !== 'terminated';
  });
  if (problems.length > 0) return emptyOutcome(false, problems.join('; '));
  const args = call.arguments;
  const verb = call.tool.slice(state.name.length + 1);
  const step = context.step;
  if (verb === 'post') {
    const topic = (args.topic as string | undefined) ?? state.topics[0] ?? defaultTopic;
    const created = createPost(
      state,
      id,
      topic,
      args.text as string,
      step,
      args.stance as number | undefined,
    );
    return emptyOutcome(true, `posted ${created.id} on ${topic}`);
  }
  if (verb === 'follow' || verb === 'unfollow')
    return changeFollow(state, id, verb, String(args.agent), step);
  const target = state.postsById.get(String(args.post));
  if (!target) return emptyOutcome(false, `no post "${String(args.post)}" on ${state.name}`);
  switch (verb) {
    case 'reply': {
      const replyStance = args.stance as number | undefined;
      const created = createPost(state, id, target.topic, args.text as string, step, replyStance, target.id);
      target.replies += 1;
      state.totals.replies += 1;
      state.engaged.add(target);
      engage(state, id, target, 'replied', 'reply', step, replyStance);
      return emptyOutcome(true, `replied ${created.id} to ${target.id}`);
    }
    case 'like':
    case 'repost': {
      if (target.author === id) return emptyOutcome(false, `cannot ${verb} your own post ${target.id}`);
      const set = verb === 'like' ? target.likes : target.reposts;
      if (set.has(id)) return emptyOutcome(false, `already ${verb}d ${target.id}`);
      set.add(id);
      state.totals[verb === 'like' ? 'likes' : 'reposts'] += 1;
      state.engaged.add(target);
      engage(state, id, target, verb === 'like' ? 'liked' : 'reposted', verb, step);
      return emptyOutcome(true, `${verb}d ${target.id} by ${target.author}`);
    }
    default:
      return emptyOutcome(false, `${state.name} has no tool "${call.tool}"`);
  }
}

function createPost(
  state: SocialState,
  author: string,
  topic: string,
  text: string,
  step: number,
  stance?: number,
  replyTo?: string,
): Post {
  const sequence = state.posts.length + 1;
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
  state.posts.push(post);
  state.postsById.set(post.id, post);
  return post;
}

function engage(
  state: SocialState,
  agentId: string,
  post: Post,
  engagement: EngagementKind,
  kind: InteractionKind,
  step: number,
  replyStance?: number,
): void {
  if (post.author === agentId) return;
  state.exposures.push({
    ...exposureOf(state, agentId, post, engagement),
    ...(replyStance !== undefined ? { replyStance } : {}),
  });
  seenBy(state, agentId).add(post.hash);
  state.interactions.push({ step, from: agentId, to: post.author, kind, environment: state.name });
}

function changeFollow(
  state: SocialState,
  id: string,
  verb: 'follow' | 'unfollow',
  other: string,
  step: number,
): ActionOutcome {
  if (other === id) return emptyOutcome(false, `cannot ${verb} yourself`);
  if (verb === 'follow') {
    if (!addFollow(state, id, other)) return emptyOutcome(false, `already following ${other}`);
  } else {
    const set = state.following.get(id);
    if (!set?.delete(other)) return emptyOutcome(false, `not following ${other}`);
    state.followers.set(other, (state.followers.get(other) ?? 1) - 1);
  }
  state.interactions.push({ step, from: id, to: other, kind: verb, environment: state.name });
  return emptyOutcome(true, `${verb}ed ${other}`);
}
