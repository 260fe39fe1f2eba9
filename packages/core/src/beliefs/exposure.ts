import { createHash } from 'node:crypto';

/** How an agent met a piece of content: read it in a feed, or engaged with it. */
export type EngagementKind = 'read' | 'liked' | 'reposted' | 'replied';

/**
 * One agent's contact with one piece of content that carries a stance on a topic. Environments
 * record these (the social feed does when it shows a post and when an agent engages with one);
 * the belief store turns them into opinion changes.
 */
export interface Exposure {
  /** The agent who read or engaged. */
  agentId: string;
  /** Who wrote the content. */
  author: string;
  topic: string;
  /** The content's stance in [-1, 1]; content without one changes no position. */
  stance?: number;
  /** Content hash ({@link contentHash}); a `read` of a hash the agent has seen before is skipped. */
  hash: string;
  engagement: EngagementKind;
  /** For `replied`: the stance of the agent's own reply, which tells agreeing from arguing back. */
  replyStance?: number;
  /** The environment it happened in. */
  source?: string;
  /** The post or message id, for tracing. */
  contentId?: string;
}

/** A short, stable hash of content (first 16 hex digits of SHA-256 over the parts, NUL-joined). */
export function contentHash(parts: ReadonlyArray<string | number | undefined>): string {
  return createHash('sha256')
    .update(parts.map((part) => (part === undefined ? '' : String(part))).join('\u0000'))
    .digest('hex')
    .slice(0, 16);
}
