import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Cassette, parseGroundedScenario, SandtableError, wallClockFields } from '@sandtable/core';
import type { CommandIo } from '../command-io';
import { CommandModels, type RunCommandOptions, runScenario } from './run-command';

/** What `sandtable run` writes to `run.json`. */
interface RunManifest {
  runId: string;
  seed: number;
  steps: number;
  parameters: Record<string, string | number | boolean>;
  scenarioFile?: string | null;
}

function stripWallClock(line: string): string {
  const event = JSON.parse(line) as Record<string, unknown>;
  for (const field of wallClockFields) delete event[field];
  return JSON.stringify(event);
}

/**
 * `sandtable replay RUN_DIR`: re-executes a recorded run from its folder — the scenario copy,
 * seed, parameters and cassette — with no model server, then compares the new event log with the
 * recorded one (wall-clock fields aside). Exit 0 when identical, 2 when they differ.
 */
export async function replayCommand(
  runDirectory: string,
  options: { out: string },
  io: CommandIo,
): Promise<number> {
  const read = async (name: string) => {
    try {
      return await readFile(join(runDirectory, name), 'utf8');
    } catch {
      throw new SandtableError(
        'RUN_FOLDER_INCOMPLETE',
        `${join(runDirectory, name)} is missing; replay needs a folder written by \`sandtable run --record\``,
        { category: 'user' },
      );
    }
  };
  const manifest = JSON.parse(await read('run.json')) as RunManifest;
  const scenarioText = await read('scenario.yaml');
  const cassettePath = join(runDirectory, 'cassette.jsonl');
  const cassette = Cassette.fromJsonl(await read('cassette.jsonl'), cassettePath);
  const recordedEvents = (await read('events.jsonl')).trim().split('\n');
  const runOptions: RunCommandOptions = { out: options.out, set: [], replay: cassettePath };
  // Personas a model wrote are rebuilt from the cassette's persona calls, like every other reply.
  const models = new CommandModels(runOptions, io, cassette);
  // A grounded scenario's world (data, documents) sits beside the original scenario file.
  const scenario = await parseGroundedScenario(scenarioText, {
    personaModels: models.personaModels,
    file: join(runDirectory, 'scenario.yaml'),
    seed: manifest.seed,
    steps: manifest.steps,
    parameters: manifest.parameters,
    ...(manifest.scenarioFile ? { worldDirectory: dirname(resolve(manifest.scenarioFile)) } : {}),
  });
  const { exitCode, directory } = await runScenario(scenario, scenarioText, runOptions, io, models);
  if (exitCode !== 0) return exitCode;
  const replayedEvents = (await readFile(join(directory, 'events.jsonl'), 'utf8')).trim().split('\n');
  const length = Math.max(recordedEvents.length, replayedEvents.length);
  for (let index = 0; index < length; index++) {
    const recorded = recordedEvents[index];
    const replayed = replayedEvents[index];
    if (
      recorded === undefined ||
      replayed === undefined ||
      stripWallClock(recorded) !== stripWallClock(replayed)
    ) {
      io.err(
        `Replay differs from the recording at event ${index + 1}:\n  recorded: ${recorded ?? '(none)'}\n  replayed: ${replayed ?? '(none)'}`,
      );
      return 2;
    }
  }
  io.out(`Replay identical to the recording: ${length} events (wall-clock fields aside).`);
  return 0;
}
