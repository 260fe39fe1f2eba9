import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  Cassette,
  type ChatRouter,
  createEngine,
  PersonaModelCalls,
  ProviderError,
  parseGroundedScenario,
  ReplayRouter,
  resolveModelSetup,
  SandtableError,
} from '@sandtable/core';
import type { CommandIo } from '../command-io';

/**
 * `sandtable interview RUN_DIR AGENT "question" [--step N]`: rebuilds the run from its folder —
 * exactly, from the seed, and from the cassette when models were used — up to step N (default:
 * the end), then asks the agent. The recorded run is not changed.
 */
export async function interviewCommand(
  runDirectory: string,
  agentId: string,
  question: string,
  options: { step?: number; modelConfig?: string },
  io: CommandIo,
): Promise<number> {
  const read = async (name: string) => {
    try {
      return await readFile(join(runDirectory, name), 'utf8');
    } catch {
      throw new SandtableError(
        'RUN_FOLDER_INCOMPLETE',
        `${join(runDirectory, name)} is missing; interview needs a folder written by \`sandtable run\``,
        {
          category: 'user',
        },
      );
    }
  };
  const manifest = JSON.parse(await read('run.json')) as {
    seed: number;
    steps: number;
    parameters: Record<string, string | number | boolean>;
    scenarioFile?: string | null;
  };
  const cassettePath = join(runDirectory, 'cassette.jsonl');
  const hasCassette = await access(cassettePath).then(
    () => true,
    () => false,
  );
  // A grounded scenario's world (data, documents) sits beside the original scenario file; personas
  // a model wrote are rebuilt from the recording's persona calls.
  const scenario = await parseGroundedScenario(await read('scenario.yaml'), {
    personaModels: PersonaModelCalls.recorded(hasCassette ? (await Cassette.load(cassettePath)).entries : []),
    file: join(runDirectory, 'scenario.yaml'),
    seed: manifest.seed,
    steps: options.step ?? manifest.steps,
    parameters: manifest.parameters,
    ...(manifest.scenarioFile ? { worldDirectory: dirname(resolve(manifest.scenarioFile)) } : {}),
  });
  if (!scenario.agents.some((agent) => agent.id === agentId)) {
    throw new SandtableError(
      'AGENT_NOT_FOUND',
      `no agent "${agentId}" in this run; agents include ${scenario.agents
        .slice(0, 8)
        .map((agent) => agent.id)
        .join(', ')}`,
      {
        category: 'user',
      },
    );
  }
  const usesModels = scenario.agents.some((agent) => agent.brain !== 'rules');
  if (usesModels && !hasCassette) {
    throw new SandtableError(
      'RUN_FOLDER_INCOMPLETE',
      'this run used models but was not recorded; rebuilding it needs `sandtable run --record`',
      { category: 'user' },
    );
  }
  // Rebuild from the recording; the question itself goes to a live model when one is configured.
  const live = usesModels
    ? (await resolveModelSetup(options.modelConfig ? { configPath: options.modelConfig } : {})).router
    : undefined;
  const router = hasCassette
    ? replayThenLive(new ReplayRouter(await Cassette.load(cassettePath)), live)
    : undefined;
  const run = createEngine(router ? { models: { router } } : {}).createRun(scenario);
  const result = await run.start();
  if (result.status === 'failed') {
    io.err(`Could not rebuild the run: ${result.reason}`);
    return 2;
  }
  const answer = await run.interview(agentId, question);
  live?.close();
  io.out(`${agentId} (after step ${result.steps}, ${answer.source}): ${answer.answer}`);
  return 0;
}

/** Serves recorded calls from the cassette and sends anything new (the interview) to the live router. */
function replayThenLive(replay: ReplayRouter, live: ChatRouter | undefined): ChatRouter {
  return {
    // Every chat target replays; the embedding tier only when the run recorded embeddings (the
    // rebuilt run must rank its documents as the recorded one did, whatever is configured now).
    hasTarget: (target) => replay.hasTarget(target),
    async chat(target, request, options) {
      try {
        return await replay.chat(target, request, options);
      } catch (error) {
        if (live && error instanceof ProviderError && error.code === 'CASSETTE_MISS')
          return live.chat(target, request, options);
        throw error;
      }
    },
  };
}
