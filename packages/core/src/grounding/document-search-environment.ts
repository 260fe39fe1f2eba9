import type { AgentRuntime } from '../agents/agent-runtime';
import {
  type ActionOutcome,
  type Environment,
  type EnvironmentContext,
  emptyOutcome,
} from '../environments/environment';
import type { ToolCallRequest, ToolDefinition } from '../environments/tool';
import type { Passage } from './chunking';
import type { PassageHit, PassageIndex } from './document-index';
import { type DocumentsView, documentsEnvironmentName, type SeenPassage } from './documents-view';

/** Most passages one search returns. */
const maxResults = 5;
/** Memory lines (recent events and deeds) that feed the automatic query. */
const recentLines = 4;

function seen(hit: PassageHit): SeenPassage {
  const { passage } = hit;
  return {
    citation: hit.citation,
    document: passage.document,
    ...(passage.page !== undefined ? { page: passage.page } : {}),
    ...(passage.section ? { section: passage.section } : {}),
    text: passage.text,
  };
}

/**
 * The company's documents as an environment. Every agent gets the `search_documents` tool; what a
 * search finds is shown in the agent's next observation (as fenced document passages, never in
 * the tool result or memory, so document text only ever reaches a prompt inside the data fence).
 * Each step, individual agents (not members of large populations) also get the passages that best
 * match their situation — role, persona, goals, recent events and messages — which is what rule
 * agents cite in their rationale.
 */
export class DocumentSearchEnvironment implements Environment {
  readonly name = documentsEnvironmentName;
  private readonly searched = new Map<string, SeenPassage[]>();
  private readonly ownDocuments = new Map<string, Set<string>>();

  constructor(
    protected readonly index: PassageIndex,
    /** Passages retrieved automatically per observation. @defaultValue 2 */
    protected readonly passagesPerObservation = 2,
  ) {}

  /**
   * The best passages for a query, best first: BM25 here; {@link HybridDocumentSearchEnvironment}
   * fuses it with embedding similarity when the query was embedded.
   */
  protected rank(text: string, limit: number, boost?: (passage: Passage) => number): PassageHit[] {
    return this.index.query(text, limit, boost);
  }

  tools(): ToolDefinition[] {
    return [
      {
        name: 'search_documents',
        description:
          "Search the company's documents (contracts, policies, notes, data files). Matching passages, with document and page to cite, are shown to you next step.",
        environment: this.name,
        parameters: {
          type: 'object',
          properties: {
            query: { type: 'string', description: 'Words to look for', maxLength: 300 },
            limit: { type: 'integer', description: 'How many passages', minimum: 1, maximum: maxResults },
          },
          required: ['query'],
          additionalProperties: false,
        },
      },
    ];
  }

  execute(agent: AgentRuntime, call: ToolCallRequest): ActionOutcome {
    if (call.tool !== 'search_documents') return emptyOutcome(false, `unknown tool ${call.tool}`);
    const query = call.arguments.query;
    if (typeof query !== 'string' || query.trim() === '') {
      return emptyOutcome(false, 'search_documents: query must be a non-empty string');
    }
    const limit =
      typeof call.arguments.limit === 'number'
        ? Math.min(maxResults, Math.max(1, Math.round(call.arguments.limit)))
        : 3;
    const hits = this.rank(query.slice(0, 300), limit);
    this.searched.set(agent.spec.id, hits.map(seen));
    // The result names sources only: the text itself reaches the agent inside the document fence.
    return emptyOutcome(
      true,
      hits.length === 0
        ? 'no passage matches'
        : `found ${hits.length} passage${hits.length === 1 ? '' : 's'} (${hits.map((hit) => hit.citation).join('; ')}), shown next step`,
    );
  }

  /**
   * What to look up for an agent: `now` is what is happening to it (recent events, its latest
   * messages), `standing` who it is and what it wants (role, persona, goals).
   */
  situationQueries(agent: AgentRuntime, context: EnvironmentContext): { now: string; standing: string } {
    const { spec } = agent;
    const inbox = context.messages.peek(spec.id).map((message) => message.text);
    // "Step 5: event port_strike — Dockworkers strike…" → "port strike Dockworkers strike…"
    const recent = agent.memory
      .slice(-recentLines)
      .filter((line) => line.includes(': event '))
      .map((line) => line.replace(/^Step \d+: event /, '').replace(/_/g, ' '));
    return {
      now: [...recent, ...inbox.slice(-3)].join(' '),
      standing: [spec.role, spec.persona, ...spec.goals.map((goal) => goal.description ?? '')].join(' '),
    };
  }

  /**
   * Documents that name the agent (its contract, its row in a price list) weigh double for it: a
   * supplier hit by a strike looks at its own contract's clause before a general note.
   */
  private boostFor(agent: AgentRuntime): (passage: { document: string }) => number {
    let own = this.ownDocuments.get(agent.spec.id);
    if (!own) {
      own = this.index.documentsMentioning(agent.spec.name);
      this.ownDocuments.set(agent.spec.id, own);
    }
    const documents = own;
    return (passage) => (documents.has(passage.document) ? 2 : 1);
  }

  observe(agent: AgentRuntime, context: EnvironmentContext): DocumentsView | undefined {
    const passages: SeenPassage[] = [];
    const searched = this.searched.get(agent.spec.id);
    if (searched) {
      passages.push(...searched);
      this.searched.delete(agent.spec.id);
    }
    // Populations of thousands skip the automatic lookup: background agents act on the world, not on documents.
    if (agent.spec.population === undefined && this.passagesPerObservation > 0) {
      const { now, standing } = this.situationQueries(agent, context);
      // What is happening comes first (it is what a rule agent cites), then who the agent is.
      const boost = this.boostFor(agent);
      const hits = [...this.rank(now, 1, boost), ...this.rank(standing, this.passagesPerObservation, boost)];
      for (const hit of hits) {
        if (passages.length >= this.passagesPerObservation + (searched?.length ?? 0)) break;
        if (
          !passages.some((passage) => passage.citation === hit.citation && passage.text === hit.passage.text)
        ) {
          passages.push(seen(hit));
        }
      }
    }
    return passages.length > 0 ? { passages } : undefined;
  }
}
