import type { RunEvent } from '../api/run-event-types';

/** An edge of the interaction graph: who reached whom, how often, by the last step counted. */
export interface InteractionEdge {
  source: string;
  target: string;
  weight: number;
  kinds: Set<string>;
}

/** The interaction graph up to a step: agents as nodes, messages and targeted actions as edges. */
export interface InteractionGraphData {
  nodes: Map<string, { id: string; interactions: number }>;
  edges: Map<string, InteractionEdge>;
}

/**
 * Builds the interaction graph from a run's events, counting events of steps `1..upToStep`: a
 * direct message is an edge sender → recipient, and an action whose arguments name another agent
 * (follow, repost, contract, …) an edge actor → that agent.
 */
export function buildInteractionGraph(
  events: readonly RunEvent[],
  agentIds: ReadonlySet<string>,
  upToStep: number,
): InteractionGraphData {
  const nodes = new Map<string, { id: string; interactions: number }>();
  for (const id of agentIds) nodes.set(id, { id, interactions: 0 });
  const edges = new Map<string, InteractionEdge>();
  const connect = (source: string, target: string, kind: string) => {
    if (source === target || !agentIds.has(source) || !agentIds.has(target)) return;
    const key = `${source}\u0000${target}`;
    const edge = edges.get(key) ?? { source, target, weight: 0, kinds: new Set<string>() };
    edge.weight++;
    edge.kinds.add(kind);
    edges.set(key, edge);
    for (const id of [source, target]) {
      const node = nodes.get(id);
      if (node) node.interactions++;
    }
  };
  for (const event of events) {
    if (!('step' in event) || event.step > upToStep) continue;
    if (event.type === 'message-sent' && event.to) connect(event.from, event.to, 'message');
    else if (event.type === 'agent-acted' && event.ok) {
      for (const value of Object.values(event.arguments)) {
        if (typeof value === 'string' && agentIds.has(value)) connect(event.agentId, value, event.tool);
      }
    }
  }
  return { nodes, edges };
}

/** Another agent one agent is linked to, with the counts each way. */
export interface AgentNeighbour {
  id: string;
  /** Interactions from the agent to this neighbour (its messages and actions naming it). */
  sent: number;
  /** Interactions from this neighbour to the agent. */
  received: number;
}

/**
 * The agents `agentId` is linked to in the graph, either way, with the counts each way; the most
 * interactions first, ties by id. None for an agent without links (or not in the graph).
 */
export function agentNeighbours(graph: InteractionGraphData, agentId: string): AgentNeighbour[] {
  const neighbours = new Map<string, AgentNeighbour>();
  const neighbour = (id: string) => {
    const found = neighbours.get(id) ?? { id, sent: 0, received: 0 };
    neighbours.set(id, found);
    return found;
  };
  for (const edge of graph.edges.values()) {
    if (edge.source === agentId) neighbour(edge.target).sent += edge.weight;
    else if (edge.target === agentId) neighbour(edge.source).received += edge.weight;
  }
  return [...neighbours.values()].sort(
    (left, right) =>
      right.sent + right.received - (left.sent + left.received) ||
      (left.id < right.id ? -1 : left.id > right.id ? 1 : 0),
  );
}
