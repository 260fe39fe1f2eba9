import { describe, expect, it } from 'vitest';
import { sampleRunEvents } from '../__fixtures__/sample-events';
import { agentNeighbours, buildInteractionGraph } from './interaction-graph';

describe('buildInteractionGraph', () => {
  it('links senders to recipients and actors to the agents their actions name, up to a step', () => {
    const agents = new Set(['union', 'port']);
    const events = sampleRunEvents();
    const upToOne = buildInteractionGraph(events, agents, 1);
    // Step 1: the message and the send_message action that names port.
    expect(
      [...upToOne.edges.values()].map((edge) => [
        edge.source,
        edge.target,
        edge.weight,
        [...edge.kinds].sort(),
      ]),
    ).toEqual([['union', 'port', 2, ['message', 'send_message']]]);
    // The operator is not an agent, so its message adds no edge; step 2's muted message does.
    const all = buildInteractionGraph(events, agents, 2);
    expect(all.edges.get('union\u0000port')?.weight).toBe(3);
    expect(all.nodes.get('port')?.interactions).toBe(3);
    expect(buildInteractionGraph(events, agents, 0).edges.size).toBe(0);
  });
});

describe('agentNeighbours', () => {
  it('lists who an agent reached and who reached it, with counts each way, busiest first', () => {
    const agents = new Set(['union', 'port', 'council', 'press']);
    const events = sampleRunEvents();
    const graph = buildInteractionGraph(events, agents, 2);
    expect(agentNeighbours(graph, 'port')).toEqual([{ id: 'union', sent: 0, received: 3 }]);
    expect(agentNeighbours(graph, 'union')).toEqual([{ id: 'port', sent: 3, received: 0 }]);
    expect(agentNeighbours(graph, 'press')).toEqual([]);
  });

  it('sums both directions into one neighbour and orders ties by id', () => {
    const edge = (source: string, target: string, weight: number) =>
      [`${source}\u0000${target}`, { source, target, weight, kinds: new Set(['message']) }] as const;
    const graph = {
      nodes: new Map(),
      edges: new Map([
        edge('a', 'c', 1),
        edge('c', 'a', 2),
        edge('a', 'b', 3),
        edge('d', 'a', 1),
        edge('b', 'c', 9),
      ]),
    };
    expect(agentNeighbours(graph, 'a')).toEqual([
      { id: 'b', sent: 3, received: 0 },
      { id: 'c', sent: 1, received: 2 },
      { id: 'd', sent: 0, received: 1 },
    ]);
  });
});
