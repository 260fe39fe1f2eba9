import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../engine/run-events';
import { describeResponse } from './game-master-history';
import { formatGameMasterEvent, formatLogRecord, gameMasterLogRecords } from './game-master-log';

const base = { sequence: 1, wallTime: '2025-11-22T10:15:33.000Z' };
const agentNames = { 'agent-a': 'Agent A', 'agent-b': 'Agent B' };

const reasoned: RunEvent = {
  ...base,
  type: 'game-master-reasoned',
  step: 1,
  gameMaster: 'model:smart',
  reasoning: 'Agents took constructive actions, applied growth',
};
const changed: RunEvent = {
  ...base,
  type: 'state-changed',
  step: 1,
  cause: 'game-master',
  changes: [
    { agentId: 'agent-a', variable: 'economic_strength', from: 1000, to: 1100 },
    { agentId: 'agent-b', variable: 'military_power', from: 60, to: 65 },
    { variable: 'geopolitical_tension', from: 0.3, to: 0.45 },
  ],
};
const declared: RunEvent = {
  ...base,
  type: 'event-fired',
  step: 1,
  eventType: 'economic_growth',
  description: 'Economic growth',
  source: 'game-master',
  affects: ['Agent A'],
};
const scripted: RunEvent = {
  ...base,
  type: 'event-fired',
  step: 20,
  eventType: 'major_war',
  description: 'A great war must begin.',
  source: 'scheduled',
  affects: ['*'],
};
const hit: RunEvent = {
  ...base,
  type: 'constraint-hit',
  step: 5,
  cause: 'game-master',
  agentId: 'agent-b',
  variable: 'economic_strength',
  attempted: -50,
  clamped: 0,
  bound: 'min',
};

describe('game master console lines', () => {
  it("match the seed's console format", () => {
    const lines = [reasoned, changed, declared, scripted, hit].flatMap((event) =>
      formatGameMasterEvent(event, { agentNames }),
    );
    expect(lines).toEqual([
      '[Step 1] SIMULATOR REASONING:',
      '         Agents took constructive actions, applied growth',
      '[Step 1] STATE UPDATES:',
      '         Agent A: economic_strength 1000 → 1100 (+100)',
      '         Agent B: military_power 60 → 65 (+5)',
      '         Global: geopolitical_tension 0.3 → 0.45 (+0.15)',
      '[Step 1] EVENT: Economic growth (affects: Agent A)',
      '[Step 20] SCRIPTED EVENT: major_war — A great war must begin.',
      '[Step 5] CONSTRAINT HIT:',
      '         Agent B: economic_strength attempted -50, clamped to 0',
      '         → Agent B economic_strength is at its minimum (0): it cannot go lower.',
    ]);
  });

  it('can show the icons, filter causes and cap long lists', () => {
    expect(formatGameMasterEvent(reasoned, { icons: true })[0]).toBe('[Step 1] 🎮 SIMULATOR REASONING:');
    expect(formatGameMasterEvent(changed, { stateCauses: ['dynamics'] })).toEqual([]);
    expect(formatGameMasterEvent(changed, { maxLines: 1, agentNames })).toEqual([
      '[Step 1] STATE UPDATES:',
      '         Agent A: economic_strength 1000 → 1100 (+100)',
      '         … and 2 more',
    ]);
    expect(formatGameMasterEvent({ ...base, type: 'step-started', step: 1 })).toEqual([]);
  });
});

describe('game master JSONL records', () => {
  it('carry the seed codes ENG001–ENG012 and SIM_REASONING', () => {
    const started: RunEvent = {
      ...base,
      type: 'run-started',
      scenario: 'x',
      seed: 1,
      steps: 50,
      agents: 2,
      parameters: {},
    };
    const failed: RunEvent = {
      ...base,
      type: 'run-failed',
      step: 7,
      error: { code: 'GAME_MASTER_FAILED', message: 'game master failed at step 7: …' },
    };
    const options = {
      agentNames,
      gameMaster: { name: 'model:gemini/gemini-1.5-flash', brain: 'gemini/gemini-1.5-flash' },
    };
    const records = [
      started,
      { ...base, type: 'step-started', step: 1 } as RunEvent,
      reasoned,
      changed,
      declared,
      scripted,
      hit,
      failed,
    ].flatMap((event) => gameMasterLogRecords(event, options));
    expect(records.map((record) => record.code)).toEqual([
      'ENG001',
      'ENG002',
      'SIM_REASONING',
      'ENG010',
      'ENG011',
      'ENG012',
      'ENG009',
      'ENG008',
    ]);
    expect(records[0]).toMatchObject({ step: 0, provider: 'gemini', model: 'gemini-1.5-flash' });
    expect(records[3]).toMatchObject({
      message: 'State updates applied',
      changes: { global_vars: 1, agent_vars: 2 },
    });
    expect(formatLogRecord(records[6]!)).toBe(
      '{"timestamp":"2025-11-22T10:15:33.000Z","code":"ENG009","step":5,"message":"Constraint hit","agent":"Agent B","var":"economic_strength","attempted":-50,"clamped":0,"bound":"min","cause":"game-master"}',
    );
    expect(gameMasterLogRecords(started)).toEqual([]);
  });
});

describe('agent responses as the game master reads them', () => {
  it('show the tool arguments when the engine passes them, the action names otherwise', () => {
    const response = { agentId: 'agent-a', name: 'Agent A', actions: ['act'], rationale: 'Growth first.' };
    expect(describeResponse(response)).toBe('Agent A: act — "Growth first."');
    expect(
      describeResponse({
        ...response,
        calls: [{ tool: 'act', arguments: { stance: 'invest', statement: 'I invest 200k in startups' } }],
      }),
    ).toBe('Agent A: act(stance="invest", statement="I invest 200k in startups") — "Growth first."');
    expect(describeResponse({ ...response, failed: 'timeout' })).toBe('Agent A: (no decision: timeout)');
  });
});
