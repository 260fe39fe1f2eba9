import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedModelServer } from '@sandtable/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from './main';
import { captureIo as capture } from './test-support';

const world = `name: Harvest
seed: 3
goal: How long does the common pool last?
clock: { steps: 8, unit: day }
parameters:
  harvest_size: { type: float, default: 5, min: 0, max: 40 }
variables:
  pool: { type: float, default: 400, min: 0 }
agent_variables:
  wealth: { type: float, default: 10, min: 0 }
actions:
  - name: harvest
    description: Take from the pool.
    effects: { pool: pool - harvest_size, self.wealth: self.wealth + harvest_size }
agents:
  - { id: farmer, count: 4, role: farmer, goals: [{ maximize: self.wealth }], traits: { sociability: 0.5 } }
rooms: [{ name: market, members: ["*"] }]
metrics: { pool: pool }
evaluation:
  criteria:
    - { name: sustainability, description: The pool lasts, metric: pool, target: 300 }
`;

let directory: string;
let scenarioFile: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sandtable-analysis-cli-'));
  scenarioFile = join(directory, 'harvest.yaml');
  await writeFile(scenarioFile, world);
});

async function runOnce(out: string, extra: string[] = []): Promise<string> {
  expect(
    await main(
      ['node', 'sandtable', 'run', scenarioFile, '--out', out, '--json', '--no-store', ...extra],
      capture(),
    ),
  ).toBe(0);
  const [only] = await readdir(out);
  return join(out, only as string);
}

describe('sandtable brief, compare and sweep', () => {
  it('every run folder has a brief and an evaluation; brief --pdf adds the PDF', async () => {
    const folder = await runOnce(join(directory, 'one'));
    const brief = await readFile(join(folder, 'brief.md'), 'utf8');
    expect(brief).toContain('**Question:** How long does the common pool last?');
    expect(brief).toContain('pool fell from 385 to 270 (-115, -30%)');
    expect(brief).toContain('Step 7: pool went below 300 (300 → 280)');
    const evaluation = JSON.parse(await readFile(join(folder, 'evaluation.json'), 'utf8'));
    expect(evaluation.scores[0]).toMatchObject({ criterion: 'sustainability', source: 'rules', target: 300 });
    const io = capture();
    expect(await main(['node', 'sandtable', 'brief', folder, '--pdf'], io)).toBe(0);
    expect(io.stdout.some((line) => line.endsWith('brief.pdf'))).toBe(true);
    expect((await readFile(join(folder, 'brief.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('compare shows what differs and where the runs part', async () => {
    const a = await runOnce(join(directory, 'a'));
    const b = await runOnce(join(directory, 'b'), ['--set', 'harvest_size=20']);
    const io = capture();
    expect(await main(['node', 'sandtable', 'compare', a, b], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain('- harvest_size: 5 vs 20');
    expect(text).toMatch(/B diverges from A at step 1/);
    expect(text).toMatch(/\| pool \| \d+ \| \d+ \| -\d+ \|/);
    const json = capture();
    expect(await main(['node', 'sandtable', 'compare', a, b, '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout.join('\n')).divergence[0].step).toBe(1);
    expect(await main(['node', 'sandtable', 'compare', a], capture())).toBe(1);
    // The brief of A with B alongside gives each main metric's range over both runs.
    expect(await main(['node', 'sandtable', 'brief', a, '--with', b], capture())).toBe(0);
    const brief = await readFile(join(a, 'brief.md'), 'utf8');
    const finals = JSON.parse(json.stdout.join('\n')).metrics.find(
      (metric: { name: string }) => metric.name === 'pool',
    ).finals as number[];
    expect(brief).toContain(`over 2 runs it ended between ${Math.min(...finals)} and ${Math.max(...finals)}`);
    expect(brief).toContain('Based on 2 runs');
  });

  it('sweep runs a grid over seeds and writes the report', async () => {
    const out = join(directory, 'sweeps');
    const io = capture();
    expect(
      await main(
        [
          'node',
          'sandtable',
          'sweep',
          scenarioFile,
          '--grid',
          'harvest_size=2,10',
          '--seeds',
          '1..3',
          '--out',
          out,
        ],
        io,
      ),
    ).toBe(0);
    expect(io.stdout.at(-1)).toMatch(/^6 of 6 runs completed/);
    const [folder] = await readdir(out);
    const report = await readFile(join(out, folder as string, 'sweep.md'), 'utf8');
    expect(report).toContain('## harvest_size = 10');
    expect(report).toContain('| harvest_size | 2 → 10 | pool |');
    const members = (await readFile(join(out, folder as string, 'members.csv'), 'utf8')).trim().split('\n');
    expect(members).toHaveLength(7);
    const bad = capture();
    expect(
      await main(['node', 'sandtable', 'sweep', scenarioFile, '--grid', 'nope=1,2', '--out', out], bad),
    ).toBe(1);
    expect(bad.stderr.join('\n')).toContain('unknown parameter "nope"');
  });

  it('brief --model has the configured model write the brief and score the rubric', async () => {
    const folder = await runOnce(join(directory, 'model'));
    const server = await SimulatedModelServer.start({
      reply: (request) => {
        const name = request.responseFormat?.type === 'json_schema' ? request.responseFormat.name : '';
        if (name === 'run_evaluation')
          return JSON.stringify({
            scores: [
              {
                criterion: 'sustainability',
                score: 4,
                justification: 'The pool fell below 300 at step 7.',
                steps: [7],
              },
            ],
          });
        return JSON.stringify({
          headline: 'The pool is being drawn down a little faster than it can last.',
          what_happened: ['Farmers harvested every day.'],
          turning_points: [{ step: 7, text: 'The pool fell below 300.' }],
          impacts: [{ metric: 'pool', text: 'Down by a third.' }],
          positions: [{ stakeholder: 'farmers', text: 'Kept harvesting.' }],
          recommendations: ['Cap the daily harvest.'],
          confidence: { level: 'low', text: 'One run.' },
          caveats: ['Rule agents.'],
        });
      },
    });
    const saved = { url: process.env.SANDTABLE_MODEL_URL, model: process.env.SANDTABLE_MODEL };
    process.env.SANDTABLE_MODEL_URL = server.openaiBaseUrl;
    process.env.SANDTABLE_MODEL = 'simulated-model';
    try {
      const io = capture();
      expect(await main(['node', 'sandtable', 'brief', folder, '--model'], io)).toBe(0);
      expect(io.stdout[0]).toBe('The pool is being drawn down a little faster than it can last.');
      const brief = await readFile(join(folder, 'brief.md'), 'utf8');
      expect(brief).toContain('Written by the model simulated-model');
      expect(brief).toContain('Step 7: The pool fell below 300.');
      const evaluation = JSON.parse(await readFile(join(folder, 'evaluation.json'), 'utf8'));
      expect(evaluation).toMatchObject({ source: 'model', overall: 4 });
      expect(
        server
          .requests()
          .map((request) => (request.responseFormat as { name?: string } | undefined)?.name)
          .sort(),
      ).toEqual(['executive_brief', 'run_evaluation']);
    } finally {
      for (const [name, value] of Object.entries({
        SANDTABLE_MODEL_URL: saved.url,
        SANDTABLE_MODEL: saved.model,
      })) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await server.close();
    }
  });
});
