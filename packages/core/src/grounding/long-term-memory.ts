import type { Passage } from './chunking';
import { PassageIndex } from './document-index';

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
 */
export class LongTermMemory {
  private readonly index = new PassageIndex();
  private readonly entries: MemoryEntry[] = [];
  private readonly blockSummaries: string[] = [];
  private indexed = 0;
  private summarised = 0;
  private readonly options: Required<LongTermMemoryOptions>;

  constructor(options: LongTermMemoryOptions = {}) {
    this.options = { recall: 3, block: 10, summaries: 2, ...options };
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
    const hits = this.index.query(query, also.trim() === '' ? recall : recall - 1, undefined, {
      exact: true,
    });
    for (const hit of this.index.query(also, recall, undefined, { exact: true })) {
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
}
