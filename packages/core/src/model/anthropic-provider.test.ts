import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedServerOptions } from '../testing/simulated-server-types';
import { waitUntil as waitFor } from '../testing/wait-until';
import { AnthropicProvider } from './anthropic-provider';
import { type ChatRequest, ProviderError, type ToolSchema } from './types';

const voteTool: ToolSchema = {
  type: 'function',
  function: {
    name: 'vote',
    description: 'Cast a vote',
    parameters: {
      type: 'object',
      properties: { choice: { type: 'string', enum: ['yes', 'no'] } },
      required: ['choice'],
    },
  },
};

let server: SimulatedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  options: SimulatedServerOptions = {},
): Promise<{ server: SimulatedModelServer; provider: AnthropicProvider }> {
  server = await SimulatedModelServer.start(options);
  return {
    server,
    provider: new AnthropicProvider({ id: 'claude', baseUrl: server.anthropicBaseUrl, apiKey: 'test-key' }),
  };
}

function ask(content: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'claude-test',
    messages: [
      { role: 'system', content: 'You are a voter.' },
      { role: 'system', content: 'Be brief.' },
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

describe('AnthropicProvider', () => {
  it('splits system messages into the system prompt and sends max_tokens', async () => {
    const { provider, server } = await setup({ reply: () => 'Hello' });
    const response = await provider.chat(ask('Hi'));
    expect(response.text).toBe('Hello');
    expect(response.finishReason).toBe('stop');
    const body = server.requests()[0]!.body;
    expect(body.system).toBe('You are a voter.\n\nBe brief.');
    expect(body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(body.max_tokens).toBe(1024);
  });

  it.each([false, true])('maps tools and tool_use blocks to tool calls (stream: %s)', async (stream) => {
    const { provider, server } = await setup();
    const response = await provider.chat(ask('Vote', { tools: [voteTool], toolChoice: 'required', stream }));
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toHaveLength(1);
    expect(response.toolCalls[0]!.name).toBe('vote');
    expect(JSON.parse(response.toolCalls[0]!.arguments)).toEqual({ choice: 'yes' });
    expect(response.toolCalls[0]!.id).toMatch(/^toolu_/);
    const body = server.requests()[0]!.body;
    expect(body.tools).toEqual([
      { name: 'vote', description: 'Cast a vote', input_schema: voteTool.function.parameters },
    ]);
    expect(body.tool_choice).toEqual({ type: 'any' });
  });

  it('sends tool results back as tool_result blocks', async () => {
    const { provider, server } = await setup();
    const response = await provider.chat({
      model: 'claude-test',
      messages: [
        { role: 'user', content: 'Vote twice' },
        {
          role: 'assistant',
          content: 'Voting.',
          toolCalls: [
            { id: 'toolu_1', name: 'vote', arguments: '{"choice":"yes"}' },
            { id: 'toolu_2', name: 'vote', arguments: '{"choice":"no"}' },
          ],
        },
        { role: 'tool', content: 'counted', toolCallId: 'toolu_1' },
        { role: 'tool', content: 'counted again', toolCallId: 'toolu_2' },
      ],
      tools: [voteTool],
    });
    expect(response.text).toBe('Done.');
    const messages = server.requests()[0]!.body.messages as Array<Record<string, unknown>>;
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Voting.' },
        { type: 'tool_use', id: 'toolu_1', name: 'vote', input: { choice: 'yes' } },
        { type: 'tool_use', id: 'toolu_2', name: 'vote', input: { choice: 'no' } },
      ],
    });
    expect(messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'counted' },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: 'counted again' },
      ],
    });
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
  ] as const)('maps the stop reason for %s', async (finishReason, expected) => {
    const { provider, server } = await setup({
      reply: () =>
        finishReason === 'tool_calls'
          ? { toolCalls: [{ name: 'vote', arguments: { choice: 'no' } }] }
          : { text: 'cut', finishReason },
    });
    const response = await provider.chat(ask('Go', { tools: [voteTool] }));
    expect(response.finishReason).toBe(expected);
    const streamed = await provider.chat(ask('Go', { tools: [voteTool], stream: true }));
    expect(streamed.finishReason).toBe(expected);
    expect(server.stats().succeeded).toBe(2);
  });

  it.each([false, true])('counts cache reads as cached prompt tokens (stream: %s)', async (stream) => {
    const { provider } = await setup();
    const long = 'The shared scenario text. '.repeat(40);
    const first = await provider.chat(ask(long, { stream }));
    const second = await provider.chat(ask(long, { stream }));
    expect(first.usage.cachedPromptTokens).toBe(0);
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(100);
    // promptTokens includes the cached ones, as with OpenAI.
    expect(second.usage.promptTokens).toBe(first.usage.promptTokens);
    expect(second.usage.completionTokens).toBeGreaterThan(0);
  });

  it('serves a json_schema format through a forced answer tool', async () => {
    const { provider, server } = await setup();
    const schema = {
      type: 'object',
      properties: { score: { type: 'integer', minimum: 3 } },
      required: ['score'],
    };
    const response = await provider.chat(
      ask('Score it', { responseFormat: { type: 'json_schema', name: 'score', schema } }),
    );
    expect(JSON.parse(response.text)).toEqual({ score: 3 });
    expect(response.toolCalls).toEqual([]);
    expect(response.finishReason).toBe('stop');
    expect(server.requests()[0]!.body.tool_choice).toEqual({ type: 'tool', name: 'score' });
  });

  it('maps 429 with retry-after and 503 to retryable errors, and 400 to a non-retryable one', async () => {
    const { provider } = await setup({
      faults: { sequence: ['rate-limited', 'unavailable'], retryAfterMs: 3000 },
    });
    const limited = await failure(provider.chat(ask('hi')));
    expect(limited).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true, retryAfterMs: 3000 });
    const overloaded = await failure(provider.chat(ask('hi')));
    expect(overloaded).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true, status: 503 });
    const bad = await failure(
      provider.chat({
        model: 'claude-test',
        messages: [{ role: 'system', content: 'only a system prompt' }],
      }),
    );
    expect(bad).toMatchObject({ code: 'PROVIDER_BAD_REQUEST', retryable: false, status: 400 });
  });

  it('aborting closes the HTTP request and lists models in Anthropic format', async () => {
    const { provider, server } = await setup({ faults: { sequence: ['hang'] }, models: ['claude-a'] });
    const controller = new AbortController();
    const pending = provider.chat(ask('hi', { signal: controller.signal, stream: true }));
    await waitFor(() => server.stats().chatRequests === 1);
    controller.abort();
    expect((await failure(pending)).code).toBe('PROVIDER_ABORTED');
    await waitFor(() => server.stats().disconnects === 1, 1000);
    expect(await provider.listModels()).toEqual(['claude-a']);
  });
});
