import { describe, expect, it } from 'vitest';
import { sampleRunEvents } from '../__fixtures__/sample-events';
import { applyAgentList, applyRunEvents, createRunConsoleState } from './run-console-state';

describe('run console state', () => {
  it('builds status, metrics, variables, agents, rooms and reasoning from the events', () => {
    const state = createRunConsoleState();
    applyAgentList(state, [
      { id: 'union', name: 'Dock union', role: 'union', brain: 'rules', status: 'active', muted: false },
      {
        id: 'port',
        name: 'Port authority',
        role: 'authority',
        brain: 'smart',
        status: 'active',
        muted: false,
      },
    ]);
    applyRunEvents(state, sampleRunEvents());

    expect(state.status).toBe('completed');
    expect(state.outcome).toBe('settled');
    expect(state.step).toBe(2);
    expect(state.metricSeries.get('throughput')).toEqual([40, 55]);
    expect(state.variables.get('throughput')?.history).toEqual([
      { step: 0, value: 100 },
      { step: 1, value: 40 },
      { step: 2, value: 55 },
    ]);
    const union = state.agents.get('union');
    expect(union?.standing).toBe('muted');
    expect(union?.tier).toBe('rules');
    expect(union?.lastAction).toBe('send_message');
    const port = state.agents.get('port');
    expect(port?.failures).toBe(1);
    expect(port?.lastFailure).toBe('timeout: model took too long');
    // The operator's override is in the recipient's conversation; the muted message is marked.
    expect(port?.conversation.map((entry) => [entry.from, entry.text, entry.muted ?? false])).toEqual([
      ['union', 'We want 5%', false],
      ['port', 'timeout: model took too long', false],
      ['operator', 'Hold firm', false],
      ['union', 'Still 5%', true],
    ]);
    expect(state.agents.has('operator')).toBe(false);
    expect(state.timeline.find((entry) => entry.text.includes('Still 5%'))?.text).toBe(
      'union → port (withheld: sender muted): Still 5%',
    );
    expect(state.constraintHits[0]?.text).toContain('throughput: -5 hit min, kept 0');
    expect(state.gameMasterReasoning).toEqual([
      { step: 1, gameMaster: 'rules', reasoning: 'The strike halves throughput.' },
    ]);
    expect(state.timeline).toHaveLength(sampleRunEvents().length);
  });

  it('applies every event once however often the stream replays it', () => {
    const state = createRunConsoleState();
    const events = sampleRunEvents();
    applyRunEvents(state, events.slice(0, 8));
    applyRunEvents(state, events.slice(4, 12));
    applyRunEvents(state, events);
    expect(state.eventCount).toBe(events.length);
    expect(state.duplicates).toBe(4 + 12);
    expect(state.stepSummaries.map((summary) => summary.step)).toEqual([1, 2]);
    expect(state.agents.get('union')?.actions).toBe(1);
  });

  it('tracks pause and resume', () => {
    const state = createRunConsoleState();
    const events = sampleRunEvents();
    applyRunEvents(state, events.slice(0, 11));
    expect(state.status).toBe('paused');
    applyRunEvents(state, events.slice(11, 14));
    expect(state.status).toBe('running');
  });
});
