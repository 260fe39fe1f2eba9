import { describe, expect, it } from 'vitest';
import { editScenarioText, readScenarioForm, starterScenario } from './scenario-document';

const text = `# The port
name: Port strike
clock: { steps: 30 }
agents:
  - id: union # the dockers
    role: union
    count: 5
variables:
  throughput: { type: float, default: 100, min: 0, max: 100 }
`;

describe('scenario document', () => {
  it('reads the common fields for the form', () => {
    const result = readScenarioForm(text);
    if (!('model' in result)) throw new Error('expected a model');
    expect(result.model.name).toBe('Port strike');
    expect(result.model.steps).toBe(30);
    expect(result.model.agents).toEqual([{ id: 'union', role: 'union', count: 5, brain: 'rules', name: '' }]);
    expect(result.model.variables).toEqual([
      { name: 'throughput', type: 'float', default: 100, min: 0, max: 100 },
    ]);
    expect(result.model.gameMaster).toBeUndefined();
  });

  it('writes form edits into the YAML and keeps the comments', () => {
    let edited = editScenarioText(text, { kind: 'set', path: ['agents', 0, 'brain'], value: 'smart' });
    edited = editScenarioText(edited, { kind: 'set', path: ['variables', 'throughput', 'max'], value: 120 });
    edited = editScenarioText(edited, { kind: 'set', path: ['clock', 'steps'], value: 12 });
    edited = editScenarioText(edited, {
      kind: 'append',
      path: ['events'],
      value: { step: 3, type: 'shock', description: 'A ship sinks' },
    });
    edited = editScenarioText(edited, {
      kind: 'rename-key',
      path: ['variables'],
      from: 'throughput',
      to: 'capacity',
    });
    edited = editScenarioText(edited, { kind: 'set', path: ['agents', 0, 'count'], value: undefined });
    expect(edited).toContain('# The port');
    expect(edited).toContain('# the dockers');
    const result = readScenarioForm(edited);
    if (!('model' in result)) throw new Error('expected a model');
    expect(result.model.agents[0]).toEqual({
      id: 'union',
      role: 'union',
      count: undefined,
      brain: 'smart',
      name: '',
    });
    expect(result.model.variables).toEqual([
      { name: 'capacity', type: 'float', default: 100, min: 0, max: 120 },
    ]);
    expect(result.model.steps).toBe(12);
    expect(result.model.events).toEqual([{ step: 3, when: '', type: 'shock', description: 'A ship sinks' }]);
  });

  it('reports where unparseable YAML breaks and refuses form edits on it', () => {
    const broken = 'name: x\nagents:\n  - id: a\n   role: b\n';
    const result = readScenarioForm(broken);
    expect('failure' in result && result.failure.line).toBe(4);
    expect(() => editScenarioText(broken, { kind: 'set', path: ['name'], value: 'y' })).toThrow(
      /fix them in the editor/,
    );
  });

  it('starts from a scenario the form can read', () => {
    const result = readScenarioForm(starterScenario);
    expect('model' in result && result.model.agents[0]?.count).toBe(5);
  });
});
