import { describe, expect, it } from 'vitest';
import { emptySweepForm, issuesAt, placeServerIssues, sweepRequestOf } from './sweep-request';

describe('the sweep form', () => {
  it('sends seeds, the grid values read as numbers, booleans or text, steps and parallelism', () => {
    const { request, issues } = sweepRequestOf({
      ...emptySweepForm('sc_1'),
      seedCount: '4',
      firstSeed: '10',
      steps: '8',
      parallel: '2',
      grid: [
        { parameter: 'rumour_strength', values: '0.2, 0.8' },
        { parameter: ' backstop ', values: 'true,false' },
        { parameter: 'mode', values: 'calm, loud ,' },
        { parameter: '', values: '' },
      ],
    });
    expect(issues).toEqual([]);
    expect(request).toEqual({
      scenarioId: 'sc_1',
      seeds: { from: 10, count: 4 },
      grid: { rumour_strength: [0.2, 0.8], backstop: [true, false], mode: ['calm', 'loud'] },
      steps: 8,
      parallel: 2,
    });
  });

  it('leaves out what is empty, so the scenario and the server decide', () => {
    expect(sweepRequestOf(emptySweepForm('sc_1')).request).toEqual({
      scenarioId: 'sc_1',
      seeds: { from: 1, count: 3 },
    });
  });

  it('says what is wrong before sending, at the field it concerns', () => {
    const grid = [
      { parameter: 'rumour_strength', values: '' },
      { parameter: '', values: '1, 2' },
      { parameter: 'x', values: '1' },
      { parameter: 'x', values: '2' },
    ];
    const { request, issues } = sweepRequestOf({
      ...emptySweepForm(),
      seedCount: '0',
      steps: 'ten',
      parallel: '-1',
      grid,
    });
    expect(request).toBeUndefined();
    expect(issuesAt(issues, { field: 'scenario' })).toEqual(['choose a scenario']);
    expect(issuesAt(issues, { field: 'seeds' })).toHaveLength(1);
    expect(issuesAt(issues, { field: 'steps' })).toHaveLength(1);
    expect(issuesAt(issues, { field: 'parallel' })).toHaveLength(1);
    expect(issuesAt(issues, { field: 'grid', row: 0 })).toEqual(['give rumour_strength at least one value']);
    expect(issuesAt(issues, { field: 'grid', row: 1 })).toEqual(['name the parameter']);
    expect(issuesAt(issues, { field: 'grid', row: 2 })).toEqual([]);
    expect(issuesAt(issues, { field: 'grid', row: 3 })).toEqual(['x is in the grid twice']);
  });

  it('places the server’s issues: request fields, and scenario parameters on their grid row', () => {
    const grid = [
      { parameter: 'backstop', values: 'true' },
      { parameter: 'rumour_strength', values: '0.2, 2' },
    ];
    const placed = placeServerIssues(
      [
        { path: 'parameters.rumour_strength', message: 'must be at most 1' },
        { path: 'grid.backstop[0]', message: 'bad value' },
        { path: 'seeds.count', message: 'too many' },
        { path: 'parallel', message: 'at most 16' },
        { path: 'parameters.unknown', message: 'no such parameter' },
        { message: 'something else' },
      ],
      grid,
    );
    expect(issuesAt(placed, { field: 'grid', row: 1 })).toEqual(['must be at most 1']);
    expect(issuesAt(placed, { field: 'grid', row: 0 })).toEqual(['bad value']);
    expect(issuesAt(placed, { field: 'seeds' })).toEqual(['too many']);
    expect(issuesAt(placed, { field: 'parallel' })).toEqual(['at most 16']);
    expect(issuesAt(placed, { field: 'form' })).toEqual([
      'parameters.unknown: no such parameter',
      'something else',
    ]);
  });
});
