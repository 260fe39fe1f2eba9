import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../engine/run-events';
import { parseScenario } from '../scenario/scenario-loader';
import { computeRunMetrics } from './run-metrics';
import type { RunRecords } from './run-records';
import { detectStorySignals } from './story-signals';

const scenario = parseScenario(
  `
name: Signals
clock: { steps: 6 }
variables:
  stock: { type: float, default: 10, min: 0, max: 10 }
actions:
  - { name: sell, description: Sell. }
agents:
  - { id: ann, role: trader }
  - { id: bob, role: trader }
metrics:
  stock: stock
brief:
  thresholds: { stock: 5 }
`,
  { file: 'signals.yaml' },
);

/** A hand-written log where each kind of turning point happens exactly once, at a known step. */
function records(): RunRecords {
  const events: RunEvent[] = [];
  let sequence = 0;
  const push = (event: Record<string, unknown>) =>
    events.push({ sequence: ++sequence, wallTime: '2026-01-01T00:00:00Z', ...event } as RunEvent);
  const stock = [10, 9, 8, 3, 2, 2];
  for (let step = 1; step <= 6; step += 1) {
    push({ type: 'step-started', step });
    if (step === 4)
      push({
        type: 'event-fired',
        step,
        eventType: 'crash',
        description: 'A crash.',
        source: 'scheduled',
        affects: [],
      });
    const stance = step < 3 ? 0.6 : -0.5;
    push({
      type: 'agent-acted',
      step,
      agentId: 'ann',
      tool: 'social_post',
      arguments: { topic: 'rates', stance },
      ok: true,
      result: '',
      rationale: '',
      source: 'rules',
      changes: [],
    });
    if (step === 5) {
      push({
        type: 'agent-acted',
        step,
        agentId: 'bob',
        tool: 'sell',
        arguments: {},
        ok: true,
        result: '',
        rationale: '',
        source: 'rules',
        changes: [],
      });
      push({
        type: 'constraint-hit',
        step,
        variable: 'stock',
        attempted: -1,
        applied: 0,
        bound: 'min',
        cause: 'action',
      });
      for (let index = 0; index < 6; index += 1)
        push({ type: 'message-sent', step, from: 'bob', to: 'ann', text: `sell ${index}` });
    } else push({ type: 'message-sent', step, from: 'ann', to: 'bob', text: 'hold' });
    if (step === 6) push({ type: 'agent-failed', step, agentId: 'bob', reason: 'timeout', message: 'late' });
    push({
      type: 'step-completed',
      step,
      metrics: { stock: stock[step - 1] },
      actions: {},
      messages: 0,
      failures: 0,
      mood: { valence: 0, arousal: 0 },
    });
  }
  push({ type: 'run-completed', step: 6, outcome: 'max-steps', reason: 'done' });
  return { runId: 'signals', scenario, events };
}

describe('story signals', () => {
  const run = records();
  const metrics = computeRunMetrics(run);
  const signals = detectStorySignals(run, metrics, { thresholds: { stock: 5 } });
  const find = (kind: string) => signals.filter((signal) => signal.kind === kind);
  const sequenceOf = (predicate: (event: RunEvent) => boolean) => run.events.find(predicate)?.sequence;

  it('counts the built-in metrics per step from the log', () => {
    const messages = metrics.series.find((series) => series.name === 'messages');
    expect(messages?.values).toEqual([1, 1, 1, 1, 6, 1]);
    expect(messages?.total).toBe(11);
    expect(metrics.series.find((series) => series.name === 'actions.sell')?.values).toEqual([
      0, 0, 0, 0, 1, 0,
    ]);
    expect(metrics.series.find((series) => series.name === 'constraint_hits')?.total).toBe(1);
  });

  it('finds each kind of turning point at its step, with the events that show it', () => {
    expect(find('event-fired')).toMatchObject([
      { step: 4, evidence: [sequenceOf((event) => event.type === 'event-fired')] },
    ]);
    expect(find('largest-move')).toMatchObject([{ step: 4, metric: 'stock', change: -5, value: 3 }]);
    expect(find('threshold-crossing')).toMatchObject([
      { step: 4, metric: 'stock', text: 'stock went below 5 (8 → 3)' },
    ]);
    expect(find('constraint-hit')).toMatchObject([{ step: 5, metric: 'stock' }]);
    expect(find('burst')).toMatchObject([{ step: 5, metric: 'messages', value: 6 }]);
    expect(find('burst')[0]?.evidence).toHaveLength(5);
    expect(find('position-flip')).toMatchObject([
      { step: 3, agentId: 'ann', text: 'ann turned against rates (stated for at step 2)' },
    ]);
    const firsts = find('first-occurrence').map((signal) => [signal.step, signal.text]);
    expect(firsts).toEqual([
      [5, 'first sell (by bob)'],
      [6, 'first failed agent step (bob: timeout)'],
    ]);
    expect(find('run-ended')).toMatchObject([{ step: 6 }]);
    // Evidence points at real events of the log.
    const sequences = new Set(run.events.map((event) => event.sequence));
    for (const signal of signals)
      for (const sequence of signal.evidence) expect(sequences.has(sequence)).toBe(true);
    // In step order.
    expect(signals.map((signal) => signal.step)).toEqual(
      [...signals.map((signal) => signal.step)].sort((a, b) => a - b),
    );
  });
});
