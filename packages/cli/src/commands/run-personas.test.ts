import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunFolder } from '@sandtable/core';
import { exampleFromSchema, personaReplyFromFacts, SimulatedModelServer } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main';
import { captureIo as capture } from '../test-support';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'examples');

let folder: string;
let server: SimulatedModelServer;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sandtable-run-personas-'));
  // Persona calls get a persona written from their facts (Andes' first reply invents a volume and is
  // repaired); the procurement agent's decisions get the first offered tool.
  server = await SimulatedModelServer.start({
    reply: (request) => {
      const persona = personaReplyFromFacts(request, { inventFor: ['Andes Cocoa Cooperative'] });
      if (persona) return persona;
      const tool = request.tools[0];
      if (!tool) return 'ok';
      return {
        toolCalls: [
          {
            name: tool.name,
            arguments: exampleFromSchema({ type: 'object', ...tool.parameters }) as Record<string, unknown>,
          },
        ],
      };
    },
  });
  // The shipped example company, its personas written by the model, procurement decided by it.
  await symlink(join(examples, 'company'), join(folder, 'company'));
  const scenario = (await readFile(join(examples, 'company-world.yaml'), 'utf8'))
    .replace(/^personas:\n/m, 'personas:\n  writer: model\n')
    .replace('    procurement:\n', '    procurement:\n      brain: smart\n');
  await writeFile(join(folder, 'company-world.yaml'), scenario);
  await writeFile(
    join(folder, 'models.yaml'),
    `endpoints:\n  sim: { provider: openai, baseUrl: "${server.openaiBaseUrl}", model: simulated-model }\ntiers: { smart: [sim], fast: [sim] }\n`,
  );
});

afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

describe('sandtable run with personas.writer: model (example company, simulated server)', () => {
  it('writes the personas with the model, records the calls with the run, and replays it identically offline', async () => {
    const io = capture();
    const code = await main(
      [
        'node',
        'sandtable',
        'run',
        join(folder, 'company-world.yaml'),
        '--steps',
        '6',
        '--record',
        '--model-config',
        join(folder, 'models.yaml'),
        '--out',
        join(folder, 'runs'),
        '--data',
        join(folder, 'store'),
      ],
      io,
    );
    expect(code, io.stderr.join('\n')).toBe(0);
    const [runName] = await readdir(join(folder, 'runs'));
    const runDirectory = join(folder, 'runs', runName!);
    const cassette = (await readFile(join(runDirectory, 'cassette.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => JSON.parse(line) as { metadata?: { agentId?: string } });
    const personaCalls = cassette.filter((entry) => entry.metadata?.agentId?.startsWith('persona:'));
    const personaIds = new Set(personaCalls.map((entry) => entry.metadata?.agentId));
    // One call per generated persona, plus Andes' repair round; the run's own calls besides.
    expect(personaCalls.length).toBe(personaIds.size + 1);
    expect(personaIds.has('persona:supplier-andes-cocoa-cooperative')).toBe(true);
    expect(cassette.length).toBeGreaterThan(personaCalls.length);
    const requests = server.requests();
    expect(
      requests.filter((request) => request.messages.some((m) => m.content.startsWith('<facts>'))),
    ).toHaveLength(personaCalls.length);
    // The model-backed procurement agent is prompted with the persona the model wrote.
    expect(
      requests.some(
        (request) =>
          request.tools.length > 0 &&
          JSON.stringify(request.messages).includes(
            'Head of Procurement is a careful party that keeps its word',
          ),
      ),
    ).toBe(true);
    expect(io.stderr.join('\n')).not.toContain('WORLD_PERSONA_NOT_WRITTEN');
    // The persona calls' attempts are logged with the run's, though they came before its folder.
    const attempts = (await readFile(join(runDirectory, 'model-calls.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { agentId?: string });
    expect(attempts.filter((attempt) => attempt.agentId?.startsWith('persona:'))).toHaveLength(
      personaCalls.length,
    );

    // An interview rebuilds the run from the folder, personas from the cassette: only the question is asked.
    const before = server.requests().length;
    const interview = capture();
    const interviewed = await main(
      [
        'node',
        'sandtable',
        'interview',
        runDirectory,
        'procurement-1',
        'How much cocoa cover do we have?',
        '--model-config',
        join(folder, 'models.yaml'),
      ],
      interview,
    );
    expect(interviewed, interview.stderr.join('\n')).toBe(0);
    expect(server.requests().length).toBe(before + 1);
    expect(JSON.stringify(server.requests().at(-1)?.messages)).toContain(
      'Head of Procurement is a careful party',
    );

    // Offline: no model server at all; the personas are rebuilt from the cassette.
    const asked = server.requests().length;
    const records = await readRunFolder(runDirectory);
    expect(records.scenario.agents.find((agent) => agent.id === 'procurement-1')?.persona).toBe(
      'Head of Procurement is a careful party that keeps its word when ports close.',
    );
    const replay = capture();
    const replayed = await main(
      ['node', 'sandtable', 'replay', runDirectory, '--out', join(folder, 'replays')],
      replay,
    );
    expect(replayed, replay.stderr.join('\n')).toBe(0);
    expect(replay.stdout.join('\n')).toMatch(/Replay identical to the recording: \d+ events/);
    expect(server.requests().length).toBe(asked);
  });
});
