import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedModelServer } from '@sandtable/core/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main';
import { captureIo as capture } from './test-support';

const scenario = `name: Model world
seed: 5
clock: { steps: 3 }
variables:
  pool: { type: float, default: 100, min: 0 }
agent_variables:
  wealth: { type: float, default: 10, min: 0 }
actions:
  - name: harvest
    description: Take from the pool.
    effects: { pool: pool - 5.0, self.wealth: self.wealth + 5.0 }
agents:
  - { id: farmer, count: 3, role: farmer, brain: fast, goals: [{ maximize: self.wealth }] }
  - { id: clerk, role: clerk }
metrics: { pool: pool }
`;

let directory: string;
let scenarioFile: string;
const saved = { url: process.env.SANDTABLE_MODEL_URL, model: process.env.SANDTABLE_MODEL };

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sandtable-models-'));
  scenarioFile = join(directory, 'world.yaml');
  await writeFile(scenarioFile, scenario);
});

afterEach(() => {
  for (const [name, value] of [
    ['SANDTABLE_MODEL_URL', saved.url],
    ['SANDTABLE_MODEL', saved.model],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('model-backed runs from the command line', () => {
  it('records a run against a model server, then replays it with the server off: identical event log', async () => {
    const server = await SimulatedModelServer.start({ faults: { sequence: ['server-error'] } });
    process.env.SANDTABLE_MODEL_URL = server.openaiBaseUrl;
    process.env.SANDTABLE_MODEL = 'simulated-model';
    const out = join(directory, 'recorded');
    const io = capture();
    try {
      expect(await main(['node', 'sandtable', 'run', scenarioFile, '--record', '--out', out], io)).toBe(0);
    } finally {
      await server.close();
    }
    const [runName] = await readdir(out);
    const runDirectory = join(out, runName as string);
    expect(await readdir(runDirectory)).toEqual(
      expect.arrayContaining(['cassette.jsonl', 'model-usage.json', 'run.json', 'scenario.yaml']),
    );
    const usage = JSON.parse(await readFile(join(runDirectory, 'model-usage.json'), 'utf8'));
    expect(usage).toMatchObject({ calls: 9, retries: 1, attempts: 10 });
    expect(io.stdout.join('\n')).toMatch(/Model calls: 9 \(10 requests: 1 retries/);
    const calls = (await readFile(join(runDirectory, 'model-calls.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(calls).toHaveLength(10);
    expect(calls[0]).toMatchObject({
      outcome: 'error',
      errorCode: 'PROVIDER_UNAVAILABLE',
      step: 1,
      agentId: 'farmer-0001',
    });
    expect(calls.every((call) => /^[0-9a-f]{64}$/.test(call.promptSha256) && call.tier === 'fast')).toBe(
      true,
    );
    expect(calls.filter((call) => call.outcome === 'ok').every((call) => call.usage.promptTokens > 0)).toBe(
      true,
    );
    const events = (await readFile(join(runDirectory, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.filter((event) => event.type === 'agent-acted' && event.source === 'model')).toHaveLength(
      9,
    );
    expect(JSON.stringify(JSON.parse(await readFile(join(runDirectory, 'run.json'), 'utf8')))).not.toMatch(
      /apiKey|sk-/,
    );

    const replay = capture();
    expect(
      await main(['node', 'sandtable', 'replay', runDirectory, '--out', join(directory, 'replayed')], replay),
    ).toBe(0);
    expect(replay.stdout.join('\n')).toMatch(/Replay identical to the recording: \d+ events/);
  });

  it('says clearly when a replay is asked of a folder recorded without --record', async () => {
    const out = join(directory, 'plain');
    expect(
      await main(
        [
          'node',
          'sandtable',
          'run',
          scenarioFile,
          '--out',
          out,
          '--model-config',
          join(directory, 'none.yaml'),
        ],
        capture(),
      ),
    ).toBe(1);
    const io = capture();
    await writeFile(join(directory, 'rules.yaml'), scenario.replaceAll('brain: fast, ', ''));
    expect(
      await main(['node', 'sandtable', 'run', join(directory, 'rules.yaml'), '--out', out], capture()),
    ).toBe(0);
    const [runName] = await readdir(out);
    expect(await main(['node', 'sandtable', 'replay', join(out, runName as string)], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(
      /cassette\.jsonl is missing; replay needs a folder written by `sandtable run --record`/,
    );
  });
});

describe('sandtable doctor', () => {
  it('explains how to configure a model when nothing is configured', async () => {
    delete process.env.SANDTABLE_MODEL_URL;
    const io = capture();
    expect(await main(['node', 'sandtable', 'doctor', '--timeout', '500'], io)).toBe(1);
    expect(io.stdout.join('\n')).toMatch(/SANDTABLE_MODEL_URL/);
  });

  it('reports an endpoint that is down', async () => {
    const config = join(directory, 'down.yaml');
    await writeFile(
      config,
      'endpoints:\n  gone: { provider: openai, baseUrl: "http://127.0.0.1:9/v1", model: m }\ntiers: { fast: [gone] }\n',
    );
    const io = capture();
    expect(
      await main(['node', 'sandtable', 'doctor', '--model-config', config, '--timeout', '500'], io),
    ).toBe(1);
    expect(io.stdout.join('\n')).toMatch(/gone/);
    expect(io.stdout.join('\n')).toMatch(/✗ does not answer: cannot reach gone/);
  });

  it('reports a working endpoint with its models, tool calling and JSON mode', async () => {
    const server = await SimulatedModelServer.start({ models: ['simulated-model', 'other-model'] });
    try {
      process.env.SANDTABLE_MODEL_URL = server.openaiBaseUrl;
      process.env.SANDTABLE_MODEL = 'simulated-model';
      const io = capture();
      expect(await main(['node', 'sandtable', 'doctor'], io)).toBe(0);
      const text = io.stdout.join('\n');
      expect(text).toMatch(/simulated-model/);
      expect(text).toMatch(/2 models listed/);
      expect(text).toMatch(/✓ tool calling works/);
      expect(text).toMatch(/✓ JSON mode works/);
    } finally {
      await server.close();
    }
  });
});
