import { afterEach, describe, expect, it } from 'vitest';
import { tinyWorld } from '../__fixtures__/tiny-world';
import { createEngine } from '../engine/engine';
import type { RunEvent, RunEventOf } from '../engine/run-events';
import { Cassette } from '../model/cassette';
import { OpenAIProvider } from '../model/openai-provider';
import { ModelRouter } from '../model/router';
import type { ModelRouterOptions } from '../model/router-types';
import { RecordingRouter, ReplayRouter } from '../model/run-recording';
import type { AttemptRecord } from '../model/types';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedServerOptions } from '../testing/simulated-server-types';

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

function routerFor(
  baseUrls: Record<string, string>,
  options: Partial<ModelRouterOptions> & { timeoutMs?: number; maxConcurrency?: number } = {},
): ModelRouter {
  const { timeoutMs = 5_000, maxConcurrency = 16, ...rest } = options;
  const ids = Object.keys(baseUrls);
  const router = new ModelRouter({
    endpoints: ids.map((id) => ({
      id,
      provider: new OpenAIProvider({ id, baseUrl: baseUrls[id] as string, apiKey: 'test' }),
      model: 'simulated-model',
      maxConcurrency,
      timeoutMs,
    })),
    tiers: { fast: ids },
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 40 },
    ...rest,
  });
  routers.push(router);
  return router;
}

function collect(events: RunEvent[]) {
  return (event: RunEvent) => events.push(event);
}

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

describe('ModelBrain through a real OpenAI-compatible server', () => {
  it('acts on the model’s tool calls, with the shared prompt first and identical across a step', async () => {
    const server = await startServer();
    const router = routerFor({ local: server.openaiBaseUrl });
    const run = createEngine({ models: { router } }).createRun(
      tinyWorld({ brain: 'fast', agents: 3, steps: 2 }),
    );
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    const result = await run.start();
    expect(result.status).toBe('completed');
    const acted = ofType(events, 'agent-acted');
    expect(acted).toHaveLength(6);
    expect(acted.every((event) => event.source === 'model' && event.tool === 'harvest')).toBe(true);
    const requests = server.requests();
    expect(requests).toHaveLength(6);
    const stepOne = requests.filter((request) => request.messages[0]?.content.includes('step 1 of 2'));
    expect(stepOne).toHaveLength(3);
    expect(new Set(stepOne.map((request) => request.messages[0]?.content)).size).toBe(1);
    expect(stepOne.map((request) => request.messages[1]?.content)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('(id agent-0001)'),
        expect.stringContaining('(id agent-0002)'),
      ]),
    );
    expect(requests[0]?.tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['harvest', 'gift', 'wait', 'send_message', 'broadcast', 'post_to_room']),
    );
  });

  it('feeds validation errors back and uses the corrected reply', async () => {
    const server = await startServer({
      reply: (request) =>
        request.messages.some((message) => message.content.includes('could not be used'))
          ? {
              toolCalls: [{ name: 'gift', arguments: { to_agent: 'agent-0002' } }],
              text: 'Helping my neighbour.',
            }
          : { toolCalls: [{ name: 'gift', arguments: { to_agent: 'ghost' } }] },
    });
    const router = routerFor({ local: server.openaiBaseUrl });
    const run = createEngine({ models: { router } }).createRun(
      tinyWorld({ brain: 'fast', agents: 2, steps: 1 }),
    );
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    await run.start();
    const acted = ofType(events, 'agent-acted');
    expect(acted.map((event) => [event.agentId, event.tool, event.arguments])).toEqual([
      ['agent-0001', 'gift', { to_agent: 'agent-0002' }],
    ]);
    // agent-0002 kept naming itself, which an agent parameter may not: its step failed with the reason.
    expect(ofType(events, 'agent-failed').map((event) => [event.agentId, event.message])).toEqual([
      ['agent-0002', expect.stringContaining('no agent with id "agent-0002"')],
    ]);
    expect(acted[0]?.rationale).toBe('Helping my neighbour.');
    const feedback = server
      .requests()
      .find((request) => request.messages.some((message) => message.content.includes('could not be used')));
    expect(feedback?.messages.at(-1)?.content).toContain('no agent with id "ghost"');
  });

  it('records a step as failed, with the raw reply, when the model never answers usably', async () => {
    const server = await startServer({
      reply: () => ({ toolCalls: [{ name: 'harvest', arguments: { amount: 'lots' } }] }),
    });
    const router = routerFor({ local: server.openaiBaseUrl });
    const run = createEngine({ models: { router, brain: { maxAttempts: 2 } } }).createRun(
      tinyWorld({ brain: 'fast', agents: 1, steps: 1 }),
    );
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    const result = await run.start();
    expect(result.status).toBe('completed');
    const [failure] = ofType(events, 'agent-failed');
    expect(failure?.message).toContain('no usable reply after 2 attempts');
    expect(failure?.message).toContain('unknown argument "amount"');
    expect(failure?.message).toContain('lots');
    expect(server.stats().chatRequests).toBe(2);
  });

  it('falls back to the rule brain, marked as fallback, when no endpoint answers', async () => {
    const router = routerFor(
      { down: 'http://127.0.0.1:9/v1' },
      { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
    );
    const run = createEngine({ models: { router } }).createRun(
      tinyWorld({ brain: 'fast', agents: 2, steps: 1 }),
    );
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    await run.start();
    const acted = ofType(events, 'agent-acted').filter((event) => event.tool !== 'post_to_room');
    expect(acted).toHaveLength(2);
    expect(acted.every((event) => event.source === 'fallback')).toBe(true);
    expect(acted[0]?.rationale).toMatch(/^model unavailable \(PROVIDER_CONNECTION\); rule fallback: /);
  });

  it('serves a tier from endpoint B when endpoint A is down, visible in the call records', async () => {
    const server = await startServer();
    const attempts: AttemptRecord[] = [];
    const router = routerFor(
      { a: 'http://127.0.0.1:9/v1', b: server.openaiBaseUrl },
      {
        tiers: { fast: ['a', 'b'] },
        circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
        onAttempt: (record) => attempts.push(record),
      },
    );
    const run = createEngine({ models: { router } }).createRun(
      tinyWorld({ brain: 'fast', agents: 4, steps: 2 }),
    );
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    await run.start();
    expect(ofType(events, 'agent-acted').every((event) => event.source === 'model')).toBe(true);
    expect(
      attempts.filter((record) => record.endpointId === 'a').every((record) => record.outcome === 'error'),
    ).toBe(true);
    expect(attempts.filter((record) => record.endpointId === 'b' && record.outcome === 'ok')).toHaveLength(8);
    expect(attempts.every((record) => record.step !== undefined && record.agentId !== undefined)).toBe(true);
  });

  it('survives 50 agents × 20 steps of 5xx, hangs, malformed replies and 429 bursts; every step is accounted for', async () => {
    const server = await startServer({
      latency: { kind: 'lognormal', medianMilliseconds: 2, sigma: 0.5, seed: 3 },
      faults: {
        seed: 9,
        rates: { 'server-error': 0.1, hang: 0.05, 'malformed-tool-arguments': 0.1 },
        rateLimitBursts: [
          { fromRequest: 100, count: 40 },
          { fromRequest: 600, count: 40 },
        ],
        retryAfterMs: 20,
      },
      recordRequests: false,
    });
    // The breaker is kept shut here (this test is about faults and retries, not failover), and the
    // attempt timeout leaves room for a loaded machine: only the injected hangs should reach it.
    const router = routerFor(
      { local: server.openaiBaseUrl },
      { timeoutMs: 400, maxConcurrency: 32, circuitBreaker: { failureThreshold: 10_000, cooldownMs: 1 } },
    );
    const scenario = tinyWorld({ brain: 'fast', agents: 50, steps: 20 });
    scenario.execution.concurrency = 32;
    const run = createEngine({ models: { router } }).createRun(scenario);
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    const result = await run.start();
    expect(result.status).toBe('completed');
    expect(result.steps).toBe(20);
    const decided = new Map<string, string>();
    for (const event of events) {
      if (event.type !== 'agent-acted' && event.type !== 'agent-failed') continue;
      if (event.type === 'agent-acted' && ['post_to_room', 'send_message', 'broadcast'].includes(event.tool))
        continue;
      const key = `${event.step}/${event.agentId}`;
      decided.set(
        key,
        decided.get(key) ?? (event.type === 'agent-acted' ? event.source : `failed:${event.reason}`),
      );
    }
    expect(decided.size).toBe(50 * 20);
    const sources = [...decided.values()];
    expect(sources.filter((source) => source === 'model').length).toBeGreaterThan(500);
    expect(
      sources.every((source) => ['model', 'fallback'].includes(source) || source.startsWith('failed:')),
    ).toBe(true);
    const stats = router.stats();
    expect(stats.calls).toBe(stats.successes + stats.failures);
    expect(stats.attempts).toBe(stats.calls + stats.retries);
    expect(stats.attempts).toBeLessThanOrEqual(stats.calls * 4);
    expect(stats.retries).toBeGreaterThan(100);
    expect(server.stats().faults.hang).toBeGreaterThan(0);
  });

  it('aborts in-flight HTTP requests when the run stops: the server sees the disconnects', async () => {
    const server = await startServer({ latency: { kind: 'fixed', milliseconds: 30_000 } });
    const router = routerFor({ local: server.openaiBaseUrl }, { timeoutMs: 60_000 });
    const scenario = tinyWorld({ brain: 'fast', agents: 6, steps: 3, timeoutMs: 60_000 });
    const run = createEngine({ models: { router } }).createRun(scenario);
    const finished = run.start();
    while (server.stats().inFlight < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    const stoppedAt = Date.now();
    run.stop('operator stop');
    const result = await finished;
    while (server.stats().disconnects < 6 && Date.now() - stoppedAt < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(result.status).toBe('stopped');
    expect(server.stats().disconnects).toBe(6);
    expect(server.stats().inFlight).toBe(0);
  });

  it('replays a recorded run with the server switched off and produces the identical event log', async () => {
    const server = await startServer({
      reply: (request) => {
        const self = /\(id (agent-\d+)\)/.exec(request.messages[1]?.content ?? '')?.[1];
        const step = Number(/step (\d+) of/.exec(request.messages[0]?.content ?? '')?.[1]);
        return step % 2 === 0 && self !== 'agent-0001'
          ? {
              toolCalls: [{ name: 'gift', arguments: { to_agent: 'agent-0001' } }],
              text: `${self} shares at step ${step}`,
            }
          : { toolCalls: [{ name: 'harvest', arguments: {} }], text: `${self} harvests` };
      },
      faults: { sequence: ['server-error', 'none', 'rate-limited'], retryAfterMs: 5 },
    });
    const live = routerFor({ local: server.openaiBaseUrl });
    const recording = new RecordingRouter(live);
    const strip = (events: RunEvent[]) => events.map(({ wallTime, ...rest }) => JSON.stringify(rest));
    const recordedEvents: RunEvent[] = [];
    const recordedRun = createEngine({ models: { router: recording } }).createRun(
      tinyWorld({ brain: 'fast', agents: 4, steps: 4 }),
    );
    recordedRun.subscribe(collect(recordedEvents));
    await recordedRun.start();
    await server.close();

    const cassette = Cassette.fromJsonl(recording.cassette.toJsonl());
    const replayedEvents: RunEvent[] = [];
    const replayRun = createEngine({ models: { router: new ReplayRouter(cassette) } }).createRun(
      tinyWorld({ brain: 'fast', agents: 4, steps: 4 }),
    );
    replayRun.subscribe(collect(replayedEvents));
    await replayRun.start();
    expect(ofType(recordedEvents, 'agent-acted').some((event) => event.tool === 'gift')).toBe(true);
    expect(strip(replayedEvents)).toEqual(strip(recordedEvents));

    const missing = createEngine({ models: { router: new ReplayRouter(new Cassette()) } }).createRun(
      tinyWorld({ brain: 'fast', agents: 1, steps: 1 }),
    );
    const missEvents: RunEvent[] = [];
    missing.subscribe(collect(missEvents));
    await missing.start();
    expect(ofType(missEvents, 'agent-failed')[0]?.message).toMatch(
      /no model reply for run .*step 1, agent agent-0001/,
    );
  });
});

describe('ModelBrain without native tool calls, and with a budget', () => {
  it('reads a JSON action object from a model that answers in text (JSON action schema)', async () => {
    const server = await startServer({
      reply: () =>
        'Sure! Here is my move:\n```json\n{"actions": [{"tool": "harvest", "arguments": {}}], "rationale": "The pool is full."}\n```',
    });
    const router = routerFor({ local: server.openaiBaseUrl });
    const run = createEngine({ models: { router, brain: { actionFormat: 'json' } } }).createRun(
      tinyWorld({ brain: 'fast', agents: 2, steps: 1 }),
    );
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    await run.start();
    expect(ofType(events, 'agent-acted').map((event) => [event.tool, event.source, event.rationale])).toEqual(
      [
        ['harvest', 'model', 'The pool is full.'],
        ['harvest', 'model', 'The pool is full.'],
      ],
    );
    const request = server.requests()[0];
    expect(request?.tools).toEqual([]);
    expect(request?.responseFormat).toMatchObject({ type: 'json_schema', name: 'actions' });
  });

  it('downgrades to the rule brain with one clear notice once the token budget is spent', async () => {
    const server = await startServer();
    const router = routerFor({ local: server.openaiBaseUrl });
    const run = createEngine({
      models: { router, spending: { maxTokens: 1, onExceeded: 'downgrade' } },
    }).createRun(tinyWorld({ brain: 'fast', agents: 2, steps: 3 }));
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    const result = await run.start();
    expect(result.status).toBe('completed');
    const notices = ofType(events, 'run-notice').map((event) => event.message);
    expect(notices).toEqual([
      expect.stringMatching(
        /^Model budget spent: \d+ tokens of a 1-token budget; remaining model decisions use the rule brain\.$/,
      ),
    ]);
    const decisions = ofType(events, 'agent-acted').filter((event) =>
      ['harvest', 'gift', 'wait'].includes(event.tool),
    );
    expect(decisions[0]?.source).toBe('model');
    expect(decisions.slice(2).every((event) => event.source === 'fallback')).toBe(true);
    expect(decisions.at(-1)?.rationale).toMatch(/PROVIDER_BUDGET_EXCEEDED/);
  });

  it('stops the run when the budget is spent and onExceeded is stop', async () => {
    const server = await startServer();
    const router = routerFor({ local: server.openaiBaseUrl });
    const run = createEngine({
      models: { router, spending: { maxTokens: 1, onExceeded: 'stop' } },
    }).createRun(tinyWorld({ brain: 'fast', agents: 2, steps: 5 }));
    const events: RunEvent[] = [];
    run.subscribe(collect(events));
    const result = await run.start();
    expect(result.status).toBe('stopped');
    expect(result.steps).toBe(1);
    expect(result.reason).toMatch(/^Model budget spent/);
  });
});
