import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedServerOptions } from '../testing/simulated-server-types';
import { waitUntil as waitFor } from '../testing/wait-until';
import { OpenAIProvider } from './openai-provider';
import { type ChatRequest, ProviderError, type ToolSchema } from './types';

const moveTool: ToolSchema = {
  type: 'function',
  function: {
    name: 'move',
    description: 'Move somewhere',
    parameters: {
      type: 'object',
      properties: {
        direction: { type: 'string', enum: ['north', 'south'] },
        steps: { type: 'integer', minimum: 2 },
      },
      required: ['direction', 'steps'],
    },
  },
};

let server: SimulatedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Every test runs against both ways of sending a non-streaming call; they must behave alike. */
const transports = ['direct', 'sdk'] as const;

function ask(content: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'simulated-model',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content },
    ],
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe.each(transports)('OpenAIProvider (transport: %s)', (transport) => {
  async function setup(
    options: SimulatedServerOptions = {},
  ): Promise<{ server: SimulatedModelServer; provider: OpenAIProvider }> {
    server = await SimulatedModelServer.start(options);
    return {
      server,
      provider: new OpenAIProvider({ id: 'local', transport, baseUrl: server.openaiBaseUrl }),
    };
  }

  it('returns text and usage without streaming', async () => {
    const { provider, server } = await setup({ reply: () => 'Hello there' });
    const response = await provider.chat(ask('Say hello', { temperature: 0.2, maxTokens: 50, seed: 7 }));
    expect(response.text).toBe('Hello there');
    expect(response.finishReason).toBe('stop');
    expect(response.toolCalls).toEqual([]);
    expect(response.usage.promptTokens).toBeGreaterThan(0);
    expect(response.usage.completionTokens).toBeGreaterThan(0);
    expect(response.model).toBe('simulated-model');
    const body = server.requests()[0]!.body;
    expect(body).toMatchObject({ temperature: 0.2, max_tokens: 50, seed: 7, stream: false });
  });

  it('assembles streamed text and reports usage from the final chunk', async () => {
    const { provider, server } = await setup({
      reply: () => 'A longer reply that arrives in many small pieces.',
    });
    const response = await provider.chat(ask('Stream please', { stream: true }));
    expect(response.text).toBe('A longer reply that arrives in many small pieces.');
    expect(response.finishReason).toBe('stop');
    expect(response.usage.completionTokens).toBeGreaterThan(0);
    expect(server.requests()[0]!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each([false, true])('returns tool calls built from the schema (stream: %s)', async (stream) => {
    const { provider } = await setup();
    const response = await provider.chat(ask('Move', { tools: [moveTool], stream }));
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toHaveLength(1);
    expect(response.toolCalls[0]!.name).toBe('move');
    expect(JSON.parse(response.toolCalls[0]!.arguments)).toEqual({ direction: 'north', steps: 2 });
    expect(response.toolCalls[0]!.id).not.toBe('');
  });

  it('treats a stop after tool calls as a tool-call finish (as some local servers answer)', async () => {
    const { provider } = await setup({
      reply: () => ({
        toolCalls: [{ name: 'move', arguments: { direction: 'south', steps: 3 } }],
        finishReason: 'stop',
      }),
    });
    for (const stream of [false, true]) {
      const response = await provider.chat(ask('Move', { tools: [moveTool], stream }));
      expect(response.finishReason).toBe('tool_calls');
      expect(JSON.parse(response.toolCalls[0]!.arguments)).toEqual({ direction: 'south', steps: 3 });
    }
  });

  it('sends tool results back in the OpenAI shape', async () => {
    const { provider, server } = await setup();
    const response = await provider.chat({
      model: 'simulated-model',
      messages: [
        { role: 'user', content: 'Move' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'move', arguments: '{"direction":"north","steps":2}' }],
        },
        { role: 'tool', content: 'moved', toolCallId: 'call_1' },
      ],
      tools: [moveTool],
    });
    expect(response.text).toBe('Done.');
    const messages = server.requests()[0]!.body.messages as Array<Record<string, unknown>>;
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'move' } }],
    });
    expect(messages[2]).toEqual({ role: 'tool', content: 'moved', tool_call_id: 'call_1' });
  });

  it('reports cached prompt tokens when the prompt prefix repeats', async () => {
    const { provider } = await setup();
    const shared = 'Rules of the world. '.repeat(50);
    const first = await provider.chat(ask(`${shared} Agent one acts.`));
    const second = await provider.chat({
      model: 'simulated-model',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: `${shared} Agent two acts.` },
      ],
    });
    const third = await provider.chat(ask(`${shared} Agent one acts.`, { stream: true }));
    expect(first.usage.cachedPromptTokens).toBe(0);
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(0);
    expect(second.usage.cachedPromptTokens).toBeLessThan(second.usage.promptTokens);
    expect(third.usage.cachedPromptTokens).toBe(third.usage.promptTokens);
  });

  it('passes a json_schema response format through, and Ollama’s format field when asked', async () => {
    const { server } = await setup();
    const schema = {
      type: 'object',
      properties: { mood: { type: 'string', enum: ['calm', 'angry'] } },
      required: ['mood'],
    };
    const plain = new OpenAIProvider({ transport, baseUrl: server.openaiBaseUrl });
    const ollama = new OpenAIProvider({ transport, baseUrl: server.openaiBaseUrl, ollamaNativeFormat: true });
    const request = ask('Mood?', { responseFormat: { type: 'json_schema', name: 'mood', schema } });
    const response = await plain.chat(request);
    expect(JSON.parse(response.text)).toEqual({ mood: 'calm' });
    await ollama.chat(request);
    const [first, second] = server.requests();
    expect(first!.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'mood', schema },
    });
    expect(first!.body.format).toBeUndefined();
    expect(second!.body.format).toEqual(schema);
  });

  it('maps 429 with retry-after to a retryable rate-limit error', async () => {
    const { provider } = await setup({ faults: { sequence: ['rate-limited'], retryAfterMs: 2500 } });
    const error = await failure(provider.chat(ask('hi')));
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(2500);
    expect(error.category).toBe('provider');
  });

  it.each([
    ['server-error', 500],
    ['unavailable', 503],
  ] as const)('maps %s to a retryable unavailable error', async (fault, status) => {
    const { provider } = await setup({ faults: { sequence: [fault] } });
    const error = await failure(provider.chat(ask('hi')));
    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
  });

  it('maps 400 and 404 to errors that are not retried', async () => {
    const { server } = await setup();
    const wrongPath = new OpenAIProvider({ transport, baseUrl: `${server.url}/nope` });
    const notFound = await failure(wrongPath.chat(ask('hi')));
    expect(notFound.code).toBe('PROVIDER_NOT_FOUND');
    expect(notFound.retryable).toBe(false);
    const provider = new OpenAIProvider({ transport, baseUrl: server.openaiBaseUrl });
    const badRequest = await failure(provider.chat({ model: 'simulated-model', messages: [] }));
    expect(badRequest.code).toBe('PROVIDER_BAD_REQUEST');
    expect(badRequest.retryable).toBe(false);
    expect(badRequest.status).toBe(400);
  });

  it('maps a reset connection and a truncated stream to retryable errors', async () => {
    const { provider } = await setup({
      faults: { sequence: ['connection-reset', 'truncated-stream', 'truncated-stream'] },
    });
    const reset = await failure(provider.chat(ask('hi')));
    expect(reset.code).toBe('PROVIDER_CONNECTION');
    expect(reset.retryable).toBe(true);
    const truncatedStream = await failure(provider.chat(ask('hi', { stream: true })));
    expect(truncatedStream.code).toBe('PROVIDER_MALFORMED_REPLY');
    expect(truncatedStream.retryable).toBe(true);
    const truncatedBody = await failure(provider.chat(ask('hi')));
    expect(truncatedBody.code).toBe('PROVIDER_MALFORMED_REPLY');
  });

  it('names an unreachable server as a connection error', async () => {
    const { server } = await setup();
    const url = server.openaiBaseUrl;
    await server.close();
    const provider = new OpenAIProvider({ transport, baseUrl: url });
    const error = await failure(provider.chat(ask('hi')));
    expect(error.code).toBe('PROVIDER_CONNECTION');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it.each([false, true])('aborting mid-request closes the HTTP request (stream: %s)', async (stream) => {
    const { provider, server } = await setup({ faults: { sequence: ['hang'] } });
    const controller = new AbortController();
    const pending = provider.chat(ask('hi', { signal: controller.signal, stream }));
    await waitFor(() => server.stats().chatRequests === 1);
    controller.abort();
    const error = await failure(pending);
    expect(error.code).toBe('PROVIDER_ABORTED');
    expect(error.retryable).toBe(false);
    await waitFor(() => server.stats().disconnects === 1, 1000);
  });

  it('reports a timeout when the signal is a timeout', async () => {
    const { provider } = await setup({ faults: { sequence: ['hang'] } });
    const error = await failure(provider.chat(ask('hi', { signal: AbortSignal.timeout(50) })));
    expect(error.code).toBe('PROVIDER_TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('lists models and never shows the key when logged', async () => {
    server = await SimulatedModelServer.start({ models: ['a-model', 'b-model'] });
    const provider = new OpenAIProvider({
      transport,
      baseUrl: server.openaiBaseUrl,
      apiKey: 'sk-secret-value',
    });
    expect(await provider.listModels()).toEqual(['a-model', 'b-model']);
    expect(JSON.stringify(provider)).not.toContain('sk-secret');
    expect(server.requests()).toHaveLength(0);
  });

  it('sends the key as a bearer token and the extra headers, over one kept-alive connection', async () => {
    const seen: IncomingHttpHeaders[] = [];
    let connections = 0;
    const plain = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            model: 'm',
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 2 } },
          }),
        );
      });
    });
    plain.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = plain.address() as AddressInfo;
      const provider = new OpenAIProvider({
        transport,
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: 'sk-test-key',
        headers: { 'x-title': 'sandtable' },
      });
      for (let call = 0; call < 3; call += 1) {
        const response = await provider.chat(ask('hi'));
        expect(response.text).toBe('ok');
        expect(response.usage).toEqual({ promptTokens: 3, completionTokens: 1, cachedPromptTokens: 2 });
      }
      expect(seen[0]!.authorization).toBe('Bearer sk-test-key');
      expect(seen[0]!['x-title']).toBe('sandtable');
      // The lean path's point is one pooled connection; the SDK's fetch opened a second one here.
      if (transport === 'direct') expect(connections).toBe(1);
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
