import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunEventOf } from '../engine/run-events';
import { formatValue } from '../environments/world-actions-environment';
import { loadScenario } from '../scenario/scenario-loader';
import { renderBriefMarkdown } from './executive-brief';
import { analyzeRun } from './run-analysis';
import { captureRun } from './run-capture';
import type { RunRecords } from './run-records';

/**
 * The deterministic brief of every shipped scenario, checked number by number against the run.
 *
 * The rule a reader can apply to any brief: every number in it is
 * - a metric's value at some step (`step-completed` metrics and action/message/failure counts, i.e.
 *   the columns of metrics.csv), or a count's total over the run;
 * - a change of one metric between two steps (first → last, or one step's move), or the first →
 *   last change as a whole percentage of the first value (followed by `%`);
 * - a value of final-state.json (globals, agent variables), a count of agents (all, by role, by
 *   status), the seed, a parameter, the planned or completed number of steps, a step number;
 * - a declared threshold, target, or variable limit of the scenario;
 * - `#N`, the sequence number of an event of the run (the evidence).
 * Numbers are written by formatValue: whole numbers as they are, others with 3 decimals under 10
 * and 1 above, trailing zeros dropped. Text the scenario's author wrote (the question, metric and
 * event descriptions) is the author's, not the run's, and is removed before checking; so are
 * agents' words, which the brief quotes in “…”.
 */

const scenarioFolder = fileURLToPath(new URL('../../../../scenarios', import.meta.url));
const shipped = readdirSync(scenarioFolder).filter((name) => name.endsWith('.yaml'));
/** Steps per scenario: short runs keep the CPU cost low; the 10,000-depositor bank run gets fewer. */
const stepsFor = (name: string) => (name === 'bank-run.yaml' ? 4 : 14);

function allowedNumbers(records: RunRecords): {
  values: Set<string>;
  percents: Set<string>;
  sequences: Set<number>;
} {
  const numbers: number[] = [];
  const percents = new Set<string>();
  const completed = records.events.filter(
    (event): event is RunEventOf<'step-completed'> => event.type === 'step-completed',
  );
  const columns = new Map<string, number[]>();
  const column = (name: string, value: number) => columns.set(name, [...(columns.get(name) ?? []), value]);
  for (const event of completed) {
    for (const [name, value] of Object.entries(event.metrics)) column(name, value);
    for (const [tool, count] of Object.entries(event.actions)) column(`actions.${tool}`, count);
    column(
      'actions',
      Object.values(event.actions).reduce((sum, count) => sum + count, 0),
    );
    column('messages', event.messages);
    column('failures', event.failures);
    numbers.push(event.step);
  }
  for (const [, values] of columns) {
    numbers.push(
      ...values,
      values.reduce((sum, value) => sum + value, 0),
    );
    const first = values[0] as number;
    const last = values.at(-1) as number;
    numbers.push(last - first);
    if (first !== 0) percents.add(String(Math.round((100 * (last - first)) / Math.abs(first))));
    for (let index = 1; index < values.length; index += 1)
      numbers.push((values[index] as number) - (values[index - 1] as number));
  }
  const state = records.finalState;
  const scenario = records.scenario;
  for (const value of Object.values(state?.globals ?? {})) if (typeof value === 'number') numbers.push(value);
  const byRole = new Map<string, number>();
  const byStatus = new Map<string, number>();
  for (const agent of state?.agents ?? []) {
    for (const value of Object.values(agent.variables ?? {}))
      if (typeof value === 'number') numbers.push(value);
    byRole.set(agent.role, (byRole.get(agent.role) ?? 0) + 1);
    byStatus.set(agent.status, (byStatus.get(agent.status) ?? 0) + 1);
  }
  numbers.push(
    scenario.agents.length,
    ...byRole.values(),
    ...byStatus.values(),
    scenario.seed,
    scenario.clock.steps,
  );
  for (const value of Object.values(scenario.parameters)) if (typeof value === 'number') numbers.push(value);
  for (const definition of [...Object.values(scenario.variables), ...Object.values(scenario.agentVariables)])
    numbers.push(...[definition.min, definition.max].filter((bound): bound is number => bound !== undefined));
  for (const criterion of scenario.evaluation?.criteria ?? [])
    if (criterion.target !== undefined) numbers.push(criterion.target);
  for (const level of Object.values(scenario.brief?.thresholds ?? {})) numbers.push(...[level].flat());
  const values = new Set<string>();
  for (const value of numbers) {
    values.add(formatValue(value));
    if (value > 0) values.add(`+${formatValue(value)}`);
  }
  for (const percent of [...percents]) if (Number(percent) > 0) percents.add(`+${percent}`);
  return { values, percents, sequences: new Set(records.events.map((event) => event.sequence)) };
}

function authorText(records: RunRecords): string[] {
  const { scenario } = records;
  return [
    scenario.goal ?? '',
    scenario.description,
    scenario.name,
    ...scenario.metrics.map((metric) => metric.description ?? ''),
    ...scenario.events.flatMap((event) => [event.description, event.type]),
    ...scenario.termination.map((condition) => condition.description ?? ''),
    ...records.events.flatMap((event) => (event.type === 'event-fired' ? [event.description] : [])),
  ]
    .filter((text) => text.length > 0)
    .sort((a, b) => b.length - a.length);
}

/** Every number of the text that is not part of a word (agent ids like `retailer-0001` are words). */
const numberPattern = /(#?)(?<![\w.-])([+-]?\d+(?:\.\d+)?)(%?)(?![\w-])/g;

describe('the deterministic brief of each shipped scenario', () => {
  it.each(shipped)('%s: every number is one of the run’s', async (file) => {
    const scenario = await loadScenario(join(scenarioFolder, file), { steps: stepsFor(file) });
    const records = await captureRun(scenario);
    const analysis = analyzeRun(records);
    const markdown = renderBriefMarkdown(analysis.brief);
    expect(markdown).toContain('## Headline');
    expect(analysis.brief.turningPoints.length).toBeGreaterThan(0);
    expect(analysis.brief.impacts.length).toBeGreaterThan(0);
    let text = markdown;
    for (const written of authorText(records)) text = text.split(written).join(' ');
    text = text.replace(/“[^”]*”/g, ' ');
    const allowed = allowedNumbers(records);
    const unexplained: string[] = [];
    let checked = 0;
    for (const match of text.matchAll(numberPattern)) {
      const [, hash, number, percent] = match as unknown as [string, string, string, string];
      checked += 1;
      const ok = hash
        ? allowed.sequences.has(Number(number))
        : percent
          ? allowed.percents.has(number)
          : allowed.values.has(number);
      if (!ok)
        unexplained.push(
          `${hash}${number}${percent} in “…${text.slice(Math.max(0, (match.index ?? 0) - 40), (match.index ?? 0) + 20)}…”`,
        );
    }
    expect(unexplained).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('is the same for the same run', async () => {
    const scenario = await loadScenario(join(scenarioFolder, 'port-strike.yaml'), { steps: 8 });
    const first = renderBriefMarkdown(analyzeRun(await captureRun(scenario)).brief);
    const second = renderBriefMarkdown(analyzeRun(await captureRun(scenario)).brief);
    expect(second).toBe(first);
  });
});
