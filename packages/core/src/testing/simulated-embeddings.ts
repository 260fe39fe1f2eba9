/**
 * Deterministic embeddings for the {@link SimulatedModelServer}'s `POST /v1/embeddings`: a hashed
 * bag of words, with synonym groups folded onto one word, so texts that share words (or words of
 * one group: "walkout" and "strike") point the same way and their cosine similarity is testable.
 */

/** How the simulated server embeds, or fails to. */
export interface SimulatedEmbeddingOptions {
  /** Length of every vector. @defaultValue 128 */
  dimensions?: number;
  /** Groups of words embedded as one word. @defaultValue {@link defaultSynonymGroups} */
  synonyms?: ReadonlyArray<readonly string[]>;
  /**
   * Fail every embedding request: `server-error` (500), `unavailable` (503 with `retry-after`),
   * `not-found` (404, as a chat-only server answers).
   */
  failure?: 'server-error' | 'unavailable' | 'not-found';
}

/** Synonym groups of the business documents the tests and samples use. */
export const defaultSynonymGroups: ReadonlyArray<readonly string[]> = [
  ['strike', 'walkout', 'stoppage', 'picket', 'industrial'],
  ['delay', 'late', 'lateness', 'postpone', 'overdue', 'hold'],
  ['price', 'cost', 'tariff', 'fee', 'charge', 'expensive', 'cheap'],
  ['penalty', 'fine', 'compensation', 'damages', 'liquidated', 'rebate'],
  ['supplier', 'vendor', 'provider', 'manufacturer'],
  ['customer', 'client', 'buyer', 'purchaser'],
  ['shipment', 'delivery', 'deliver', 'freight', 'cargo', 'ship', 'shipping'],
  ['stock', 'inventory', 'reserve', 'warehouse', 'buffer'],
  ['cancel', 'terminate', 'termination', 'cancellation', 'end'],
  ['port', 'harbour', 'harbor', 'dock', 'dockworker', 'quay'],
];

const stopWords = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with you your our we i me my not no'.split(
    ' ',
  ),
);

/** A word's stem: lowercased, a plural or possessive `s` dropped. */
function stem(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

/** Maps every word of every group (stemmed) to the group's first word. */
export function synonymTable(groups: ReadonlyArray<readonly string[]>): Map<string, string> {
  const table = new Map<string, string>();
  for (const group of groups) {
    const head = stem((group[0] ?? '').toLowerCase());
    for (const word of group) table.set(stem(word.toLowerCase()), head);
  }
  return table;
}

/**
 * The simulated embedding of a text: each word (stop words and words under 3 letters left out,
 * stemmed, synonyms folded) adds `1 + ln(count)` to a hashed dimension with a hashed sign; the
 * vector is scaled to unit length and rounded to 6 decimals. An empty text gives zeros.
 */
export function simulatedEmbedding(
  text: string,
  dimensions: number,
  synonyms: Map<string, string>,
): number[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (word.length < 3 || stopWords.has(word)) continue;
    const stemmed = stem(word);
    const folded = synonyms.get(stemmed) ?? stemmed;
    counts.set(folded, (counts.get(folded) ?? 0) + 1);
  }
  const vector = new Array<number>(dimensions).fill(0);
  for (const [word, count] of counts) {
    const hashed = hash(word);
    const dimension = hashed % dimensions;
    vector[dimension] =
      (vector[dimension] as number) + (hashed & 0x80000000 ? -1 : 1) * (1 + Math.log(count));
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => (norm === 0 ? 0 : Number((value / norm).toFixed(6))));
}

/** An OpenAI `/v1/embeddings` reply body for these vectors. */
export function openAIEmbeddingList(vectors: number[][], model: string, promptTokens: number) {
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
