import type { AgentRuntime } from '../agents/agent-runtime';
import type { EnvironmentContext } from '../environments/environment';
import type { ToolCallRequest } from '../environments/tool';
import { embeddingTier, embedTexts } from '../model/embeddings';
import type { ChatRouter } from '../model/run-recording';
import { isProviderError } from '../model/types';
import type { Passage } from './chunking';
import { type PassageHit, type PassageIndex, queryTerms } from './document-index';
import { DocumentSearchEnvironment } from './document-search-environment';
import { embeddingText, hybridQuery } from './hybrid-ranking';

/** Longest query text embedded, in characters (a long inbox is cut; its BM25 query is too). */
const queryTextLimit = 2000;

/** Options of a {@link DocumentEmbedder}. */
export interface DocumentEmbedderOptions {
  /** Recorded with every embedding call. */
  runId?: string;
  /** The tier to ask. @defaultValue {@link embeddingTier} */
  target?: string;
  /** Told once, when embeddings fail and search falls back to BM25. */
  warn: (message: string) => void;
}

/**
 * A run's embedding calls for document search, through the run's router (so they are recorded
 * with the run and replayed with it). The first failure — endpoint down, unusable reply, budget
 * spent, nothing recorded — switches embeddings off for the rest of the run with one warning:
 * search goes on by BM25, and a replay, failing the same recorded way, does the same.
 */
export class DocumentEmbedder {
  #failed = false;

  constructor(
    private readonly router: ChatRouter,
    private readonly options: DocumentEmbedderOptions,
  ) {}

  /** False once an embedding call has failed. */
  get enabled(): boolean {
    return !this.#failed;
  }

  /** Vectors of `texts` in order, or undefined when embeddings are (or just went) off. */
  async embed(texts: readonly string[], step: number): Promise<number[][] | undefined> {
    if (this.#failed) return undefined;
    if (texts.length === 0) return [];
    try {
      const { vectors } = await embedTexts(this.router, texts, {
        ...(this.options.target ? { target: this.options.target } : {}),
        ...(this.options.runId ? { runId: this.options.runId } : {}),
        step,
      });
      return vectors;
    } catch (error) {
      this.#failed = true;
      // The code only: a replayed failure carries the same code but a marked message.
      const code = isProviderError(error) ? error.code : 'ERROR';
      this.options.warn(
        `document search: the ${this.options.target ?? embeddingTier} tier failed at step ${step} (${code}); documents are ranked by BM25 alone for the rest of the run`,
      );
      return undefined;
    }
  }
}

/**
 * The documents environment with hybrid ranking, used when the model configuration has an
 * embedding tier. Passage vectors are computed once per run, on its first step (batched, before
 * any observation); query vectors are computed in the step's two asynchronous moments, since
 * `observe` and `execute` are synchronous: before observations are built (each individual
 * agent's situation queries, one batch) and before tool calls are applied (the step's
 * `search_documents` queries, one batch). A query with a vector ranks by BM25 and cosine
 * similarity fused ({@link hybridQuery}); one without (embeddings off or failed) by BM25 alone.
 */
export class HybridDocumentSearchEnvironment extends DocumentSearchEnvironment {
  private passageVectors: Map<string, number[]> | undefined;
  private passagesTried = false;
  /** Vectors of agents' standing queries (role, persona, goals), kept for the run. */
  private readonly standingVectors = new Map<string, number[]>();
  /** Vectors of this step's queries, replaced each step. */
  private queryVectors = new Map<string, number[]>();

  constructor(
    index: PassageIndex,
    passagesPerObservation: number,
    private readonly embedder: DocumentEmbedder,
  ) {
    super(index, passagesPerObservation);
  }

  /** Embeds the passages, once; true when vectors are there to rank with. */
  private async passagesReady(step: number): Promise<boolean> {
    if (!this.passagesTried) {
      this.passagesTried = true;
      const passages = this.index.all();
      const vectors = await this.embedder.embed(passages.map(embeddingText), step);
      if (vectors) this.passageVectors = new Map(passages.map((passage, at) => [passage.id, vectors[at]!]));
    }
    return this.passageVectors !== undefined && this.embedder.enabled;
  }

  /**
   * Embeds, in one batch, the texts not embedded yet (first-seen order, texts without query terms
   * left out, as BM25 leaves them out), each into the map it is paired with.
   */
  private async embedInto(
    wanted: ReadonlyArray<readonly [string, Map<string, number[]>]>,
    step: number,
  ): Promise<void> {
    const fresh = new Map<string, Map<string, number[]>>();
    for (const [text, into] of wanted) {
      if (fresh.has(text) || into.has(text) || this.standingVectors.has(text)) continue;
      if (queryTerms(text).length > 0) fresh.set(text, into);
    }
    if (fresh.size === 0) return;
    const texts = [...fresh.keys()];
    const vectors = await this.embedder.embed(
      texts.map((text) => text.slice(0, queryTextLimit)),
      step,
    );
    if (!vectors) return;
    texts.forEach((text, at) => {
      fresh.get(text)!.set(text, vectors[at]!);
    });
  }

  /** Before observations: the passages (first step), then the acting agents' situation queries. */
  async beforeObserve(agents: readonly AgentRuntime[], context: EnvironmentContext): Promise<void> {
    this.queryVectors = new Map();
    if (this.passagesPerObservation <= 0) return;
    const individuals = agents.filter((agent) => agent.spec.population === undefined);
    if (individuals.length === 0 || !(await this.passagesReady(context.step))) return;
    const wanted: Array<readonly [string, Map<string, number[]>]> = [];
    for (const agent of individuals) {
      const { now, standing } = this.situationQueries(agent, context);
      wanted.push([standing, this.standingVectors], [now, this.queryVectors]);
    }
    await this.embedInto(wanted, context.step);
  }

  /** Before tool calls are applied: the step's `search_documents` queries. */
  async beforeExecute(
    calls: ReadonlyArray<{ agent: AgentRuntime; call: ToolCallRequest }>,
    context: EnvironmentContext,
  ): Promise<void> {
    const queries = calls
      .filter(({ call }) => call.tool === 'search_documents' && typeof call.arguments.query === 'string')
      .map(({ call }) => (call.arguments.query as string).slice(0, 300));
    if (queries.length === 0 || !(await this.passagesReady(context.step))) return;
    await this.embedInto(
      queries.map((query) => [query, this.queryVectors] as const),
      context.step,
    );
  }

  protected override rank(text: string, limit: number, boost?: (passage: Passage) => number): PassageHit[] {
    const vector = this.queryVectors.get(text) ?? this.standingVectors.get(text);
    if (!vector || !this.passageVectors || !this.embedder.enabled) return super.rank(text, limit, boost);
    return hybridQuery(this.index, this.passageVectors, text, vector, limit, boost);
  }
}
