import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatRouter, createEngine, resolveModelSetup } from '@sandtable/core';
import { exampleFromSchema, SimulatedModelServer } from '@sandtable/core/testing';
import type { RunFactory } from '../stored-run';

/** The persistence tests' scenario file: rule fishers, two model-backed skippers, a room and a storm. */
export const harbourTownFile = join(import.meta.dirname, '..', '__fixtures__', 'harbour-town.yaml');

/** Its text. */
export const harbourTownText = readFileSync(harbourTownFile, 'utf8');

/**
 * A simulated OpenAI-compatible server whose reply depends only on the request (a tool picked by
 * the prompt's hash), so two runs asking the same questions get the same answers.
 */
export function startDeterministicModelServer(
  options: { latencyMs?: number } = {},
): Promise<SimulatedModelServer> {
  return SimulatedModelServer.start({
    ...(options.latencyMs ? { latency: { kind: 'fixed', milliseconds: options.latencyMs } } : {}),
    reply(request) {
      if (request.tools.length === 0) return 'ok';
      const digest = createHash('sha256').update(JSON.stringify(request.messages)).digest();
      const tool = request.tools[digest[0]! % request.tools.length]!;
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
}

/** A model router for the simulated server (as `sandtable run` builds it from SANDTABLE_MODEL_URL). */
export async function simulatedRouter(server: SimulatedModelServer): Promise<ChatRouter> {
  const setup = await resolveModelSetup({
    cwd: tmpdir(),
    environment: { SANDTABLE_MODEL_URL: server.openaiBaseUrl, SANDTABLE_MODEL: 'simulated-model' },
    probeTargets: [],
  });
  if (!setup.router) throw new Error(`no router: ${setup.notice}`);
  return setup.router;
}

/** A run factory over a live router: the engine as the CLI builds it. */
export function engineFactory(live: ChatRouter | undefined): RunFactory {
  return ({ scenario, record, router }) =>
    createEngine({ models: { router: router(live) } }).createRun(scenario, { runId: record.id });
}
