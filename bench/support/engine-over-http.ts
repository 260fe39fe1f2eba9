/**
 * Runs the benchmark scenario on the real engine against a real HTTP server (the simulated server
 * in another process), through OpenAIProvider (its default transport unless told), in real time:
 * what the overhead and agreement benchmarks measure.
 */
import { createEngine, loadScenario, ModelRouter, OpenAIProvider, type RouterStats } from '@sandtable/core';
import { benchmarkScenario } from './engine-simulation';

/** How the engine is set up for one run over HTTP. */
export interface HttpRunOptions {
  /** The server's OpenAI-compatible base URL. */
  baseUrl: string;
  seed: number;
  steps: number;
  concurrency: number;
  endpointConcurrency: number;
  /** OpenAIProvider's transport for non-streaming calls. @defaultValue the provider's default */
  transport?: 'sdk' | 'direct';
}

/** What one run over HTTP did. */
export interface HttpRunResult {
  steps: number;
  calls: number;
  router: RouterStats;
  realMilliseconds: number;
  /** This process's CPU time (user + system) during the run. */
  cpuMilliseconds: number;
  stepMilliseconds: number[];
  agentFailures: Record<string, number>;
}

/** Runs the benchmark scenario over HTTP and measures wall time and this process's CPU. */
export async function runEngineOverHttp(options: HttpRunOptions): Promise<HttpRunResult> {
  const scenario = await loadScenario(benchmarkScenario, { seed: options.seed });
  scenario.clock.steps = options.steps;
  scenario.execution.concurrency = options.concurrency;
  const router = new ModelRouter({
    seed: options.seed,
    endpoints: [
      {
        id: 'simulated',
        provider: new OpenAIProvider({
          id: 'simulated',
          baseUrl: options.baseUrl,
          ...(options.transport ? { transport: options.transport } : {}),
        }),
        model: 'simulated-8b',
        maxConcurrency: options.endpointConcurrency,
        timeoutMs: 120_000,
      },
    ],
    tiers: { fast: ['simulated'] },
  });
  const run = createEngine({ models: { router } }).createRun(scenario);
  const stepMilliseconds: number[] = [];
  const agentFailures: Record<string, number> = {};
  let stepStarted = 0;
  run.subscribe((event) => {
    if (event.type === 'step-started') stepStarted = performance.now();
    else if (event.type === 'step-completed') stepMilliseconds.push(performance.now() - stepStarted);
    else if (event.type === 'agent-failed')
      agentFailures[event.reason] = (agentFailures[event.reason] ?? 0) + 1;
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await run.start();
  const used = process.cpuUsage(cpu);
  const realMilliseconds = performance.now() - started;
  router.close();
  if (result.status !== 'completed') throw new Error(`the benchmark run ${result.status}: ${result.reason}`);
  return {
    steps: result.steps,
    calls: router.stats().calls,
    router: router.stats(),
    realMilliseconds,
    cpuMilliseconds: (used.user + used.system) / 1000,
    stepMilliseconds,
    agentFailures,
  };
}
