import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import { Cassette, RecordingProvider, ReplayProvider } from './cassette';
import { OpenAIProvider } from './openai-provider';
import { ModelRouter } from './router';
import { type ChatRequest, ProviderError, type ToolSchema } from './types';

const tool: ToolSchema = {
  type: 'function',
  function: {
    name: 'post',
    parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
};

let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

function requestFor(agent: string, step: number): ChatRequest {
  return {
    model: '',
    messages: [
      { role: 'system', content: 'A small town after a flood.' },
      { role: 'user', content: `You are ${agent}. Step ${step}. What do you do?` },
    ],
    tools: [tool],
    temperature: 0.7,
    seed: 42,
  };
}

describe('Cassette', () => {
  it('records a run and replays it with identical responses after the server is gone', async () => {
    const server = await SimulatedModelServer.start({
      reply: (request) =>
        request.messages.at(-1)?.content.includes('ada')
          ? { toolCalls: [{ name: 'post', arguments: { text: 'Help!' } }] }
          : 'I wait.',
    });
    const cassette = new Cassette();
    const recorder = new RecordingProvider(
      new OpenAIProvider({ id: 'local', baseUrl: server.openaiBaseUrl }),
      cassette,
    );
    const recordingRouter = new ModelRouter({
      endpoints: [{ id: 'local', provider: recorder, model: 'sim', maxConcurrency: 4, timeoutMs: 2000 }],
      tiers: { fast: ['local'] },
    });
    const recorded = [];
    for (const [step, agent] of [
      [1, 'ada'],
      [1, 'bo'],
      [2, 'ada'],
    ] as const) {
      recorded.push(
        (
          await recordingRouter.chat('fast', requestFor(agent, step), {
            runId: 'run-7',
            step,
            agentId: agent,
          })
        ).response,
      );
    }
    await server.close();

    directory = await mkdtemp(join(tmpdir(), 'sandtable-cassette-'));
    const file = join(directory, 'calls.jsonl');
    await cassette.save(file);
    const loaded = await Cassette.load(file);
    expect(loaded.size).toBe(3);
    const replayRouter = new ModelRouter({
      endpoints: [
        {
          id: 'local',
          provider: new ReplayProvider(loaded),
          model: 'sim',
          maxConcurrency: 4,
          timeoutMs: 2000,
        },
      ],
      tiers: { fast: ['local'] },
    });
    const replayed = [];
    for (const [step, agent] of [
      [1, 'ada'],
      [1, 'bo'],
      [2, 'ada'],
    ] as const) {
      replayed.push(
        (await replayRouter.chat('fast', requestFor(agent, step), { runId: 'run-7', step, agentId: agent }))
          .response,
      );
    }
    expect(replayed).toEqual(recorded);
    expect(replayed[0]!.toolCalls[0]!.name).toBe('post');
    expect(replayed[1]!.text).toBe('I wait.');
  });

  it('names the run, step and agent of a call the recording never saw', async () => {
    const cassette = new Cassette();
    const replay = new ReplayProvider(cassette);
    const attempt = replay.chat({
      ...requestFor('cy', 4),
      model: 'sim',
      metadata: { runId: 'run-9', step: 4, agentId: 'cy' },
    });
    await expect(attempt).rejects.toBeInstanceOf(ProviderError);
    await expect(attempt).rejects.toMatchObject({ code: 'CASSETTE_MISS', retryable: false });
    await expect(attempt).rejects.toThrow(/run run-9, step 4, agent cy/);
    const router = new ModelRouter({
      endpoints: [{ id: 'replay', provider: replay, model: 'sim', maxConcurrency: 1, timeoutMs: 1000 }],
      tiers: { fast: ['replay'] },
    });
    const routed = router.chat('fast', requestFor('cy', 4), { runId: 'run-9', step: 4, agentId: 'cy' });
    await expect(routed).rejects.toMatchObject({ code: 'CASSETTE_MISS' });
    await expect(routed).rejects.toThrow(/agent cy/);
  });

  it('serves repeated identical requests in recording order, then misses', async () => {
    const cassette = new Cassette();
    const request = { ...requestFor('ada', 1), model: 'sim' };
    const response = {
      text: '',
      toolCalls: [],
      usage: { promptTokens: 1, completionTokens: 1, cachedPromptTokens: 0 },
      latencyMs: 1,
      finishReason: 'stop' as const,
      model: 'sim',
    };
    cassette.record(request, { ...response, text: 'first' });
    cassette.record(request, { ...response, text: 'second' });
    const copy = Cassette.fromJsonl(cassette.toJsonl());
    const replay = new ReplayProvider(copy);
    expect((await replay.chat(request)).text).toBe('first');
    expect((await replay.chat({ ...request, signal: new AbortController().signal, stream: true })).text).toBe(
      'second',
    );
    await expect(replay.chat(request)).rejects.toMatchObject({ code: 'CASSETTE_MISS' });
    // A different temperature is a different request.
    copy.rewind();
    await expect(replay.chat({ ...request, temperature: 0.1 })).rejects.toMatchObject({
      code: 'CASSETTE_MISS',
    });
  });

  it('names the line of a broken cassette file', async () => {
    directory = await mkdtemp(join(tmpdir(), 'sandtable-cassette-'));
    const file = join(directory, 'broken.jsonl');
    await writeFile(file, '{"cassette":"sandtable","version":1}\n{"key":"abc"}\n');
    await expect(Cassette.load(file)).rejects.toMatchObject({ code: 'CASSETTE_INVALID', category: 'user' });
    await expect(Cassette.load(file)).rejects.toThrow(`${file}:2: key`);
  });
});
