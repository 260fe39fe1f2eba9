import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from './main';
import { captureIo as capture } from './test-support';

const binary = join(import.meta.dirname, '..', 'bin', 'sandtable.js');

const scenario = (agents: number, steps: number) => `name: CLI world
seed: 3
clock: { steps: ${steps}, unit: day }
parameters:
  harvest_size: { type: float, default: 5, min: 0, max: 20 }
variables:
  pool: { type: float, default: 1000, min: 0 }
agent_variables:
  wealth: { type: float, default: 10, min: 0 }
actions:
  - name: harvest
    description: Take from the pool.
    effects: { pool: pool - harvest_size, self.wealth: self.wealth + harvest_size }
agents:
  - { id: farmer, count: ${agents}, role: farmer, goals: [{ maximize: self.wealth }], traits: { sociability: 0.5 } }
rooms: [{ name: market, members: ["*"] }]
metrics: { pool: pool }
`;

let directory: string;
let scenarioFile: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sandtable-cli-'));
  scenarioFile = join(directory, 'world.yaml');
  await writeFile(scenarioFile, scenario(5, 6));
});

async function runFolder(out: string): Promise<string> {
  const [only] = await readdir(out);
  return join(out, only as string);
}

describe('sandtable run', () => {
  it('writes events.jsonl, metrics.csv, final-state.json and summary.md', async () => {
    const io = capture();
    const out = join(directory, 'runs-a');
    expect(
      await main(['node', 'sandtable', 'run', scenarioFile, '--out', out, '--set', 'harvest_size=10'], io),
    ).toBe(0);
    const folder = await runFolder(out);
    expect((await readdir(folder)).sort()).toEqual([
      'brief.json',
      'brief.md',
      'evaluation.json',
      'events.jsonl',
      'final-state.json',
      'interaction-graph.json',
      'metrics.csv',
      'run.json',
      'scenario.yaml',
      'summary.md',
    ]);
    const events = (await readFile(join(folder, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: 'run-started', parameters: { harvest_size: 10 } });
    expect(events.at(-1)).toMatchObject({ type: 'run-completed', step: 6 });
    const csv = (await readFile(join(folder, 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('step,pool,actions,messages,failures');
    expect(csv).toHaveLength(7);
    const finalState = JSON.parse(await readFile(join(folder, 'final-state.json'), 'utf8'));
    expect(finalState.globals.pool).toBeLessThan(1000);
    expect(finalState.agents).toHaveLength(5);
    const summary = await readFile(join(folder, 'summary.md'), 'utf8');
    expect(summary).toContain('# CLI world — run summary');
    expect(summary).toContain('harvest_size = 10');
    expect(io.stdout.some((line) => line.startsWith('step 6/6'))).toBe(true);
  });

  it('gives byte-identical events.jsonl for the same seed once wallTime is removed, and a different log for another seed', async () => {
    const logOf = async (name: string, extra: string[] = []) => {
      const out = join(directory, name);
      await main(['node', 'sandtable', 'run', scenarioFile, '--out', out, ...extra], capture());
      const text = await readFile(join(await runFolder(out), 'events.jsonl'), 'utf8');
      return text.replace(/"wallTime":"[^"]*",?/g, '');
    };
    const first = await logOf('same-1');
    expect(await logOf('same-2')).toBe(first);
    expect(await logOf('other-seed', ['--seed', '4'])).not.toBe(first);
  });

  it('prints the event stream as JSON lines with --json', async () => {
    const io = capture();
    expect(
      await main(['node', 'sandtable', 'run', scenarioFile, '--out', join(directory, 'json'), '--json'], io),
    ).toBe(0);
    const types = io.stdout.map((line) => JSON.parse(line).type);
    expect(types[0]).toBe('run-started');
    expect(types.at(-1)).toBe('run-completed');
  });

  it('exits 1 with a located message and no stack trace for bad input', async () => {
    const io = capture();
    expect(await main(['node', 'sandtable', 'run', join(directory, 'missing.yaml')], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('missing.yaml: cannot read scenario: file not found');
    const unknownParameter = capture();
    expect(
      await main(
        ['node', 'sandtable', 'run', scenarioFile, '--set', 'nope=1', '--out', join(directory, 'x')],
        unknownParameter,
      ),
    ).toBe(1);
    expect(unknownParameter.stderr.join('\n')).toContain('unknown parameter "nope"; known: harvest_size');
    expect([...io.stderr, ...unknownParameter.stderr].join('\n')).not.toMatch(/\n\s+at /);
  });
});

describe('sandtable interview', () => {
  it('asks an agent of a finished run, rebuilding the run from its folder', async () => {
    const out = join(directory, 'interviewed');
    expect(await main(['node', 'sandtable', 'run', scenarioFile, '--out', out], capture())).toBe(0);
    const folder = await runFolder(out);
    const before = await readFile(join(folder, 'events.jsonl'), 'utf8');
    const io = capture();
    expect(
      await main(['node', 'sandtable', 'interview', folder, 'farmer-0002', 'What next?', '--step', '3'], io),
    ).toBe(0);
    expect(io.stdout.join('\n')).toMatch(
      /^farmer-0002 \(after step 3, rules\): I am .+, farmer\. I am trying to self\.wealth \(now \d+\)/,
    );
    expect(await readFile(join(folder, 'events.jsonl'), 'utf8')).toBe(before);
    const unknown = capture();
    expect(await main(['node', 'sandtable', 'interview', folder, 'nobody', 'Hello?'], unknown)).toBe(1);
    expect(unknown.stderr.join('\n')).toContain('no agent "nobody" in this run');
  });
});

describe('sandtable validate', () => {
  it('prints every problem with file:line:column and exits 1', async () => {
    const broken = join(directory, 'broken.yaml');
    await writeFile(
      broken,
      scenario(2, 3)
        .replace('default: 10, min: 0', 'default: 10, min: 5, max: 1')
        .replace('role: farmer,', 'role: farmer, brian: rules,')
        .replace('metrics: { pool: pool }', 'metrics: { pool: "pool +" }'),
    );
    const io = capture();
    expect(await main(['node', 'sandtable', 'validate', broken], io)).toBe(1);
    const text = io.stderr.join('\n');
    expect(text).toMatch(
      /broken\.yaml:\d+:\d+: agents\[0\]\.brian: unknown field "brian"; did you mean "brain"\?/,
    );
    expect(text).not.toMatch(/\n\s+at /);
  });

  it('reports semantic problems once the shape is right, and accepts a valid file', async () => {
    const broken = join(directory, 'semantic.yaml');
    await writeFile(
      broken,
      scenario(2, 3)
        .replace('default: 10, min: 0', 'default: 10, min: 5, max: 1')
        .replace('metrics: { pool: pool }', 'metrics: { pool: "pool +" }'),
    );
    const io = capture();
    expect(await main(['node', 'sandtable', 'validate', broken, scenarioFile], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(
      /semantic\.yaml:9:\d+: agent_variables\.wealth\.min: min \(5\) is greater than max \(1\)/,
    );
    expect(io.stderr.join('\n')).toMatch(
      /semantic\.yaml:17:\d+: metrics\.pool: invalid expression `pool \+`/,
    );
    expect(io.stdout.join('\n')).toContain('world.yaml: valid');
  });

  it('prints the JSON Schema', async () => {
    const io = capture();
    expect(await main(['node', 'sandtable', 'schema'], io)).toBe(0);
    const schema = JSON.parse(io.stdout.join('\n'));
    expect(schema.properties.agents.type).toBe('array');
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'clock', 'agents']));
  });
});

describe('Ctrl-C', () => {
  it('stops cleanly between steps and says where the partial output is', async () => {
    const file = join(directory, 'long.yaml');
    await writeFile(file, scenario(3000, 400));
    const out = join(directory, 'interrupted');
    const child = spawn(process.execPath, [binary, 'run', file, '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (/step\s+2\//.test(stdout)) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('partial output');
    const folder = await runFolder(out);
    expect(stderr).toContain(folder);
    const events = (await readFile(join(folder, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const last = events.at(-1);
    expect(last.type).toBe('run-stopped');
    const completed = events.filter((event) => event.type === 'step-completed').map((event) => event.step);
    expect(completed).toEqual(completed.map((_: number, index: number) => index + 1));
    expect(last.step).toBe(completed.at(-1));
    expect(completed.length).toBeLessThan(400);
    expect(await readFile(join(folder, 'summary.md'), 'utf8')).toContain('**Stopped**');
  }, 60_000);
});
