import type { RunEvent, RunEventPayloads, RunEventType } from '../api/run-event-types';

type UnnumberedEvent = { [Type in RunEventType]: { type: Type } & RunEventPayloads[Type] }[RunEventType];

/**
 * A small run's events as the server streams them: 2 agents, 2 steps, a message, an operator
 * message, a mute, a constraint hit, game-master reasoning and completion.
 */
export function sampleRunEvents(): RunEvent[] {
  const events: UnnumberedEvent[] = [
    { type: 'run-started', scenario: 'Port strike', seed: 7, steps: 2, agents: 2, parameters: {} },
    { type: 'step-started', step: 1 },
    {
      type: 'event-fired',
      step: 1,
      eventType: 'strike',
      description: 'Dockers walk out',
      source: 'scheduled',
      affects: [],
    },
    {
      type: 'state-changed',
      step: 1,
      cause: 'event',
      changes: [{ variable: 'throughput', from: 100, to: 40 }],
    },
    {
      type: 'agent-acted',
      step: 1,
      agentId: 'union',
      tool: 'send_message',
      arguments: { to: 'port', text: 'We want 5%' },
      ok: true,
      result: 'sent',
      rationale: 'pressure',
      source: 'rules',
      changes: [],
    },
    { type: 'message-sent', from: 'union', to: 'port', text: 'We want 5%', step: 1 },
    { type: 'agent-failed', step: 1, agentId: 'port', reason: 'timeout', message: 'model took too long' },
    {
      type: 'constraint-hit',
      step: 1,
      cause: 'dynamics',
      variable: 'throughput',
      attempted: -5,
      clamped: 0,
      bound: 'min',
    },
    {
      type: 'game-master-reasoned',
      step: 1,
      gameMaster: 'rules',
      reasoning: 'The strike halves throughput.',
    },
    {
      type: 'step-completed',
      step: 1,
      metrics: { throughput: 40, backlog: 3 },
      actions: { send_message: 1 },
      messages: 1,
      failures: 1,
      mood: { valence: 0, arousal: 0.2 },
    },
    { type: 'run-paused', step: 1 },
    { type: 'agent-controlled', step: 1, agentId: 'union', control: 'muted' },
    { type: 'message-sent', from: 'operator', to: 'port', text: 'Hold firm', step: 1 },
    { type: 'run-resumed', step: 1 },
    { type: 'step-started', step: 2 },
    { type: 'message-sent', from: 'union', to: 'port', text: 'Still 5%', step: 2, muted: true },
    {
      type: 'state-changed',
      step: 2,
      cause: 'dynamics',
      changes: [{ variable: 'throughput', from: 40, to: 55 }],
    },
    {
      type: 'step-completed',
      step: 2,
      metrics: { throughput: 55, backlog: 2 },
      actions: {},
      messages: 1,
      failures: 0,
      mood: { valence: 0, arousal: 0.1 },
    },
    { type: 'run-completed', step: 2, outcome: 'settled', reason: 'steps done' },
  ];
  return events.map(
    (event, index) => ({ ...event, sequence: index + 1, wallTime: '2026-12-01T00:00:00.000Z' }) as RunEvent,
  );
}
