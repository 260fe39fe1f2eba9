import { afterEach, describe, expect, it } from 'vitest';
import { FaultSchedule, LatencySchedule } from './simulated-behaviour';
import { SimulatedModelServer } from './simulated-model-server';
import type { SimulatedChatRequest, SimulatedServerOptions } from './simulated-server-types';
import { waitUntil } from './wait-until';

let server: SimulatedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: SimulatedServerOptions = {}): Promise<SimulatedModelServer> {
  server = await SimulatedModelServer.start(options);
  return server;
}

function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** Splits an SSE body into its frames (blocks separated by a blank line). */
function frames(text: string): string[] {
  return text.split('\n\n').filter((frame) => frame !== '');
}

const chat = { model: 'm', messages: [{ role: 'user', content: 'Hello' }] };

describe('SimulatedModelServer wire formats', () => {
  it('streams OpenAI chunks as data: frames, then the usage chunk, then [DONE]', async () => {
    const simulated = await start({ reply: () => 'Hello streaming world' });
    const response = await post(`${simulated.openaiBaseUrl}/chat/completions`, {
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const all = frames(await response.text());
    expect(all.every((frame) => frame.startsWith('data: '))).toBe(true);
    expect(all.at(-1)).toBe('data: [DONE]');
    const usage = JSON.parse(all.at(-2)!.slice(6));
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      prompt_tokens_details: { cached_tokens: 0 },
    });
    const finish = JSON.parse(all.at(-3)!.slice(6));
    expect(finish.choices[0].finish_reason).toBe('stop');
    const text = all
      .slice(0, -3)
      .map((frame) => JSON.parse(frame.slice(6)).choices[0].delta.content ?? '')
      .join('');
    expect(text).toBe('Hello streaming world');
    const withoutUsage = frames(
      await (await post(`${simulated.openaiBaseUrl}/chat/completions`, { ...chat, stream: true })).text(),
    );
    expect(withoutUsage.some((frame) => frame.includes('"usage"'))).toBe(false);
  });

  it('streams Anthropic events in the documented order', async () => {
    const simulated = await start({
      reply: () => ({ text: 'Voting', toolCalls: [{ name: 'vote', arguments: { choice: 'yes' } }] }),
    });
    const response = await post(
      `${simulated.url}/v1/messages`,
      { ...chat, max_tokens: 50, stream: true, tools: [{ name: 'vote', input_schema: { type: 'object' } }] },
      { 'anthropic-version': '2023-06-01' },
    );
    const events = frames(await response.text()).map((frame) => frame.split('\n')[0]!.replace('event: ', ''));
    expect(events[0]).toBe('message_start');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(events.filter((event) => event === 'content_block_start')).toHaveLength(2);
    expect(events.filter((event) => event === 'content_block_stop')).toHaveLength(2);
  });

  it('lists models for OpenAI, Anthropic and Ollama clients', async () => {
    const simulated = await start({ models: ['one', 'two'] });
    const openai = (await (await fetch(`${simulated.openaiBaseUrl}/models`)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(openai.data.map((model) => model.id)).toEqual(['one', 'two']);
    const anthropic = await (
      await fetch(`${simulated.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } })
    ).json();
    expect(anthropic).toMatchObject({
      has_more: false,
      data: [
        { type: 'model', id: 'one' },
        { type: 'model', id: 'two' },
      ],
    });
    const ollama = (await (await fetch(`${simulated.url}/api/tags`)).json()) as {
      models: Array<{ name: string }>;
    };
    expect(ollama.models.map((model) => model.name)).toEqual(['one', 'two']);
  });

  it('answers the first offered tool with arguments that satisfy its schema', async () => {
    const seen: SimulatedChatRequest[] = [];
    const simulated = await start({ reply: undefined });
    const body = {
      ...chat,
      tools: [
        {
          type: 'function',
          function: {
            name: 'allocate',
            parameters: {
              type: 'object',
              properties: {
                region: { type: 'string', enum: ['north'] },
                share: { type: 'number', minimum: 0.5 },
                tags: { type: 'array', items: { type: 'string' } },
                urgent: { type: 'boolean' },
              },
            },
          },
        },
      ],
    };
    const completion = (await (await post(`${simulated.openaiBaseUrl}/chat/completions`, body)).json()) as {
      choices: Array<{ message: { tool_calls: Array<{ function: { name: string; arguments: string } }> } }>;
    };
    const call = completion.choices[0]!.message.tool_calls[0]!;
    expect(call.function.name).toBe('allocate');
    expect(JSON.parse(call.function.arguments)).toEqual({
      region: 'north',
      share: 0.5,
      tags: ['example'],
      urgent: true,
    });
    seen.push(...simulated.requests());
    expect(seen[0]!.tools[0]!.name).toBe('allocate');
  });

  it('sends 429 with retry-after headers and a truncated stream without [DONE]', async () => {
    const simulated = await start({
      faults: { sequence: ['rate-limited', 'truncated-stream'], retryAfterMs: 1500 },
    });
    const limited = await post(`${simulated.openaiBaseUrl}/chat/completions`, chat);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('retry-after-ms')).toBe('1500');
    const truncated = await (
      await post(`${simulated.openaiBaseUrl}/chat/completions`, { ...chat, stream: true })
    ).text();
    expect(truncated).not.toContain('[DONE]');
    expect(truncated).not.toContain('finish_reason":"stop"');
    expect(simulated.stats().faults).toMatchObject({ 'rate-limited': 1, 'truncated-stream': 1 });
  });

  it('rejects requests over capacity with 429', async () => {
    const simulated = await start({
      capacity: { maxInFlight: 1, retryAfterMs: 10 },
      latency: { kind: 'fixed', milliseconds: 100 },
    });
    const statuses = await Promise.all(
      [1, 2, 3].map(() =>
        post(`${simulated.openaiBaseUrl}/chat/completions`, chat).then((response) => response.status),
      ),
    );
    expect(statuses.sort()).toEqual([200, 429, 429]);
    expect(simulated.stats()).toMatchObject({ capacityRejections: 2, succeeded: 1 });
  });

  it('counts client disconnects, and close() ends hanging requests at once', async () => {
    const simulated = await start({ faults: { sequence: ['hang', 'hang'] } });
    const controller = new AbortController();
    const abandoned = post(`${simulated.openaiBaseUrl}/chat/completions`, chat, {}, controller.signal).catch(
      () => 'aborted',
    );
    const hanging = post(`${simulated.openaiBaseUrl}/chat/completions`, chat).catch(() => 'cut off');
    await waitUntil(() => simulated.stats().chatRequests === 2);
    controller.abort();
    expect(await abandoned).toBe('aborted');
    await waitUntil(() => simulated.stats().disconnects === 1);
    const started = Date.now();
    await simulated.close();
    server = undefined;
    expect(await hanging).toBe('cut off');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(simulated.stats()).toMatchObject({ requests: 2, completed: 0, disconnects: 1, inFlight: 0 });
  });
});

describe('fault and latency schedules', () => {
  it('draw the same faults and latencies for the same seed', () => {
    const plan = { seed: 9, rates: { 'server-error': 0.2, hang: 0.1 } };
    const draw = (): Array<string | undefined> => {
      const schedule = new FaultSchedule(plan);
      return Array.from({ length: 200 }, (_, index) =>
        schedule.faultFor({ index, request: {} as SimulatedChatRequest }),
      );
    };
    const first = draw();
    expect(draw()).toEqual(first);
    const errors = first.filter((fault) => fault === 'server-error').length;
    expect(errors).toBeGreaterThan(20);
    expect(errors).toBeLessThan(60);
    const latencies = (seed: number): number[] => {
      const schedule = new LatencySchedule({
        kind: 'lognormal',
        medianMilliseconds: 10,
        sigma: 1,
        seed,
        maxMilliseconds: 500,
      });
      return Array.from({ length: 500 }, (_, index) =>
        schedule.latencyFor({ index, request: {} as SimulatedChatRequest }),
      );
    };
    const sample = latencies(4);
    expect(latencies(4)).toEqual(sample);
    expect(latencies(5)).not.toEqual(sample);
    const sorted = [...sample].sort((a, b) => a - b);
    expect(sorted[250]).toBeGreaterThan(7);
    expect(sorted[250]).toBeLessThan(14);
    expect(sorted[495]).toBeGreaterThan(50); // a heavy tail
    expect(Math.max(...sample)).toBeLessThanOrEqual(500);
  });

  it('puts bursts of 429 where the plan says', () => {
    const schedule = new FaultSchedule({
      rateLimitBursts: [{ fromRequest: 3, count: 2 }],
      sequence: ['hang'],
    });
    const faults = Array.from({ length: 6 }, (_, index) =>
      schedule.faultFor({ index, request: {} as SimulatedChatRequest }),
    );
    expect(faults).toEqual(['hang', undefined, undefined, 'rate-limited', 'rate-limited', undefined]);
  });
});

describe('SimulatedModelServer embeddings', () => {
  it('answers POST /v1/embeddings in the OpenAI format, for one string or a list', async () => {
    const simulated = await start({ embeddings: { dimensions: 32 } });
    const one = await post(`${simulated.openaiBaseUrl}/embeddings`, { model: 'e', input: 'port strike' });
    expect(one.status).toBe(200);
    const body = (await one.json()) as {
      object: string;
      data: Array<{ object: string; index: number; embedding: number[] }>;
      model: string;
      usage: { prompt_tokens: number; total_tokens: number };
    };
    expect(body).toMatchObject({ object: 'list', model: 'e', data: [{ object: 'embedding', index: 0 }] });
    expect(body.data[0]?.embedding).toHaveLength(32);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    const many = (await (
      await post(`${simulated.openaiBaseUrl}/embeddings`, { model: 'e', input: ['a walkout', 'port strike'] })
    ).json()) as typeof body;
    expect(many.data.map((item) => item.index)).toEqual([0, 1]);
    expect(many.data[1]?.embedding).toEqual(body.data[0]?.embedding);
    const bad = await post(`${simulated.openaiBaseUrl}/embeddings`, { model: 'e', input: [1, 2] });
    expect(bad.status).toBe(400);
    expect(simulated.stats()).toMatchObject({ embeddingRequests: 2, chatRequests: 0 });
    expect(simulated.embeddingRequests().map((request) => request.input)).toEqual([
      ['port strike'],
      ['a walkout', 'port strike'],
    ]);
  });
});
