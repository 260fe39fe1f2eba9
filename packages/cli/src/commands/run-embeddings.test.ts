import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedModelServer } from '@sandtable/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main';
import { captureIo as capture } from '../test-support';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'examples');

let folder: string;
let server: SimulatedModelServer;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sandtable-run-embeddings-'));
  server = await SimulatedModelServer.start({});
  // The shipped example company as shipped: rule agents only, documents to search.
  await symlink(join(examples, 'company'), join(folder, 'company'));
  await symlink(join(examples, 'company-world.yaml'), join(folder, 'company-world.yaml'));
  await writeFile(
    join(folder, 'models.yaml'),
    `endpoints:\n  sim: { provider: openai, baseUrl: "${server.openaiBaseUrl}", model: simulated-model }\ntiers: { smart: [sim], fast: [sim], embedding: [sim] }\n`,
  );
});

afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

async function run(
  out: string,
  extra: string[],
): Promise<{ directory: string; io: ReturnType<typeof capture> }> {
  const io = capture();
  const code = await main(
    [
      'node',
      'sandtable',
      'run',
      join(folder, 'company-world.yaml'),
      '--steps',
      '4',
      '--out',
      out,
      '--no-store',
      ...extra,
    ],
    io,
  );
  expect(code, io.stderr.join('\n')).toBe(0);
  const [name] = await readdir(out);
  return { directory: join(out, name as string), io };
}

describe('sandtable run, rule agents, a world with documents', () => {
  it('ranks passages with the embedding tier of a named model configuration, records it, and replays offline', async () => {
    const { directory } = await run(join(folder, 'hybrid'), [
      '--model-config',
      join(folder, 'models.yaml'),
      '--record',
    ]);
    // Passage vectors once, then each step's queries: only embedding calls, no chat.
    expect(server.embeddingRequests().length).toBeGreaterThan(1);
    expect(server.requests()).toHaveLength(0);
    const cassette = (await readFile(join(directory, 'cassette.jsonl'), 'utf8')).trim().split('\n').slice(1);
    expect(cassette.length).toBe(server.embeddingRequests().length);

    const asked = server.embeddingRequests().length;
    await server.close();
    const io = capture();
    const code = await main(
      ['node', 'sandtable', 'replay', directory, '--out', join(folder, 'replayed')],
      io,
    );
    expect(code, io.stderr.join('\n')).toBe(0);
    expect(io.stdout.join('\n') + io.stderr.join('\n')).toMatch(/identical/i);
    expect(server.embeddingRequests().length).toBe(asked);
    server = await SimulatedModelServer.start({});
  });

  it('opens no model setup without a named configuration (BM25, as before)', async () => {
    const { directory } = await run(join(folder, 'bm25'), []);
    expect(server.embeddingRequests()).toHaveLength(0);
    const events = await readFile(join(directory, 'events.jsonl'), 'utf8');
    expect(events).not.toContain('"embedding"');
  });
});
