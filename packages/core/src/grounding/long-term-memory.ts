import type { Passage } from './chunking';
import { type PassageHit, PassageIndex } from './document-index';
import { hybridQuery } from './hybrid-ranking';

/** Settings of one agent's long-term memory. */
export interface LongTermMemoryOptions {
  /** Archived entries recalled per step. @defaultValue 3 */
  recall?: number;
  /** Entries summarised together. @defaultValue 10 */
  block?: number;
  /** Summaries shown with the recalled entries (the latest ones). @defaultValue 2 */
  summaries?: number;
}

/** Something remembered: a line from the agent's own memory, or a message it received. */
export interface MemoryEntry {
  step: number;
  kind: 'memory' | 'message';
  /** Sender of a message. */
  from?: string;
  text: string;
}

/** What an agent recalls for one step: the most relevant old entries and the latest summaries. */
export interface Recollection {
  entries: MemoryEntry[];
  summaries: string[];
}

/**
 * Embeddings for recall, shared by a run's memories (the run's `MemoryEmbedder`, when its router
 * serves the embedding tier): it embeds the memories' new entries and the step's recall queries
 * before observations, and gives the query vectors to {@link LongTermMemory.recall}.
 */
export interface RecallEmbedder {
  /** False once embedding failed: recall is BM25 alone from then on. */
  readonly enabled: boolean;
  /** The vector of a query embedded for this step, if any. */
  queryVector(text: string): readonly number[] | undefined;
  /**
   * Embeds the memories' unembedded entries and the queries, in one batch; `standing` queries
   * (goals, asked every step) are kept for the run. Never throws.
   */
  prepare(
    memories: readonly LongTermMemory[],
    queries: readonly string[],
    step: number,
    standing?: readonly string[],
  ): Promise<void>;
}

/** The text of an entry that is embedded: a message with its sender, as BM25 indexes it. */
function embeddingTextOf(entry: MemoryEntry): string {
  return entry.from !== undefined ? `${entry.from}: ${entry.text}` : entry.text;
}

/** Longest recalled entry, in characters: a recollection is a reminder, not a transcript. */
const entryLimit = 280;

function stepOf(line: string): number {
  const match = /^Step (\d+)/.exec(line);
  return match ? Number(match[1]) : 0;
}

function describeBlock(entries: readonly MemoryEntry[]): string {
  // Trimmed lines are older than the messages archived beside them: the range is min to max.
  const steps = entries.map((entry) => entry.step);
  const first = Math.min(...steps);
  const last = Math.max(...steps);
  const counts = new Map<string, number>();
  for (const entry of entries) {
    let label: string;
    if (entry.kind === 'message') label = `message from ${entry.from ?? 'someone'}`;
    else {
      const event = /: event (\S+)/.exec(entry.text);
      const action = /: ([a-z_]+)\(/.exec(entry.text);
      label = event ? `event ${event[1]}` : action ? (action[1] as string) : 'note';
    }
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const parts = [...counts].map(([label, count]) => (count > 1 ? `${label} ×${count}` : label));
  return `Steps ${first}–${last}: ${parts.join(', ')}`;
}

/**
 * An agent's memory beyond its recent-memory window. Lines that fall out of the window, and
 * messages the agent read, are archived; every `block` entries become one summary line; the
 * archive is indexed (the same BM25 index as documents, one per agent) so the agent recalls what
 * matters now — what a supplier promised in step 5, when step 80's event names that supplier.
 * What reaches a prompt is bounded (`recall` entries of at most 280 characters and two
 * summaries) however long the run. Indexing is lazy: an agent that never recalls pays nothing.
 *
 * With an `embedder` (the run's router serves the embedding tier), entries are embedded in the
 * step after they are archived, and a query with a vector ranks by reciprocal rank fusion of BM25
 * and cosine similarity ({@link hybridQuery}), so "the harbour strike" recalls the supplier's
 * word about a walkout at the quay; a query without one (embeddings off or failed) by BM25 alone.
 */
export class LongTermMemory {
  private readonly index = new PassageIndex();
  private readonly entries: MemoryEntry[] = [];
  private readonly blockSummaries: string[] = [];
  private indexed = 0;
  private summarised = 0;
  private readonly options: Required<LongTermMemoryOptions>;
  /** Vectors of embedded entries, by entry id. */
  private readonly vectors = new Map<string, number[]>();
  private embedded = 0;

  /**
   * @param options - how much is recalled and summarised
   * @param embedder - embeddings for hybrid recall; without one, recall is BM25 alone
   */
  constructor(
    options: LongTermMemoryOptions = {},
    readonly embedder?: RecallEmbedder,
  ) {
    this.options = { recall: 3, block: 10, summaries: 2, ...options };
  }

  /** Texts of the entries archived since the last {@link takeVectors}, oldest first. */
  unembedded(): string[] {
    return this.entries.slice(this.embedded).map(embeddingTextOf);
  }

  /** Takes the vectors of the texts {@link unembedded} gave, in order. */
  takeVectors(vectors: readonly number[][]): void {
    vectors.forEach((vector, offset) => {
      this.vectors.set(String(this.embedded + offset), vector);
    });
    this.embedded += vectors.length;
  }

  /** Archives lines trimmed from the recent-memory window. */
  archive(lines: readonly string[]): void {
    for (const line of lines) this.add({ step: stepOf(line), kind: 'memory', text: line });
  }

  /** Archives a message the agent read (messages never enter the window itself). */
  archiveMessage(step: number, from: string, text: string): void {
    this.add({ step, kind: 'message', from, text });
  }

  private add(entry: MemoryEntry): void {
    this.entries.push(entry);
    while (this.entries.length - this.summarised >= this.options.block) {
      this.blockSummaries.push(
        describeBlock(this.entries.slice(this.summarised, this.summarised + this.options.block)),
      );
      this.summarised += this.options.block;
    }
  }

  /** How many entries are archived. */
  get size(): number {
    return this.entries.length;
  }

  /** True when {@link recall} can find entries: some are archived and `recall` is above 0. */
  get recalls(): boolean {
    return this.entries.length > 0 && this.options.recall > 0;
  }

  /** Every block summary so far, oldest first. */
  summaries(): string[] {
    return [...this.blockSummaries];
  }

  /**
   * The archived entries most relevant to `query` (best first) and the latest summaries. With
   * `also` (e.g. the messages just read), one of the `recall` places goes to its best match, so
   * a chatty inbox cannot crowd out what the agent's situation calls for.
   */
  recall(query: string, also = ''): Recollection {
    const summaries = this.blockSummaries.slice(-this.options.summaries);
    if (this.entries.length === 0 || this.options.recall === 0) return { entries: [], summaries };
    if (this.indexed < this.entries.length) {
      const fresh: Passage[] = this.entries.slice(this.indexed).map((entry, offset) => ({
        id: String(this.indexed + offset),
        document: entry.from ?? '',
        text: entry.text,
      }));
      this.index.addAll(fresh);
      this.indexed = this.entries.length;
    }
    const { recall } = this.options;
    // Exact terms, no prefix or fuzzy expansion: recall runs for every agent every step, and
    // expanding every term over a growing archive was most of a model-backed step's CPU.
    const hits = this.rank(query, also.trim() === '' ? recall : recall - 1);
    for (const hit of this.rank(also, recall)) {
      if (hits.length >= recall) break;
      if (!hits.some((taken) => taken.passage.id === hit.passage.id)) hits.push(hit);
    }
    const entries = hits.map((hit) => {
      const entry = this.entries[Number(hit.passage.id)] as MemoryEntry;
      return entry.text.length > entryLimit
        ? { ...entry, text: `${entry.text.slice(0, entryLimit - 1)}…` }
        : entry;
    });
    return { entries, summaries };
  }

  /** Hybrid when the query was embedded and entries have vectors, else BM25 on exact terms. */
  private rank(text: string, limit: number): PassageHit[] {
    const vector = this.embedder?.queryVector(text);
    if (!vector || this.vectors.size === 0) return this.index.query(text, limit, undefined, { exact: true });
    return hybridQuery(this.index, this.vectors, text, vector, limit, undefined, { exact: true });
  }
}
