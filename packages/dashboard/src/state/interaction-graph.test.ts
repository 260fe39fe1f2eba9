import { describe, expect, it } from 'vitest';
import { sampleRunEvents } from '../__fixtures__/sample-events';
import { buildInteractionGraph } from './interaction-graph';

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
