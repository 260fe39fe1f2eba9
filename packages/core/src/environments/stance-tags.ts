/** A stance found in text: `#rumour +0.62` says "stance +0.62 on topic rumour". */
export interface StanceTag {
  /** The tag as written, without `#` (a topic name with `_` for spaces). */
  topic: string;
  /** In [-1, 1]. */
  stance: number;
}

/** Matches one stance tag, `#<topic> <signed number>`; global, so use it with `matchAll`/`replace`. */
export const stanceTagPattern = /#([\p{L}\p{N}_.-]+)\s+([+-]?\d+(?:\.\d+)?)/gu;

/** The tag form of a topic name: spaces become `_`. */
export function tagNameOf(topic: string): string {
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
