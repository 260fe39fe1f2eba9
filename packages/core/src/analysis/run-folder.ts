import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunEvent } from '../engine/run-events';
import { SandtableError } from '../errors';
import { PersonaModelCalls } from '../grounding/persona-calls';
import { Cassette } from '../model/cassette';
import type { AttemptRecord } from '../model/types';
import { parseGroundedScenario, parseScenario } from '../scenario/scenario-loader';
import type { FinalState, RunRecords } from './run-records';

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseLines<T>(text: string, file: string): T[] {
  const records: T[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as T);
    } catch (error) {
      throw new SandtableError(
        'RUN_RECORD_INVALID',
        `${file}:${index + 1}: not a JSON record (${(error as Error).message})`,
        {
          category: 'user',
          cause: error,
        },
      );
    }
  });
  return records;
}

function parseJson<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SandtableError('RUN_RECORD_INVALID', `${file}: not valid JSON (${(error as Error).message})`, {
      category: 'user',
      cause: error,
    });
  }
}

/**
 * Reads a run folder written by `sandtable run` into {@link RunRecords}: the scenario as run
 * (`scenario.yaml` with the seed, steps and parameters of `run.json`), `events.jsonl`, and when
 * present `final-state.json` and `model-calls.jsonl`.
 * @throws {@link SandtableError} `RUN_FOLDER_INCOMPLETE` when `run.json`, `scenario.yaml` or
 * `events.jsonl` is missing; `RUN_RECORD_INVALID` naming the file and line of a corrupt record;
 * `SCENARIO_INVALID` when the scenario no longer loads.
 */
export async function readRunFolder(directory: string): Promise<RunRecords> {
  const [manifestText, scenarioText, eventsText, finalText, callsText] = await Promise.all(
    ['run.json', 'scenario.yaml', 'events.jsonl', 'final-state.json', 'model-calls.jsonl'].map((name) =>
      readOptional(join(directory, name)),
    ),
  );
  const missing = [
    ...(manifestText === undefined ? ['run.json'] : []),
    ...(scenarioText === undefined ? ['scenario.yaml'] : []),
    ...(eventsText === undefined ? ['events.jsonl'] : []),
  ];
  if (missing.length === 3 && !(await stat(directory).catch(() => undefined)))
    throw new SandtableError(
      'RUN_FOLDER_INCOMPLETE',
      `no run folder ${directory} (give a folder written by \`sandtable run\`, or a run id under runs/)`,
      {
        category: 'user',
      },
    );
  if (missing.length > 0)
    throw new SandtableError(
      'RUN_FOLDER_INCOMPLETE',
      `${directory} is not a complete run folder: ${missing.join(', ')} missing (write one with \`sandtable run\`)`,
      { category: 'user' },
    );
  const manifest = parseJson<{
    runId?: string;
    seed?: number;
    steps?: number;
    parameters?: Record<string, string | number | boolean>;
    scenarioFile?: string | null;
  }>(manifestText as string, join(directory, 'run.json'));
  const parseOptions = {
    file: manifest.scenarioFile ?? join(directory, 'scenario.yaml'),
    ...(manifest.seed !== undefined ? { seed: manifest.seed } : {}),
    ...(manifest.steps !== undefined ? { steps: manifest.steps } : {}),
    ...(manifest.parameters ? { parameters: manifest.parameters } : {}),
  };
  // A grounded scenario (data, documents, personas) gets its agents from the company world, which
  // sits beside the original scenario file; without it the stand-in personas are used.
  const grounded = /^(data|documents|personas)\s*:/m.test(scenarioText as string) && manifest.scenarioFile;
  // Personas a model wrote come back from the recording's persona calls, as the run had them.
  const cassetteText = grounded ? await readOptional(join(directory, 'cassette.jsonl')) : undefined;
  const scenario = grounded
    ? await parseGroundedScenario(scenarioText as string, {
        ...parseOptions,
        worldDirectory: dirname(resolve(manifest.scenarioFile as string)),
        personaModels: PersonaModelCalls.recorded(
          cassetteText ? Cassette.fromJsonl(cassetteText, join(directory, 'cassette.jsonl')).entries : [],
        ),
      }).catch(() => parseScenario(scenarioText as string, parseOptions))
    : parseScenario(scenarioText as string, parseOptions);
  return {
    runId: manifest.runId ?? basename(directory),
    scenario,
    events: parseLines<RunEvent>(eventsText as string, join(directory, 'events.jsonl')),
    ...(finalText !== undefined
      ? { finalState: parseJson<FinalState>(finalText, join(directory, 'final-state.json')) }
      : {}),
    ...(callsText !== undefined
      ? { modelCalls: parseLines<AttemptRecord>(callsText, join(directory, 'model-calls.jsonl')) }
      : {}),
  };
}
