import type { AgentRuntime } from '../agents/agent-runtime';
import type { MessageRecord } from '../engine/run-events';
import type { EnvironmentContext } from '../environments/environment';
import { embeddingTier, embedTexts } from '../model/embeddings';
import type { ChatRouter } from '../model/router-types';
import { isProviderError } from '../model/types';
import { queryTerms } from './document-index';
import type { LongTermMemory, RecallEmbedder } from './long-term-memory';

/** Longest text embedded, in characters (a long inbox is cut; its BM25 query is too). */
const textLimit = 2000;

/** What an agent's recall asks for in one step: its situation, and what its new messages recall. */
export interface RecallQuery {
  /** The step's events that reach the agent, then its goals. */
  situation: string;
  /** The messages it reads this step (sender and text); empty without any. */
  also: string;
}

/**
 * The recall query of an agent for one step: what happens to it now (`events`) and what it wants
 * (its goals) is the situation; the messages it reads (`inbox`) the second query, which keeps one
 * recall place. Observations and the embedding step before them build it the same way.
 */
export function recallQueryOf(
  agent: AgentRuntime,
  inbox: readonly MessageRecord[],
  events: ReadonlyArray<{ type: string; description: string }>,
): RecallQuery {
  return {
    situation: [
      ...events.map((event) => `${event.type.replace(/_/g, ' ')} ${event.description}`),
      ...agent.spec.goals.map((goal) => goal.description ?? ''),
    ].join(' '),
    also: inbox.map((message) => `${message.from} ${message.text}`).join(' '),
  };
}

/** Options of a {@link MemoryEmbedder}. */
export interface MemoryEmbedderOptions {
  /** Recorded with every embedding call. */
  runId?: string;
  /** The tier to ask. @defaultValue {@link embeddingTier} */
  target?: string;
  /** Told once, when embeddings fail and recall falls back to BM25. */
  warn: (message: string) => void;
}

/**
 * A run's embedding calls for long-term memory, shared by its agents, through the run's router
 * (so they are recorded and replayed with the run). Once per step, before observations, one batch
 * carries every entry the acting agents archived since they last acted and their recall queries
 * (deduplicated, first-seen order); the requests depend only on the run's state, so a replay or a
 * resume asks exactly what was recorded. The first failure (endpoint down, unusable reply, budget
 * spent, nothing recorded) switches embeddings off for the rest of the run with one warning, and
 * recall goes on by BM25.
 */
export class MemoryEmbedder implements RecallEmbedder {
  #failed = false;
  /** Vectors of this step's recall queries, by text (carried over while a text is asked again). */
  #queries = new Map<string, number[]>();
  /** Vectors of standing queries (an agent's goals, its situation when no event reaches it), kept for the run. */
  readonly #standing = new Map<string, number[]>();

  constructor(
    private readonly router: ChatRouter,
    private readonly options: MemoryEmbedderOptions,
  ) {}

  /** False once an embedding call has failed. */
  get enabled(): boolean {
    return !this.#failed;
  }

  /** The vector of a query embedded for this step (or a standing one), when embeddings are on. */
  queryVector(text: string): readonly number[] | undefined {
    return this.#failed ? undefined : (this.#queries.get(text) ?? this.#standing.get(text));
  }

  /**
   * Embeds, in one batch (split by {@link embedTexts} above its batch size), the memories' new
   * entries and the queries not embedded yet; texts without query terms are left out, as BM25
   * leaves them out. `standing` queries are kept for the run, the others for this call. Never
   * throws: a failure switches embeddings off.
   */
  async prepare(
    memories: readonly LongTermMemory[],
    queries: readonly string[],
    step: number,
    standing: readonly string[] = [],
  ): Promise<void> {
    if (this.#failed) return;
    const previous = this.#queries;
    const next = new Map<string, number[]>();
    const fresh = new Map<string, Map<string, number[]>>();
    const want = (query: string, into: Map<string, number[]>) => {
      if (fresh.has(query) || next.has(query) || this.#standing.has(query)) return;
      const known = previous.get(query);
      if (known) next.set(query, known);
      else if (queryTerms(query).length > 0) fresh.set(query, into);
    };
    for (const query of standing) want(query, this.#standing);
    for (const query of queries) want(query, next);
    this.#queries = next;
    const pending = memories.map((memory) => memory.unembedded());
    const texts = [...pending.flat(), ...fresh.keys()];
    if (texts.length === 0) return;
    let vectors: number[][];
    try {
      ({ vectors } = await embedTexts(
        this.router,
        texts.map((text) => text.slice(0, textLimit)),
        {
          ...(this.options.target ? { target: this.options.target } : {}),
          ...(this.options.runId ? { runId: this.options.runId } : {}),
          step,
        },
      ));
    } catch (error) {
      this.#failed = true;
      // The code only: a replayed failure carries the same code but a marked message.
      const code = isProviderError(error) ? error.code : 'ERROR';
      this.options.warn(
        `long-term memory: the ${this.options.target ?? embeddingTier} tier failed at step ${step} (${code}); memories are recalled by BM25 alone for the rest of the run`,
      );
      return;
    }
    let at = 0;
    memories.forEach((memory, position) => {
      const count = (pending[position] as string[]).length;
      memory.takeVectors(vectors.slice(at, at + count));
      at += count;
    });
    for (const [query, into] of fresh) into.set(query, vectors[at++] as number[]);
  }
}

/**
 * Before the acting agents' observations: embeds, in one batch, what their long-term memories
 * archived since they last acted and this step's recall queries (the same text the observation
 * will recall with: the messages are peeked, not read). Agents whose memory has no embedder, or
 * nothing archived yet, are left out; with none left, nothing is asked.
 */
export async function prepareRecall(
  acting: readonly AgentRuntime[],
  events: ReadonlyArray<{ type: string; description: string; affects?: ReadonlySet<string> }>,
  context: EnvironmentContext,
): Promise<void> {
  const byEmbedder = new Map<
    RecallEmbedder,
    { memories: LongTermMemory[]; queries: string[]; standing: string[] }
  >();
  for (const agent of acting) {
    const memory = agent.longTermMemory;
    const embedder = memory?.embedder;
    // Nothing archived yet, or nothing recalled: recall finds nothing, so nothing is asked.
    if (!memory || !embedder?.enabled || !memory.recalls) continue;
    const id = agent.spec.id;
    const reached = events.filter((event) => !event.affects || event.affects.has(id));
    const { situation, also } = recallQueryOf(agent, context.messages.unread(id), reached);
    const batch = byEmbedder.get(embedder) ?? { memories: [], queries: [], standing: [] };
    batch.memories.push(memory);
    (reached.length === 0 ? batch.standing : batch.queries).push(situation);
    batch.queries.push(also);
    byEmbedder.set(embedder, batch);
  }
  for (const [embedder, { memories, queries, standing }] of byEmbedder)
    await embedder.prepare(memories, queries, context.step, standing);
}
