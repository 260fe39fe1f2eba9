import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedServerOptions } from '../testing/simulated-server-types';
import { waitUntil } from '../testing/wait-until';
import { parseToolArguments } from './json-reply';
import { OpenAIProvider } from './openai-provider';
import { ModelRouter } from './router';
import type { AttemptRecord, ModelEndpoint, ModelRouterOptions } from './router-types';
import { type ChatRequest, ProviderError, type ToolSchema } from './types';

const tradeTool: ToolSchema = {
  type: 'function',
  function: {
    name: 'trade',
    parameters: {
      type: 'object',
      properties: { amount: { type: 'integer', minimum: 1 } },
      required: ['amount'],
    },
  },
};

const servers: SimulatedModelServer[] = [];
const routers: ModelRouter[] = [];
afterEach(async () => {
  for (const router of routers.splice(0)) router.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(options: SimulatedServerOptions = {}): Promise<SimulatedModelServer> {
  const server = await SimulatedModelServer.start(options);
  servers.push(server);
  return server;
}

function endpoint(id: string, baseUrl: string, extra: Partial<ModelEndpoint> = {}): ModelEndpoint {
  return {
    id,
    provider: new OpenAIProvider({ id, baseUrl }),
    model: `${id}-model`,
    maxConcurrency: 8,
    timeoutMs: 2000,
    ...extra,
  };
}

function makeRouter(options: ModelRouterOptions): ModelRouter {
  const router = new ModelRouter(options);
  routers.push(router);
  return router;
}

const question: ChatRequest = { model: '', messages: [{ role: 'user', content: 'What now?' }] };

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** A deterministic "random" that replays the given numbers. */
function replay(numbers: number[]): () => number {
  let index = 0;
  return () => numbers[index++ % numbers.length] as number;
}

describe('ModelRouter retries', () => {
  it('retries 5xx a bounded number of times with deterministic jittered backoff', async () => {
    const server = await startServer({ faults: { rates: { 'server-error': 1 } } });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
      retry: { maxAttempts: 4, baseDelayMs: 20 },
      random: replay([0, 0.5, 0.999]),
    });
    const error = await rejection(router.chat('fast', question));
    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    const attempts = error.attempts as AttemptRecord[];
    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4]);
    // base × 2^(n−1) × (0.5 + 0.5 × random)
    expect(attempts.map((attempt) => attempt.delayBeforeMs)).toEqual([
      0,
      10,
      30,
      20 * 4 * (0.5 + 0.5 * 0.999),
    ]);
    for (let index = 1; index < attempts.length; index += 1) {
      const previous = attempts[index - 1]!;
      const gap = attempts[index]!.startedAt - (previous.startedAt + previous.latencyMs);
      expect(gap).toBeGreaterThanOrEqual(Math.floor(attempts[index]!.delayBeforeMs) - 2);
    }
    expect(server.stats().chatRequests).toBe(4);
    expect(router.stats()).toMatchObject({ calls: 1, failures: 1, attempts: 4, retries: 3 });
  });

  it('never retries a 400', async () => {
    const server = await startServer();
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
    });
    const error = await rejection(router.chat('fast', { model: '', messages: [] }));
    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.attempts).toHaveLength(1);
    expect(server.stats().requests).toBe(1);
  });

  it('honours retry-after before sending to the same endpoint again', async () => {
    const server = await startServer({ faults: { sequence: ['rate-limited'], retryAfterMs: 250 } });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
      retry: { baseDelayMs: 1 },
    });
    const { attempts } = await router.chat('fast', question);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'ok']);
    expect(attempts[0]).toMatchObject({ errorCode: 'PROVIDER_RATE_LIMITED', status: 429 });
    const first = attempts[0]!;
    expect(attempts[1]!.startedAt - (first.startedAt + first.latencyMs)).toBeGreaterThanOrEqual(240);
    expect(attempts[1]!.queuedMs).toBeGreaterThanOrEqual(200);
  });

  it('tells the caller each time an attempt gets its endpoint slot', async () => {
    const server = await startServer({ faults: { sequence: ['server-error'] } });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl, { maxConcurrency: 1 })],
      tiers: { fast: ['local'] },
      retry: { baseDelayMs: 1 },
    });
    const slots: string[] = [];
    const calls = ['first', 'second'].map((name) =>
      router.chat('fast', question, { onSlot: () => slots.push(`${name}@${server.stats().chatRequests}`) }),
    );
    await Promise.all(calls);
    // One slot: first gets it at once and fails (500); its release hands the slot to the waiting
    // second call; first's retry gets it back only when second is done.
    expect(slots).toEqual(['first@0', 'second@1', 'first@2']);
  });

  it('retries busy refusals on their own budget, not the call’s attempts', async () => {
    const refusals = [
      'rate-limited',
      'rate-limited',
      'rate-limited',
      'rate-limited',
      'rate-limited',
    ] as const;
    const server = await startServer({ faults: { sequence: [...refusals], retryAfterMs: 5 } });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const { attempts } = await router.chat('fast', question);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual([
      'error',
      'error',
      'error',
      'error',
      'error',
      'ok',
    ]);
    expect(server.stats().chatRequests).toBe(6);

    const strict = await startServer({ faults: { sequence: [...refusals], retryAfterMs: 5 } });
    const noBudget = makeRouter({
      endpoints: [endpoint('local', strict.openaiBaseUrl)],
      tiers: { fast: ['local'] },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxRefusals: 0 },
    });
    const error = await rejection(noBudget.chat('fast', question));
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.attempts).toHaveLength(2);
  });

  it('times out a hanging attempt, aborts its HTTP request, and retries', async () => {
    const server = await startServer({ faults: { sequence: ['hang'] } });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl, { timeoutMs: 100 })],
      tiers: { fast: ['local'] },
      retry: { baseDelayMs: 1 },
    });
    const { attempts } = await router.chat('fast', question);
    expect(attempts.map((attempt) => [attempt.outcome, attempt.errorCode])).toEqual([
      ['error', 'PROVIDER_TIMEOUT'],
      ['ok', undefined],
    ]);
    await waitUntil(() => server.stats().disconnects === 1, 1000);
  });

  it('stops at once when the caller aborts, and the server sees the disconnect', async () => {
    const server = await startServer({ faults: { sequence: ['hang'] } });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
    });
    const controller = new AbortController();
    const pending = router.chat('fast', question, {
      signal: controller.signal,
      runId: 'run-1',
      step: 3,
      agentId: 'ada',
    });
    await waitUntil(() => server.stats().chatRequests === 1);
    controller.abort();
    const error = await rejection(pending);
    expect(error.code).toBe('PROVIDER_ABORTED');
    expect(error.attempts).toMatchObject([{ outcome: 'aborted', runId: 'run-1', step: 3, agentId: 'ada' }]);
    await waitUntil(() => server.stats().disconnects === 1, 1000);
    expect(server.stats().chatRequests).toBe(1);
  });

  it('retries unusable replies (wrong tool name, unparseable arguments) and accepts prose around JSON', async () => {
    const server = await startServer({
      faults: { sequence: ['wrong-tool-name', 'malformed-tool-arguments', 'none', 'prose-around-json'] },
    });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
      retry: { baseDelayMs: 1 },
    });
    const { response, attempts } = await router.chat('fast', {
      ...question,
      tools: [tradeTool],
      toolChoice: 'required',
    });
    expect(attempts.map((attempt) => attempt.errorCode ?? 'ok')).toEqual([
      'PROVIDER_MALFORMED_REPLY',
      'PROVIDER_MALFORMED_REPLY',
      'ok',
    ]);
    expect(response.toolCalls[0]).toMatchObject({ name: 'trade' });
    const json = await router.chat('fast', {
      ...question,
      responseFormat: {
        type: 'json_schema',
        name: 'plan',
        schema: { type: 'object', properties: { go: { type: 'boolean' } } },
      },
    });
    expect(json.attempts).toHaveLength(1);
    expect(json.response.text).toContain('Hope this helps');
  });

  it('records usage, cost, hashes and who the call was for', async () => {
    const server = await startServer();
    const router = makeRouter({
      endpoints: [
        endpoint('paid', server.openaiBaseUrl, {
          price: { inputPerMillion: 1, cachedInputPerMillion: 0.5, outputPerMillion: 2 },
        }),
      ],
      tiers: { smart: ['paid'] },
    });
    const { attempts, endpointId } = await router.chat('smart', question, {
      runId: 'r',
      step: 1,
      agentId: 'a',
    });
    const [record] = attempts;
    expect(endpointId).toBe('paid');
    expect(record).toMatchObject({
      endpointId: 'paid',
      model: 'paid-model',
      tier: 'smart',
      runId: 'r',
      step: 1,
      agentId: 'a',
    });
    const expectedCost = (record!.usage.promptTokens * 1 + record!.usage.completionTokens * 2) / 1e6;
    expect(record!.costUsd).toBeCloseTo(expectedCost, 12);
    expect(record!.promptSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record!.responseSha256).toMatch(/^[0-9a-f]{64}$/);
    // Same request → same prompt hash, whatever the signal or metadata.
    const again = await router.chat(
      'smart',
      { ...question, signal: new AbortController().signal },
      { runId: 'other' },
    );
    expect(again.attempts[0]!.promptSha256).toBe(record!.promptSha256);
    expect(server.requests()[0]!.model).toBe('paid-model');
  });

  it('lets a call name an endpoint and its own model', async () => {
    const server = await startServer();
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
    });
    expect(router.hasTarget('local/qwen2.5:7b')).toBe(true);
    const { attempts } = await router.chat('local/qwen2.5:7b', question);
    expect(attempts[0]).toMatchObject({ endpointId: 'local', model: 'qwen2.5:7b', tier: 'local/qwen2.5:7b' });
    expect(server.requests()[0]!.model).toBe('qwen2.5:7b');
  });

  it('rejects an unknown target as a user error', async () => {
    const router = makeRouter({ endpoints: [], tiers: {} });
    await expect(router.chat('smart', question)).rejects.toMatchObject({
      code: 'MODEL_TARGET_UNKNOWN',
      category: 'user',
    });
  });
});

describe('ModelRouter load and failover', () => {
  it('halves the in-flight limit under 429 bursts and grows it back once they stop', async () => {
    const server = await startServer({
      capacity: { maxInFlight: 3, retryAfterMs: 5 },
      latency: { kind: 'fixed', milliseconds: 5 },
    });
    let lowestLimit = Number.POSITIVE_INFINITY;
    const router: ModelRouter = makeRouter({
      onAttempt: () => {
        lowestLimit = Math.min(lowestLimit, router.endpointStatus()[0]!.limit);
      },
      endpoints: [endpoint('local', server.openaiBaseUrl, { maxConcurrency: 16 })],
      tiers: { fast: ['local'] },
      retry: { maxAttempts: 12, baseDelayMs: 2, maxDelayMs: 20 },
    });
    const burst = await Promise.allSettled(Array.from({ length: 48 }, () => router.chat('fast', question)));
    expect(burst.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(server.stats().capacityRejections).toBeGreaterThan(0);
    // 16 → 8 → 4 at least: the limit came down to what the server can take.
    expect(lowestLimit).toBeLessThanOrEqual(4);
    expect(router.endpointStatus()[0]!.limit).toBeLessThan(16);
    server.configure({ capacity: undefined });
    const rejectionsBefore = server.stats().capacityRejections;
    for (let round = 0; round < 40 && router.endpointStatus()[0]!.limit < 16; round += 1) {
      await Promise.all(Array.from({ length: 16 }, () => router.chat('fast', question)));
    }
    expect(router.endpointStatus()[0]!.limit).toBe(16);
    expect(server.stats().capacityRejections).toBe(rejectionsBefore);
  });

  it('opens the circuit of a dead endpoint and fails over to the next in the chain, probing it after the cooldown', async () => {
    const dead = await startServer();
    const deadUrl = dead.openaiBaseUrl;
    await dead.close();
    servers.splice(servers.indexOf(dead), 1);
    const live = await startServer();
    let skew = 0;
    const router = makeRouter({
      endpoints: [endpoint('a', deadUrl), endpoint('b', live.openaiBaseUrl)],
      tiers: { fast: ['a', 'b'] },
      retry: { maxAttempts: 4, baseDelayMs: 1 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
      clock: {
        now: () => Date.now() + skew,
        setTimeout: (callback, ms) => setTimeout(callback, ms),
        clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
      },
    });
    const first = await router.chat('fast', question);
    expect(first.attempts.map((attempt) => [attempt.endpointId, attempt.errorCode ?? 'ok'])).toEqual([
      ['a', 'PROVIDER_CONNECTION'],
      ['a', 'PROVIDER_CONNECTION'],
      ['b', 'ok'],
    ]);
    expect(first.endpointId).toBe('b');
    expect(router.endpointStatus().find((status) => status.id === 'a')?.circuit).toBe('open');
    const second = await router.chat('fast', question);
    expect(second.attempts.map((attempt) => attempt.endpointId)).toEqual(['b']);
    skew += 61_000;
    expect(router.endpointStatus().find((status) => status.id === 'a')?.circuit).toBe('half-open');
    const third = await router.chat('fast', question);
    expect(third.attempts.map((attempt) => attempt.endpointId)).toEqual(['a', 'b']);
    expect(router.endpointStatus().find((status) => status.id === 'a')?.circuit).toBe('open');
  });

  it('keeps the circuit closed through busy 503s without retry-after (a full queue is not a dead server)', async () => {
    const server = await startServer({
      faults: {
        sequence: ['queue-full', 'queue-full', 'queue-full', 'queue-full', 'queue-full', 'queue-full'],
      },
    });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl)],
      tiers: { fast: ['local'] },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      circuitBreaker: { failureThreshold: 2 },
    });
    const { attempts } = await router.chat('fast', question);
    expect(attempts.map((attempt) => attempt.status ?? 200)).toEqual([503, 503, 503, 503, 503, 503, 200]);
    expect(router.endpointStatus()[0]?.circuit).toBe('closed');
  });

  it('spreads load over endpoints of equal priority by outstanding requests', async () => {
    const one = await startServer({ latency: { kind: 'fixed', milliseconds: 30 } });
    const two = await startServer({ latency: { kind: 'fixed', milliseconds: 30 } });
    const router = makeRouter({
      endpoints: [endpoint('one', one.openaiBaseUrl), endpoint('two', two.openaiBaseUrl)],
      tiers: { fast: [['one', 'two']] },
    });
    await Promise.all(Array.from({ length: 12 }, () => router.chat('fast', question)));
    expect(one.stats().chatRequests).toBe(6);
    expect(two.stats().chatRequests).toBe(6);
  });

  it('hedges slow requests: the hedge answers first and the slow loser is aborted', async () => {
    // How much time hedging saves is measured in bench/, not asserted here.
    const slowEveryTwentieth = ({ index }: { index: number }): number => (index % 20 === 19 ? 400 : 4);
    const hedgedServer = await startServer({ latency: slowEveryTwentieth });
    const hedging = { enabled: true, minSamples: 10, minDelayMs: 30 };
    const hedged = makeRouter({
      endpoints: [endpoint('local', hedgedServer.openaiBaseUrl)],
      tiers: { fast: ['local'] },
      hedging,
    });
    const records: AttemptRecord[] = [];
    for (let call = 0; call < 60; call += 1) records.push(...(await hedged.chat('fast', question)).attempts);
    const withHedges = { records };
    const stats = hedged.stats();
    expect(stats.hedges).toBeGreaterThanOrEqual(2);
    expect(stats.hedges).toBeLessThanOrEqual(6);
    // Every slow request was hedged and its hedge answered first; a hedge may also fire on a merely late one.
    expect(stats.hedgeWins).toBeGreaterThanOrEqual(2);
    const lost = withHedges.records.filter((record) => record.outcome === 'hedge-lost');
    expect(lost).toHaveLength(stats.hedges);
    // The slow losers were cut off mid-request: the server saw them go.
    await waitUntil(() => hedgedServer.stats().disconnects >= stats.hedgeWins, 1000);
    // A hedge cancelled the moment it was sent may never reach the server.
    expect(hedgedServer.stats().chatRequests).toBeGreaterThanOrEqual(60 + stats.hedgeWins);
    expect(hedgedServer.stats().chatRequests).toBeLessThanOrEqual(60 + stats.hedges);
  });

  it('survives a burst of mixed faults: every call succeeds or throws a ProviderError, and the counts add up', async () => {
    const server = await startServer({
      latency: { kind: 'lognormal', medianMilliseconds: 3, sigma: 0.5, seed: 11 },
      faults: {
        seed: 5,
        rates: { 'server-error': 0.1, hang: 0.05, 'malformed-tool-arguments': 0.05, 'wrong-tool-name': 0.05 },
        rateLimitBursts: [{ fromRequest: 10, count: 8 }],
        retryAfterMs: 20,
      },
    });
    const router = makeRouter({
      endpoints: [endpoint('local', server.openaiBaseUrl, { timeoutMs: 250, maxConcurrency: 10 })],
      tiers: { fast: ['local'] },
      retry: { maxAttempts: 4, baseDelayMs: 5 },
      circuitBreaker: { failureThreshold: 1000 },
      seed: 3,
    });
    const request: ChatRequest = { ...question, tools: [tradeTool], toolChoice: 'required' };
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, index) => router.chat('fast', request, { step: index })),
    );
    let recorded = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        const call = result.value.response.toolCalls[0]!;
        expect(call.name).toBe('trade');
        expect(parseToolArguments(call).ok).toBe(true);
        recorded += result.value.attempts.length;
      } else {
        expect(result.reason).toBeInstanceOf(ProviderError);
        recorded += (result.reason as ProviderError).attempts?.length ?? 0;
      }
    }
    const stats = router.stats();
    expect(stats.calls).toBe(50);
    expect(stats.successes + stats.failures).toBe(50);
    expect(stats.attempts).toBe(stats.calls + stats.retries);
    expect(recorded).toBe(stats.attempts);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.successes).toBeGreaterThanOrEqual(45);
    expect(server.stats().chatRequests).toBe(stats.attempts);
  });
});
