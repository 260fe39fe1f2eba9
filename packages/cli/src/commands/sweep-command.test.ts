import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main';
import { captureIo as capture } from '../test-support';

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
`;

const bin = fileURLToPath(new URL('../../bin/sandtable.js', import.meta.url));
const portStrike = fileURLToPath(new URL('../../../../scenarios/port-strike.yaml', import.meta.url));

let directory: string;
let scenarioFile: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sandtable-sweep-cli-'));
  scenarioFile = join(directory, 'harvest.yaml');
  await writeFile(scenarioFile, world);
});

/** Runs `sandtable sweep` in this process; returns stderr and the report folder. */
async function sweep(out: string, extra: string[]): Promise<{ stderr: string; folder: string }> {
  const io = capture();
  const args = ['sweep', scenarioFile, '--grid', 'harvest_size=2,10,30', '--seeds', '1..2', '--out', out];
  expect(await main(['node', 'sandtable', ...args, ...extra], io)).toBe(0);
  expect(io.stdout.at(-1)).toMatch(/^6 of 6 runs completed\. Report/);
  const [folder] = await readdir(out);
  return { stderr: io.stderr.join('\n'), folder: join(out, folder as string) };
}

describe('sandtable sweep on worker threads', () => {
  it('writes the same report on worker threads as in process; by default one thread per core from three cores', async () => {
    const threaded = await sweep(join(directory, 'threads'), ['--workers', '2']);
    expect(threaded.stderr).toContain('on 2 worker threads');
    const byDefault = await sweep(join(directory, 'default'), []);
    const cores = availableParallelism();
    expect(byDefault.stderr).toContain(cores >= 3 ? `on ${Math.min(cores, 6)} worker thread` : 'in process');
    const inProcess = await sweep(join(directory, 'in-process'), ['--in-process']);
    expect(inProcess.stderr).toContain('in process');
    const csv = (folder: string) => readFile(join(folder, 'members.csv'), 'utf8');
    const json = async (folder: string) => JSON.parse(await readFile(join(folder, 'sweep.json'), 'utf8'));
    expect(await csv(threaded.folder)).toEqual(await csv(inProcess.folder));
    expect(await json(threaded.folder)).toEqual(await json(inProcess.folder));
    expect((await csv(threaded.folder)).trim().split('\n')).toHaveLength(7);
  }, 120_000);

  it('stops at once on Ctrl-C (bin/sandtable.js through tsx) and reports the runs that finished', async () => {
    const out = join(directory, 'interrupted');
    const child = spawn(
      process.execPath,
      [bin, 'sweep', portStrike, '--seeds', '1..60', '--steps', '20', '--workers', '2', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The first progress line: both threads are up and running members.
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (/\d+\/60 runs/.test(stderr)) resolve();
      });
    });
    const interrupted = performance.now();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(performance.now() - interrupted).toBeLessThan(5000);
    expect(stderr).toContain('on 2 worker threads');
    expect(stderr).toContain('Stopping the sweep');
    const [, completed] = /(\d+) of 60 runs completed \(interrupted\)/.exec(stdout) ?? [];
    expect(Number(completed)).toBeGreaterThanOrEqual(6);
    expect(Number(completed)).toBeLessThan(60);
    const [folder] = await readdir(out);
    const members = await readFile(join(out, folder as string, 'members.csv'), 'utf8');
    expect(members).toContain('cancelled');
  }, 120_000);
});
