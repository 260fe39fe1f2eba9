import { describe, expect, it } from 'vitest';
import { tinyWorldYaml } from '../__fixtures__/tiny-world';
import { ScenarioError } from '../errors';
import { parseScenario, validateScenarioText } from './scenario-loader';

const base = `name: Broken
clock: { steps: 5 }
variables:
  level: { type: float, default: 1, min: 0, max: 10 }
agents:
  - id: a
    role: tester
`;

function problems(text: string) {
  return validateScenarioText(text, { file: 'broken.yaml' }).issues;
}

describe('scenario validation', () => {
  it('accepts a valid scenario and expands populations with distinct seeded names', () => {
    const scenario = parseScenario(tinyWorldYaml({ agents: 50 }));
    expect(scenario.agents).toHaveLength(50);
    expect(scenario.agents[0]?.id).toBe('agent-0001');
    expect(new Set(scenario.agents.map((agent) => agent.name)).size).toBe(50);
    const again = parseScenario(tinyWorldYaml({ agents: 50 }));
    expect(again.agents.map((agent) => agent.name)).toEqual(scenario.agents.map((agent) => agent.name));
    const reseeded = parseScenario(tinyWorldYaml({ agents: 50 }), { seed: 99 });
    expect(reseeded.agents.map((agent) => agent.name)).not.toEqual(
      scenario.agents.map((agent) => agent.name),
    );
  });

  it('jitters population traits within [0, 1] around the template value', () => {
    const scenario = parseScenario(`${base}  - id: crowd
    role: member
    count: 200
    jitter: 0.2
    traits: { cooperation: 0.5 }
    variables: {}
`);
    const values = scenario.agents
      .filter((agent) => agent.population === 'crowd')
      .map((agent) => agent.traits.cooperation as number);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0.3);
    expect(Math.max(...values)).toBeLessThanOrEqual(0.7);
    expect(new Set(values).size).toBeGreaterThan(150);
  });

  it('locates YAML syntax errors', () => {
    const issues = problems('name: x\nclock: { steps: 5\nagents: []\n');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({
      file: 'broken.yaml',
      line: expect.any(Number),
      column: expect.any(Number),
    });
  });

  it('names an unknown field at its key and suggests the close one', () => {
    const issues = problems(base.replace('role: tester', 'role: tester\n    goalz: []'));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 8,
        column: 5,
        path: 'agents[0].goalz',
        message: expect.stringContaining('did you mean "goals"'),
      }),
    ]);
  });

  it('names a wrong type with the expected one', () => {
    const issues = problems(base.replace('steps: 5', 'steps: "five"'));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 2,
        path: 'clock.steps',
        message: expect.stringMatching(/expected number/),
      }),
    ]);
  });

  it('rejects min greater than max, and a default out of range', () => {
    const issues = problems(base.replace('default: 1, min: 0, max: 10', 'default: 20, min: 5, max: 1'));
    expect(issues.map((issue) => issue.message)).toEqual(
      expect.arrayContaining(['min (5) is greater than max (1)', 'default 20 is above max 1']),
    );
    expect(issues.every((issue) => issue.line === 4)).toBe(true);
  });

  it('reports expression syntax errors with the expression and its location', () => {
    const issues = problems(`${base}dynamics:\n  - set: level\n    to: "level +* 2"\n`);
    expect(issues).toEqual([
      expect.objectContaining({
        line: 10,
        path: 'dynamics[0].to',
        message: expect.stringContaining('level +* 2'),
      }),
    ]);
  });

  it('reports references to unknown variables, in expressions and in targets', () => {
    const issues = problems(`${base}dynamics:\n  - set: levl\n    to: "lvl + 1.0"\n`);
    expect(issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('unknown global variable "levl"; known: level'),
      expect.stringContaining('Unknown variable: lvl'),
    ]);
  });

  it('reports references to unknown agents in rooms and events', () => {
    const issues = problems(
      `${base}rooms:\n  - { name: hq, members: [a, ghost] }\nevents:\n  - { step: 2, type: x, description: y, affects: ["role:pilot"] }\n`,
    );
    expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['rooms[0].members[1]', '"ghost" matches no agent'],
      ['events[0].affects[0]', '"role:pilot" matches no agent'],
    ]);
  });

  it('checks expression types against the target variable', () => {
    const issues = problems(`${base}dynamics:\n  - set: level\n    to: "level > 2.0"\n`);
    expect(issues[0]?.message).toContain('expected a numeric expression, got bool');
  });

  it('reports every problem at once, not only the first', () => {
    const issues = problems(
      base.replace('default: 1, min: 0, max: 10', 'default: 1, min: 3, max: 2') +
        'rooms:\n  - { name: hq, members: [ghost] }\ntermination:\n  - when: "level >"\n',
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'variables.level.min',
      'variables.level.default',
      'rooms[0].members[0]',
      'termination[0].when',
    ]);
  });

  it('throws a ScenarioError listing located issues from parseScenario', () => {
    expect(() => parseScenario('name: x\n', { file: 'x.yaml' })).toThrow(ScenarioError);
    try {
      parseScenario('name: x\n', { file: 'x.yaml' });
    } catch (error) {
      expect((error as ScenarioError).issues.map((issue) => issue.path)).toEqual(['clock', 'agents']);
      expect((error as ScenarioError).message).toContain('x.yaml:1:1');
    }
  });

  it('applies parameter overrides with type and range checks', () => {
    const text = `${base}parameters:\n  days: { type: int, default: 3, min: 1, max: 9 }\n`;
    expect(parseScenario(text, { parameters: { days: '7' } }).parameters.days).toBe(7);
    expect(validateScenarioText(text, { parameters: { days: '12' } }).issues[0]?.message).toBe(
      '12 is outside [1, 9]',
    );
    expect(validateScenarioText(text, { parameters: { dayz: '2' } }).issues[0]?.message).toContain(
      'unknown parameter "dayz"; known: days',
    );
  });
});

describe('scenario validation, references into populations and hints', () => {
  const population = `name: Crowd
clock: { steps: 2 }
agents:
  - { id: partner, role: trader, count: 3 }
`;

  it('accepts a population member as a room member or event target, and rejects one beyond the count', () => {
    expect(problems(`${population}rooms:\n  - { name: desk, members: [partner-0002] }\n`)).toEqual([]);
    expect(
      problems(`${population}rooms:\n  - { name: desk, members: [partner-0004] }\n`).map(
        (issue) => issue.message,
      ),
    ).toEqual(['"partner-0004" matches no agent']);
  });

  it('hints at quoting when a comma in an unquoted flow value split it into fields', () => {
    const issues = problems(
      `${base}variables:\n  rate: { type: float, description: Spot rate, USD per box }\n`.replace(
        /variables:\n {2}level[^\n]*\n/,
        '',
      ),
    );
    expect(issues[0]?.message).toContain(
      'a comma inside an unquoted value splits it into fields — quote the value',
    );
  });

  it('accepts equality between a number variable and an integer literal', () => {
    expect(problems(`${base}termination:\n  - when: level == 0\n`)).toEqual([]);
  });
});
