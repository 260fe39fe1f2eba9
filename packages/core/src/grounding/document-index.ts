import MiniSearch from 'minisearch';
import { citationOf, type Passage } from './chunking';

/** A passage found for a query, with its BM25 score and how to cite it. */
export interface PassageHit {
  passage: Passage;
  score: number;
  /** `document p.N` or `document § section`. */
  citation: string;
}

/** Words too common to tell passages apart; left out of queries built from agent context. */
/** Distinct terms a query keeps (see {@link DocumentIndex.query}). */
export const maxQueryTerms = 24;

const stopWords = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with you your our we i me my not no'.split(
    ' ',
  ),
);

/** Lowercase words of a text without stop words: for building queries from goals, events, roles. */
export function queryTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter(
    (word) => word.length > 2 && !stopWords.has(word),
  );
}

/**
 * A BM25 index over passages (MiniSearch), with prefix and light fuzzy matching so "strikes"
 * finds "strike". Deterministic: equal scores are ordered by passage id. Used for the company's
 * documents and, one per agent, for long-term memory.
 */
export class PassageIndex {
  private readonly search = new MiniSearch<Passage>({
    fields: ['text', 'section', 'document'],
    storeFields: ['id'],
    searchOptions: { boost: { section: 1.5 }, prefix: true, fuzzy: 0.15, combineWith: 'OR' },
  });
  private readonly passages = new Map<string, Passage>();

  constructor(passages: readonly Passage[] = []) {
    this.addAll(passages);
  }

  /** Adds passages; ids must be new. */
  addAll(passages: readonly Passage[]): void {
    const fresh = passages.filter((passage) => !this.passages.has(passage.id));
    for (const passage of fresh) this.passages.set(passage.id, passage);
    this.search.addAll(fresh.map((passage) => ({ ...passage, section: passage.section ?? '' })));
  }

  /** How many passages the index holds. */
  get size(): number {
    return this.passages.size;
  }

  /** The passage with this id, if the index holds it. */
  get(id: string): Passage | undefined {
    return this.passages.get(id);
  }

  /** Every passage, in the order added. */
  all(): Passage[] {
    return [...this.passages.values()];
  }

  /**
   * The best passages for a query, best first; empty for an empty query. `boost` multiplies a
   * passage's score (e.g. the documents that name the asking agent). The query keeps its first
   * {@link maxQueryTerms} distinct terms: fuzzy matching costs per term, and a long query (an inbox,
   * a step's events) would otherwise cost milliseconds per agent per step.
   */
  query(
    text: string,
    limit = 3,
    boost?: (passage: Passage) => number,
    options: { exact?: boolean } = {},
  ): PassageHit[] {
    if (limit <= 0) return [];
    const terms = [...new Set(queryTerms(text))].slice(0, maxQueryTerms);
    if (terms.length === 0) return [];
    return this.search
      .search(terms.join(' '), {
        ...(boost ? { boostDocument: (id) => boost(this.passages.get(String(id)) as Passage) } : {}),
        ...(options.exact ? { fuzzy: false, prefix: false } : {}),
      })
      .map((result) => ({ passage: this.passages.get(String(result.id)) as Passage, score: result.score }))
      .sort((a, b) => b.score - a.score || (a.passage.id < b.passage.id ? -1 : 1))
      .slice(0, limit)
      .map((hit) => ({ ...hit, score: Number(hit.score.toFixed(6)), citation: citationOf(hit.passage) }));
  }

  /** The documents with a passage containing `phrase` (case-insensitive). */
  documentsMentioning(phrase: string): Set<string> {
    const wanted = phrase.toLowerCase();
    const documents = new Set<string>();
    if (wanted.trim() === '') return documents;
    for (const passage of this.passages.values()) {
      if (passage.text.toLowerCase().includes(wanted)) documents.add(passage.document);
    }
    return documents;
  }

  /** A summary, not the index: scenarios and run records serialise without the passages' index. */
  toJSON(): Record<string, unknown> {
    return {
      passages: this.passages.size,
      documents: [...new Set(this.all().map((passage) => passage.document))],
    };
  }
}
