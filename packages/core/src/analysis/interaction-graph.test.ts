import { describe, expect, it } from 'vitest';
import type { RunEvent, RunEventPayloads } from '../engine/run-events';
import type { ToolDefinition } from '../environments/tool';
import { everyoneNode, InteractionGraph } from './interaction-graph';

let sequence = 0;
function message(payload: RunEventPayloads['message-sent']): RunEvent {
  sequence += 1;
  return { sequence, type: 'message-sent', wallTime: '2025-01-01T00:00:00.000Z', ...payload };
}
function acted(
  step: number,
  agentId: string,
  tool: string,
  args: Record<string, unknown>,
  ok = true,
): RunEvent {
  sequence += 1;
  return {
    sequence,
    type: 'agent-acted',
    wallTime: '2025-01-01T00:00:00.000Z',
    step,
    agentId,
    tool,
    arguments: args,
    ok,
    result: '',
    rationale: '',
    source: 'rules',
    changes: [],
  };
}

const agents = ['ana', 'ben', 'cy'];
const events: RunEvent[] = [
  message({ step: 1, from: 'ana', to: 'ben', text: 'hi' }),
  message({ step: 1, from: 'ana', to: 'ben', text: 'again' }),
  message({ step: 2, from: 'ben', room: 'dock', text: 'meeting' }),
  message({ step: 2, from: 'cy', broadcast: true, text: 'all hands' }),
  message({ step: 3, from: 'cy', to: 'ana', text: 'muted', muted: true }),
  message({ step: 3, from: 'game-master', to: 'ana', text: 'ruling' }),
  acted(3, 'ana', 'gift', { to_agent: 'cy', amount: 2 }),
  acted(3, 'ana', 'gift', { to_agent: 'ben' }, false),
  acted(4, 'ben', 'send_message', { to: 'cy', text: 'x' }),
  acted(4, 'ben', 'harvest', {}),
  { sequence: 99, type: 'step-started', wallTime: '2025-01-01T00:00:00.000Z', step: 4 },
];

function graph(window?: number) {
  const built = new InteractionGraph({
    agents,
    rooms: { dock: ['ana', 'ben', 'cy'] },
    ...(window ? { window } : {}),
  });
  for (const event of events) built.record(event);
  built.recordInteraction({ step: 4, from: 'cy', to: 'ana', kind: 'like', environment: 'social' });
  built.recordInteraction({
    step: 5,
    from: 'ben',
    to: 'market',
    kind: 'trade',
    environment: 'market',
    amount: 12.5,
  });
  built.recordInteraction({
    step: 5,
    from: 'ben',
    to: 'market',
    kind: 'trade',
    environment: 'market',
    amount: 7.5,
  });
  return built;
}

const line = (edge: { source: string; target: string; kind: string; weight: number }) =>
  `${edge.source}>${edge.target}:${edge.kind}×${edge.weight}`;

describe('InteractionGraph', () => {
  it('builds weighted edges by kind from messages, agent-typed arguments and environment interactions', () => {
    const built = graph();
    expect(built.edges().map(line)).toEqual([
      'ana>ben:message×2',
      'ana>cy:gift×1',
      'ben>ana:room-message×1',
      'ben>cy:room-message×1',
      'ben>market:trade×2',
      'cy>ana:broadcast×1',
      'cy>ana:like×1',
      'cy>ben:broadcast×1',
    ]);
    expect(built.edges('trade')[0]).toMatchObject({ amount: 20, firstStep: 5, lastStep: 5 });
    const json = built.toJSON();
    expect(json.nodes).toEqual([
      { id: 'ana', kind: 'agent', out: 3, in: 3 },
      { id: 'ben', kind: 'agent', out: 4, in: 3 },
      { id: 'cy', kind: 'agent', out: 3, in: 2 },
      { id: 'market', kind: 'environment', out: 0, in: 2 },
    ]);
    expect(json.metadata).toEqual({
      steps: { first: 1, last: 5 },
      window: null,
      kinds: { broadcast: 2, gift: 1, like: 1, message: 2, 'room-message': 2, trade: 2 },
      nodeCount: 4,
      edgeCount: 8,
    });
    expect(JSON.parse(JSON.stringify(built))).toEqual(json);
  });

  it('shows a step window in snapshots', () => {
    const built = graph(2);
    expect(built.snapshot(2).edges.map(line)).toEqual([
      'ana>ben:message×2',
      'ben>ana:room-message×1',
      'ben>cy:room-message×1',
      'cy>ana:broadcast×1',
      'cy>ben:broadcast×1',
    ]);
    const late = built.snapshot(5);
    expect(late.edges.map(line)).toEqual(['ben>market:trade×2', 'cy>ana:like×1']);
    expect(late.metadata.window).toEqual({ from: 4, to: 5 });
    expect(late.nodes.map((node) => node.id)).toEqual(['ana', 'ben', 'cy', 'market']);
  });

  it('uses declared agent parameters when given tools, and can skip tools', () => {
    const tool: ToolDefinition = {
      name: 'gift',
      description: 'Give',
      environment: 'world',
      parameters: {
        type: 'object',
        properties: { to_agent: { type: 'string', 'x-sandtable-agent': true }, note: { type: 'string' } },
        required: ['to_agent'],
        additionalProperties: false,
      },
    };
    const built = new InteractionGraph({
      agents,
      tools: [tool],
      ignoreTool: (name) => name === 'social_follow',
    });
    built.record(acted(1, 'ana', 'gift', { to_agent: 'ben', note: 'cy' }));
    built.record(acted(1, 'ana', 'social_follow', { agent: 'cy' }));
    expect(built.edges().map(line)).toEqual(['ana>ben:gift×1']);
  });

  it('sends broadcasts to one everyone node in large worlds', () => {
    const built = new InteractionGraph({ agents, broadcastFanOut: 2 });
    built.record(message({ step: 1, from: 'ana', broadcast: true, text: 'x' }));
    expect(built.toJSON().nodes.at(-1)).toEqual({ id: everyoneNode, kind: 'everyone', out: 0, in: 1 });
  });
});
