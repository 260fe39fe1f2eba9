import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expandSweep, parseSweepDefinition, SweepDefinition } from './sweep-definition';
import { intervalWidths, renderSweepPdf } from './sweep-pdf';
import { aggregateSweep, renderSweepMarkdown } from './sweep-report';
import { ruleSweepExecutor, runSweep, type SweepExecutor } from './sweep-runner';

const scenarioFile = fileURLToPath(new URL('../../../../scenarios/port-strike.yaml', import.meta.url));

describe('sweep plans', () => {
  it('expands a grid × random samples × seeds, reproducibly', () => {
    const definition = SweepDefinition.parse({
      scenario: 'port-strike.yaml',
      seeds: '3..5',
      grid: { strike_days: [7, 14], surge_capacity: [1.2, 1.4] },
      random: {
        samples: 2,
        seed: 9,
        parameters: { union_demand: { min: 4, max: 10 }, strike_start: { values: [3, 5] } },
      },
    });
    const plan = expandSweep(definition);
    expect(plan.settings).toHaveLength(8);
    expect(plan.seeds).toEqual([3, 4, 5]);
    expect(plan.members).toHaveLength(24);
    expect(plan.settings[0]).toMatchObject({ strike_days: 7, surge_capacity: 1.2 });
    for (const setting of plan.settings) {
      expect(setting.union_demand as number).toBeGreaterThanOrEqual(4);
      expect(setting.union_demand as number).toBeLessThanOrEqual(10);
      expect([3, 5]).toContain(setting.strike_start);
    }
    expect(expandSweep(definition)).toEqual(plan);
  });

  it('names the file, line and field of a mistake', () => {
    const text = 'scenario: port-strike.yaml\nseeds: 1..3\ngrid:\n  strike_days: 7\n';
    expect(() => parseSweepDefinition(text, 'strike.sweep.yaml')).toThrow(
      /strike\.sweep\.yaml:4: grid\.strike_days: .*array/,
    );
    expect(() => expandSweep(parseSweepDefinition('scenario: x\nseeds: 5..1\n', 's.yaml'))).toThrow(
      /before the first/,
    );
  });

  it('records a member that throws as failed and goes on', async () => {
    const plan = expandSweep(SweepDefinition.parse({ scenario: 'x', seeds: '1..4' }));
    const executor: SweepExecutor = async (member) => {
      if (member.seed === 2) throw new Error('boom');
      return { status: 'completed', outcome: 'max-steps', steps: 1, finals: { value: member.seed } };
    };
    const outcomes = await runSweep(plan, executor, { parallel: 3 });
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true, true]);
    const report = aggregateSweep(plan, outcomes, { name: 'x', scenario: 'x' });
    expect(report.failed).toBe(1);
    expect(report.settings[0]?.statistics.value?.mean).toBeCloseTo(8 / 3, 10);
    expect(renderSweepMarkdown(report)).toContain('boom');
  });
});

describe('a 100-run sweep of the port strike', () => {
  it('finishes, shows the strike length’s effect, and its intervals narrow from 10 to 50 seeds', async () => {
    const text = await readFile(scenarioFile, 'utf8');
    const definition = SweepDefinition.parse({
      scenario: 'port-strike.yaml',
      steps: 15,
      seeds: '1..50',
      grid: { strike_days: [4, 10] },
      parallel: 2,
    });
    const plan = expandSweep(definition);
    expect(plan.members).toHaveLength(100);
    const outcomes = await runSweep(plan, ruleSweepExecutor(text, { file: scenarioFile, steps: 15 }), {
      parallel: 2,
    });
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    const options = { name: 'strike length', scenario: 'port-strike', grid: definition.grid };
    const all = aggregateSweep(plan, outcomes, options);
    const firstTen = aggregateSweep(
      plan,
      outcomes.filter((outcome) => outcome.seed <= 10),
      options,
    );
    const markdown = renderSweepMarkdown(all);
    expect(markdown).toContain('## strike_days = 10');
    expect(markdown).toContain('| strike_days | 4 → 10 | freight_rate |');
    const widths = (report: typeof all, setting: number, metric: string) => {
      const interval = report.settings[setting]?.statistics[metric]?.confidence;
      return (interval?.high ?? Number.NaN) - (interval?.low ?? Number.NaN);
    };
    let narrowed = 0;
    for (const metric of ['retailer_cash', 'consumer_prices', 'backlog_teu', 'messages']) {
      for (const setting of [0, 1]) {
        const ten = widths(firstTen, setting, metric);
        const fifty = widths(all, setting, metric);
        expect(ten).toBeGreaterThan(0);
        expect(fifty).toBeLessThan(ten);
        narrowed += 1;
      }
    }
    expect(narrowed).toBe(8);
    // A longer strike clearly raises freight rates: the interval of the difference excludes 0.
    const effect = all.effects.find((candidate) => candidate.metric === 'freight_rate');
    expect(effect?.confidence.low).toBeGreaterThan(0);
    // The report's chart of the same narrowing: widths over the first k seeds, k = 2…50.
    const curve = intervalWidths(all, 0, 'retailer_cash');
    expect(curve.seeds).toHaveLength(49);
    expect(curve.widths.at(-1) as number).toBeLessThan((curve.widths[8] as number) / 1.5);
    // The sweep PDF renders (first page not blank).
    const folder = await mkdtemp(join(tmpdir(), 'sandtable-sweep-pdf-'));
    try {
      await writeFile(join(folder, 'sweep.pdf'), await renderSweepPdf(all));
      await promisify(execFile)('pdftoppm', [
        '-gray',
        '-r',
        '40',
        '-f',
        '1',
        '-l',
        '1',
        join(folder, 'sweep.pdf'),
        join(folder, 'page'),
      ]);
      const image = await readFile(join(folder, 'page-1.pgm'));
      const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(image.subarray(0, 40).toString('latin1'));
      const pixels = image.subarray(header?.[0].length ?? 0);
      let ink = 0;
      for (const pixel of pixels) if (pixel < 200) ink += 1;
      expect(ink / pixels.length).toBeGreaterThan(0.005);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
