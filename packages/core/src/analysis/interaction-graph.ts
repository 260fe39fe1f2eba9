import type { RunEvent } from '../engine/run-events';
import type { AgentInteraction } from '../environments/environment-schemas';
import type { ToolDefinition } from '../environments/tool';

/** Tools whose effect the `message-sent` events already record. */
const messagingTools = new Set(['send_message', 'post_to_room', 'broadcast']);
/** Broadcasts fan out to every agent up to this many agents; above, they go to one `*` node. */
const defaultBroadcastFanOut = 200;
/** Node id that stands for "everyone" when a broadcast is not fanned out. */
export const everyoneNode = '*';

/** One weighted, directed edge of one kind, summed over the steps it covers. */
export interface InteractionEdge {
  source: string;
  target: string;
  /** `message`, `room-message`, `broadcast`, a tool name (`gift`), or an environment interaction kind (`like`, `trade`…). */
  kind: string;
  /** Number of interactions. */
  weight: number;
  /** Money or shares involved, summed, when the interactions carry an amount. */
  amount?: number;
  firstStep: number;
  lastStep: number;
}

/** A node: an agent, an environment (for trades with a market maker) or `*`. */
export interface InteractionNode {
  id: string;
  kind: 'agent' | 'environment' | 'everyone' | 'room';
  /** Interactions started. */
  out: number;
  /** Interactions received. */
  in: number;
}

/** The graph as JSON, in a stable order (nodes: agents in agent order, then others by id; edges by source, target, kind). */
export interface InteractionGraphJson {
  nodes: InteractionNode[];
  edges: InteractionEdge[];
  metadata: {
    /** First and last step with an interaction, or null when there were none. */
    steps: { first: number; last: number } | null;
    /** Step window of a snapshot, or null for the whole run. */
    window: { from: number; to: number } | null;
    /** Total weight per kind. */
    kinds: Record<string, number>;
    nodeCount: number;
    edgeCount: number;
  };
}

/** How the graph reads events. */
export interface InteractionGraphOptions {
  /** Agent ids in agent order: they order the nodes, and only they count as agents. */
  agents: readonly string[];
  /** Room name → member ids, to fan room messages out to members. */
  rooms?: ReadonlyMap<string, readonly string[]> | Record<string, readonly string[]>;
  /**
   * Tool definitions, to find agent-typed arguments (`x-sandtable-agent`). Without them, any string
   * argument (except `text`) whose value is another agent's id counts as a target.
   */
  tools?: readonly ToolDefinition[];
  /** Tools whose `agent-acted` events to skip, e.g. those of environments that publish interactions. */
  ignoreTool?: (tool: string) => boolean;
  /** Steps per snapshot window (the steps `step − window + 1 … step`); whole run when left out. */
  window?: number;
  /** Broadcasts fan out to every agent up to this many agents, else go to `*`. @defaultValue 200 */
  broadcastFanOut?: number;
}

interface EdgeState {
  source: string;
  target: string;
  kind: string;
  /** step → [weight, amount] */
  perStep: Map<number, [number, number]>;
  hasAmount: boolean;
}

function compareText(first: string, second: string): number {
  return first < second ? -1 : first > second ? 1 : 0;
}

/**
 * Who interacted with whom, built from a run's events: `message-sent` (sender → recipient, room
 * members, or everyone for broadcasts), `agent-acted` with agent-typed arguments (actor → target,
 * kind = tool name), and environment interactions (likes, follows, trades, contracts) recorded with
 * {@link recordInteraction}. Edges are kept per step, so {@link snapshot} can show a step window.
 * Muted (undelivered) messages and failed actions are not interactions.
 */
export class InteractionGraph {
  private readonly agentOrder: Map<string, number>;
  private readonly rooms: ReadonlyMap<string, readonly string[]>;
  private readonly agentArguments = new Map<string, string[]>();
  private readonly edgeStates = new Map<string, EdgeState>();

  constructor(private readonly options: InteractionGraphOptions) {
    this.agentOrder = new Map(options.agents.map((id, index) => [id, index]));
    this.rooms =
      options.rooms instanceof Map
        ? options.rooms
        : new Map(Object.entries((options.rooms ?? {}) as Record<string, readonly string[]>));
    for (const tool of options.tools ?? []) {
      this.agentArguments.set(
        tool.name,
        Object.entries(tool.parameters.properties)
          .filter(([, property]) => property['x-sandtable-agent'] === true)
          .map(([name]) => name),
      );
    }
  }

  private add(source: string, target: string, kind: string, step: number, amount?: number): void {
    if (source === target) return;
    const key = `${source}\u0000${target}\u0000${kind}`;
    let state = this.edgeStates.get(key);
    if (!state) {
      state = { source, target, kind, perStep: new Map(), hasAmount: false };
      this.edgeStates.set(key, state);
    }
    const entry = state.perStep.get(step) ?? [0, 0];
    entry[0] += 1;
    if (amount !== undefined && Number.isFinite(amount)) {
      entry[1] += amount;
      state.hasAmount = true;
    }
    state.perStep.set(step, entry);
  }

  /** Reads one run event; events that are not interactions are ignored. */
  record(event: RunEvent): void {
    if (event.type === 'message-sent') {
      if (event.muted || !this.agentOrder.has(event.from)) return;
      if (event.to !== undefined) {
        if (this.agentOrder.has(event.to)) this.add(event.from, event.to, 'message', event.step);
      } else if (event.room !== undefined) {
        const members = this.rooms.get(event.room) ?? [];
        // Large rooms are one node, as large broadcasts are: a 10,000-member room would otherwise
        // add 10,000 edges per message.
        if (members.length > (this.options.broadcastFanOut ?? defaultBroadcastFanOut)) {
          this.add(event.from, `room:${event.room}`, 'room-message', event.step);
        } else {
          for (const member of members)
            if (this.agentOrder.has(member)) this.add(event.from, member, 'room-message', event.step);
        }
      } else if (event.broadcast) {
        if (this.options.agents.length <= (this.options.broadcastFanOut ?? defaultBroadcastFanOut)) {
          for (const agent of this.options.agents) this.add(event.from, agent, 'broadcast', event.step);
        } else this.add(event.from, everyoneNode, 'broadcast', event.step);
      }
      return;
    }
    if (event.type === 'agent-acted') {
      if (!event.ok || messagingTools.has(event.tool) || this.options.ignoreTool?.(event.tool)) return;
      const declared = this.agentArguments.get(event.tool);
      for (const [name, value] of Object.entries(event.arguments)) {
        if (typeof value !== 'string' || value === event.agentId || !this.agentOrder.has(value)) continue;
        if (declared ? !declared.includes(name) : name === 'text') continue;
        this.add(event.agentId, value, event.tool, event.step);
      }
    }
  }

  /** Records interactions an environment published (see `PublishingEnvironment.publishInteractions`). */
  recordInteraction(interaction: AgentInteraction): void {
    if (!this.agentOrder.has(interaction.from)) return;
    this.add(interaction.from, interaction.to, interaction.kind, interaction.step, interaction.amount);
  }

  private collect(from: number, to: number): InteractionEdge[] {
    const edges: InteractionEdge[] = [];
    for (const state of this.edgeStates.values()) {
      let weight = 0;
      let amount = 0;
      let firstStep = Number.POSITIVE_INFINITY;
      let lastStep = Number.NEGATIVE_INFINITY;
      for (const [step, [stepWeight, stepAmount]] of state.perStep) {
        if (step < from || step > to) continue;
        weight += stepWeight;
        amount += stepAmount;
        if (step < firstStep) firstStep = step;
        if (step > lastStep) lastStep = step;
      }
      if (weight === 0) continue;
      edges.push({
        source: state.source,
        target: state.target,
        kind: state.kind,
        weight,
        ...(state.hasAmount ? { amount } : {}),
        firstStep,
        lastStep,
      });
    }
    return edges.sort(
      (first, second) =>
        this.compareNodes(first.source, second.source) ||
        this.compareNodes(first.target, second.target) ||
        compareText(first.kind, second.kind),
    );
  }

  private compareNodes(first: string, second: string): number {
    const firstIndex = this.agentOrder.get(first);
    const secondIndex = this.agentOrder.get(second);
    if (firstIndex !== undefined && secondIndex !== undefined) return firstIndex - secondIndex;
    if (firstIndex !== undefined) return -1;
    if (secondIndex !== undefined) return 1;
    return compareText(first, second);
  }

  /** Every edge over the whole run, optionally of one kind, in stable order. */
  edges(kind?: string): InteractionEdge[] {
    const all = this.collect(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    return kind === undefined ? all : all.filter((edge) => edge.kind === kind);
  }

  /** The graph of the window ending at `step` (the last `window` steps; all steps up to `step` without a window). */
  snapshot(step: number): InteractionGraphJson {
    const from =
      this.options.window === undefined ? Number.NEGATIVE_INFINITY : step - this.options.window + 1;
    return this.toGraph(this.collect(from, step), { from: Number.isFinite(from) ? from : 0, to: step });
  }

  /** The whole run's graph: `{ nodes, edges, metadata }` in stable order. */
  toJSON(): InteractionGraphJson {
    return this.toGraph(this.edges(), null);
  }

  private toGraph(
    edges: InteractionEdge[],
    window: { from: number; to: number } | null,
  ): InteractionGraphJson {
    const degrees = new Map<string, { out: number; in: number }>();
    for (const id of this.options.agents) degrees.set(id, { out: 0, in: 0 });
    const kinds: Record<string, number> = {};
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const edge of edges) {
      for (const id of [edge.source, edge.target]) if (!degrees.has(id)) degrees.set(id, { out: 0, in: 0 });
      (degrees.get(edge.source) as { out: number }).out += edge.weight;
      (degrees.get(edge.target) as { in: number }).in += edge.weight;
      kinds[edge.kind] = (kinds[edge.kind] ?? 0) + edge.weight;
      first = Math.min(first, edge.firstStep);
      last = Math.max(last, edge.lastStep);
    }
    const nodes: InteractionNode[] = [...degrees.entries()]
      .sort(([firstId], [secondId]) => this.compareNodes(firstId, secondId))
      .map(([id, degree]) => ({
        id,
        kind: this.agentOrder.has(id)
          ? 'agent'
          : id === everyoneNode
            ? 'everyone'
            : id.startsWith('room:')
              ? 'room'
              : 'environment',
        out: degree.out,
        in: degree.in,
      }));
    const sortedKinds = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => compareText(a, b)));
    return {
      nodes,
      edges,
      metadata: {
        steps: edges.length > 0 ? { first, last } : null,
        window,
        kinds: sortedKinds,
        nodeCount: nodes.length,
        edgeCount: edges.length,
      },
    };
  }
}
