/**
 * Writes this version's historical run folders into tests/__fixtures__/historical-runs/<version>/,
 * which every later version must still read (tests/historical-runs/historical-runs.test.ts), the
 * way openai-agents-js keeps old run states. Run it once per release that changes a run folder's
 * format, and commit what it writes; never regenerate an existing version's folder.
 *
 *   npx tsx tests/historical-runs/generate-fixtures.ts 2026-12-02
 *
 * Two folders: `harbour-town-model` (two model-backed agents answered by the simulated model
 * server, recorded with `--record`, so it replays offline) and `port-strike-rule` (a shipped
 * scenario with rule agents only, cut to six steps).
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, processIo } from '@sandtable/cli';
import { SimulatedModelServer } from '@sandtable/core/testing';

const root = join(import.meta.dirname, '..', '..');
const version = process.argv[2];
if (!version || !/^\d{4}-\d{2}-\d{2}$/.test(version)) {
  console.error('usage: npx tsx tests/historical-runs/generate-fixtures.ts YYYY-MM-DD');
  process.exit(2);
}
const target = join(root, 'tests', '__fixtures__', 'historical-runs', version);
const work = await mkdtemp(join(tmpdir(), 'sandtable-historical-'));

async function run(name: string, argv: string[]): Promise<void> {
  const out = join(work, name);
  const code = await main(['node', 'sandtable', 'run', ...argv, '--out', out, '--no-store'], processIo);
  if (code !== 0) throw new Error(`sandtable run for ${name} exited ${code}`);
  const [folder] = await readdir(out);
  await mkdir(target, { recursive: true });
  await rename(join(out, folder as string), join(target, name));
  // The folder moved: the absolute path of the file it was run from means nothing here.
  const manifestFile = join(target, name, 'run.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
  await writeFile(manifestFile, `${JSON.stringify({ ...manifest, scenarioFile: null }, null, 2)}\n`);
}

const server = await SimulatedModelServer.start({});
try {
  const models = join(work, 'models.yaml');
  await writeFile(
    models,
    `endpoints:\n  sim: { provider: openai, baseUrl: "${server.openaiBaseUrl}", model: simulated-model }\ntiers: { smart: [sim], fast: [sim] }\n`,
  );
  await run('harbour-town-model', [
    join(root, 'packages', 'store', 'src', '__fixtures__', 'harbour-town.yaml'),
    '--steps',
    '5',
    '--model-config',
    models,
    '--record',
  ]);
  await run('port-strike-rule', [join(root, 'scenarios', 'port-strike.yaml'), '--steps', '6']);
  console.log(`wrote ${target}`);
} finally {
  await server.close();
  await rm(work, { recursive: true, force: true });
}
