import { citationOf, type Passage } from './chunking';
import type { PassageHit, PassageIndex } from './document-index';

/**
 * The `k` of reciprocal rank fusion: a passage at rank `r` of a ranking adds `1 / (k + r)`. 60 is
 * the value of Cormack, Clarke and Büttcher (2009), used by most hybrid search engines; it lets a
 * passage near the top of both rankings beat one at the top of only one.
 */
export const fusionK = 60;

/** How deep each ranking (BM25, cosine) is read before fusing. */
export const fusionDepth = 50;

/** Cosine similarity of two vectors of one length; 0 when either is all zeros. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] as number;
    const y = (b[index] ?? 0) as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/**
 * Reciprocal rank fusion of rankings of ids (best first): each id scores the sum of `1 / (k + r)`
 * over the rankings it appears in at 1-based rank `r`. Best first; equal scores by id.
 */
export function reciprocalRankFusion(
  rankings: ReadonlyArray<readonly string[]>,
  k = fusionK,
): Array<{ id: string; score: number }> {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, position) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + position + 1));
    });
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

/** The text of a passage that is embedded: its section heading (when it has one), then its text. */
export function embeddingText(passage: Passage): string {
  return passage.section ? `${passage.section}\n${passage.text}` : passage.text;
}

/**
 * Hybrid search over a {@link PassageIndex}: the BM25 ranking of `text` and the ranking of the
 * passages by cosine similarity of their vectors to `queryVector` (positive similarities only),
 * each read {@link fusionDepth} deep and fused by {@link reciprocalRankFusion}. `boost` weighs a
 * passage in both rankings (its BM25 score and its similarity are multiplied) before fusing. The
 * hit's score is the fused score, rounded to 6 decimals. `options.exact` is passed to the BM25
 * ranking ({@link PassageIndex.query}: exact terms, no prefix or fuzzy matching), as long-term
 * memory ranks.
 */
export function hybridQuery(
  index: PassageIndex,
  vectors: ReadonlyMap<string, readonly number[]>,
  text: string,
  queryVector: readonly number[],
  limit: number,
  boost?: (passage: Passage) => number,
  options: { exact?: boolean } = {},
): PassageHit[] {
  if (limit <= 0) return [];
  const lexical = index.query(text, fusionDepth, boost, options).map((hit) => hit.passage.id);
  const semantic: Array<{ id: string; similarity: number }> = [];
  for (const [id, vector] of vectors) {
    const passage = index.get(id);
    if (!passage) continue;
    const similarity = cosineSimilarity(queryVector, vector) * (boost ? boost(passage) : 1);
    if (similarity > 0) semantic.push({ id, similarity });
  }
  semantic.sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : 1));
  const fused = reciprocalRankFusion([lexical, semantic.slice(0, fusionDepth).map((entry) => entry.id)]);
  return fused.slice(0, limit).map(({ id, score }) => {
    const passage = index.get(id) as Passage;
    return { passage, score: Number(score.toFixed(6)), citation: citationOf(passage) };
  });
}
