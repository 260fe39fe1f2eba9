/**
 * Overhead: the client's cost per model call against a zero-latency simulated server in another
 * process, over loopback HTTP. Two clients: the model layer alone (`ModelRouter.chat` with a
 * decision-sized request, 64 in flight) and the whole engine (200 model-backed agents, every step's
 * decisions through runPool and the router). Each runs twice in the same seed: with OpenAIProvider's
 * default lean transport (`direct`: node:http keep-alive pool, body serialised once) and through
 * the `openai` SDK (`sdk`), so the two compare within one run on a noisy machine. Reports model
 * calls per second and client CPU per call. A third figure, the engine with an in-process provider
 * that answers at once (no HTTP), isolates the engine's own cost per call.
 *
 * Usage: `npx tsx bench/overhead.ts [--seeds 5] [--calls 4000] [--steps 8]`.
 * Writes bench/results/overhead.json.
 */
import {
  type ChatRequest,
  type ChatResponse,
  createEngine,
  loadScenario,
  type ModelProvider,
  ModelRouter,
  OpenAIProvider,
} from '@sandtable/core';
import { runEngineOverHttp } from './support/engine-over-http';
import { benchmarkScenario } from './support/engine-simulation';
import { option, round, seedList, summarise, writeResult } from './support/reporting';
import type { OverheadResult, OverheadSample as Sample } from './support/result-types';
import { type ServerProcess, startServerProcess } from './support/server-process-client';
import { requestKey, simulatedDecision } from './support/simulation';

const routerCalls = Number(option('calls') ?? 4000);
const engineSteps = Number(option('steps') ?? 8);
const inFlight = 64;

/** A request shaped like an agent's decision: ~1 kB shared rules, ~6 kB of the agent's own part, 7 tools. */
function decisionRequest(index: number): ChatRequest {
  const tool = (name: string) => ({
    type: 'function' as const,
    function: {
      name,
      description: `The ${name} action.`,
      parameters: {
        type: 'object',
        properties: { text: { type: 'string', description: 'What you say', maxLength: 1000 } },
        required: [],
        additionalProperties: false,
      },
    },
  });
  return {
    model: '',
    seed: index,
    maxTokens: 768,
    temperature: 0.7,
    toolChoice: 'required',
    tools: ['wait', 'buy_fuel', 'cut_usage', 'raise_prices', 'send_message', 'broadcast', 'post_to_room'].map(
      tool,
    ),
    messages: [
      {
        role: 'system',
        content: `You are one of the agents in a simulation. ${'Rules and world state. '.repeat(45)}`,
      },
      {
        role: 'user',
        content: `You are agent ${index}. ${'Memory, inbox and contacts of this agent. '.repeat(140)}Decide what to do.`,
      },
    ],
  };
}

type Transport = 'sdk' | 'direct';

async function routerOnly(
  server: ServerProcess,
  transport: Transport,
): Promise<{ callsPerSecond: number; cpuPerCall: number }> {
  const router = new ModelRouter({
    endpoints: [
      {
        id: 'zero',
        provider: new OpenAIProvider({ id: 'zero', baseUrl: server.url, transport }),
        model: 'simulated-8b',
        maxConcurrency: inFlight,
        timeoutMs: 60_000,
      },
    ],
    tiers: { fast: ['zero'] },
  });
  // Warm up connections and the JIT before measuring.
  await Promise.all(
    Array.from({ length: inFlight }, (_, index) => router.chat('fast', decisionRequest(index))),
  );
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (next < routerCalls) {
      next += 1;
      await router.chat('fast', decisionRequest(next), { checkReply: false });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const used = process.cpuUsage(cpu);
  const elapsed = performance.now() - started;
  router.close();
  return {
    callsPerSecond: Math.round(routerCalls / (elapsed / 1000)),
    cpuPerCall: round((used.user + used.system) / 1000 / routerCalls),
  };
}

/** Answers at once, in process, with the decisions the simulated server would send. */
function instantProvider(seed: number): ModelProvider {
  return {
    id: 'instant',
    kind: 'scripted',
    async chat(request: ChatRequest): Promise<ChatResponse> {
      const tools = (request.tools ?? []).map((tool) => ({
        name: tool.function.name,
        parameters: tool.function.parameters,
      }));
      const decision = simulatedDecision({ messages: request.messages, tools }, requestKey(request), seed);
      return {
        text: decision.text,
        toolCalls: decision.toolCalls.map((call, index) => ({ id: `call_${index}`, ...call })),
        usage: { promptTokens: 0, completionTokens: decision.outputTokens, cachedPromptTokens: 0 },
        latencyMs: 0,
        finishReason: 'tool_calls',
        model: request.model,
      };
    },
  };
}

async function engineInProcess(seed: number): Promise<{ callsPerSecond: number; cpuPerCall: number }> {
  const scenario = await loadScenario(benchmarkScenario, { seed });
  scenario.clock.steps = engineSteps;
  scenario.execution.concurrency = 200;
  const router = new ModelRouter({
    seed,
    endpoints: [
      {
        id: 'instant',
        provider: instantProvider(seed),
        model: 'instant',
        maxConcurrency: inFlight,
        timeoutMs: 60_000,
      },
    ],
    tiers: { fast: ['instant'] },
  });
  const run = createEngine({ models: { router } }).createRun(scenario);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await run.start();
  const used = process.cpuUsage(cpu);
  const calls = router.stats().calls;
  return {
    callsPerSecond: Math.round(calls / ((performance.now() - started) / 1000)),
    cpuPerCall: round((used.user + used.system) / 1000 / calls),
  };
}

const samples: Sample[] = [];
for (const seed of seedList()) {
  const inProcess = await engineInProcess(seed);
  const server = await startServerProcess('zero-latency', seed);
  try {
    // SDK first, then direct, for each client: any drift in the machine's load during a seed
    // works against the lean path, not for it.
    const sdkRouter = await routerOnly(server, 'sdk');
    const router = await routerOnly(server, 'direct');
    const engineRun = (transport: Transport) =>
      runEngineOverHttp({
        baseUrl: server.url,
        seed,
        steps: engineSteps,
        concurrency: 200,
        endpointConcurrency: inFlight,
        transport,
      });
    const sdkEngine = await engineRun('sdk');
    const engine = await engineRun('direct');
    const engineCallsPerSecond = Math.round(engine.calls / (engine.realMilliseconds / 1000));
    const sdkEngineCallsPerSecond = Math.round(sdkEngine.calls / (sdkEngine.realMilliseconds / 1000));
    const sample: Sample = {
      seed,
      routerCallsPerSecond: router.callsPerSecond,
      routerCpuMillisecondsPerCall: router.cpuPerCall,
      engineCallsPerSecond,
      engineCpuMillisecondsPerCall: round(engine.cpuMilliseconds / engine.calls),
      engineCpuShare: round(engine.cpuMilliseconds / engine.realMilliseconds),
      sdkRouterCallsPerSecond: sdkRouter.callsPerSecond,
      sdkRouterCpuMillisecondsPerCall: sdkRouter.cpuPerCall,
      sdkEngineCallsPerSecond,
      sdkEngineCpuMillisecondsPerCall: round(sdkEngine.cpuMilliseconds / sdkEngine.calls),
      engineDirectOverSdk: round(engineCallsPerSecond / sdkEngineCallsPerSecond),
      inProcessCallsPerSecond: inProcess.callsPerSecond,
      inProcessCpuMillisecondsPerCall: inProcess.cpuPerCall,
    };
    samples.push(sample);
    console.log(sample);
  } finally {
    await server.close();
  }
}
console.table(samples);
const summary: OverheadResult['summary'] = {
  routerCallsPerSecond: summarise(samples, (sample) => sample.routerCallsPerSecond, false),
  routerCpuMillisecondsPerCall: summarise(samples, (sample) => sample.routerCpuMillisecondsPerCall, true),
  engineCallsPerSecond: summarise(samples, (sample) => sample.engineCallsPerSecond, false),
  engineCpuMillisecondsPerCall: summarise(samples, (sample) => sample.engineCpuMillisecondsPerCall, true),
  sdkRouterCallsPerSecond: summarise(samples, (sample) => sample.sdkRouterCallsPerSecond, false),
  sdkRouterCpuMillisecondsPerCall: summarise(
    samples,
    (sample) => sample.sdkRouterCpuMillisecondsPerCall,
    true,
  ),
  sdkEngineCallsPerSecond: summarise(samples, (sample) => sample.sdkEngineCallsPerSecond, false),
  sdkEngineCpuMillisecondsPerCall: summarise(
    samples,
    (sample) => sample.sdkEngineCpuMillisecondsPerCall,
    true,
  ),
  engineDirectOverSdk: summarise(samples, (sample) => sample.engineDirectOverSdk, false),
  inProcessCallsPerSecond: summarise(samples, (sample) => sample.inProcessCallsPerSecond, false),
  inProcessCpuMillisecondsPerCall: summarise(
    samples,
    (sample) => sample.inProcessCpuMillisecondsPerCall,
    true,
  ),
};
console.log(JSON.stringify(summary));
await writeResult<OverheadResult>('overhead', 'overhead.ts', {
  routerCalls,
  inFlight,
  engine: { agents: 200, steps: engineSteps, concurrency: 200, endpointConcurrency: inFlight },
  summary,
  samples,
});
