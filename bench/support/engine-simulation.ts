/**
 * Runs the real engine — `createEngine`, the model brains, `runPool`, a `ModelRouter` with its
 * adaptive limit, retries and hedging — against a simulated server in virtual time, and reports
 * what happened: wall time per step, calls, retries, tokens, cost, and the workload it sent.
 */
import { join } from 'node:path';
import {
  type ChatRouter,
  createEngine,
  type HedgingOptions,
  loadScenario,
  ModelRouter,
  type RouterStats,
} from '@sandtable/core';
import {
  createServerModel,
  distinctPrefixTokens,
  type PromptBlocks,
  type PromptLayout,
  type ServerModelStats,
  type ServerProfile,
  SimulatedServerProvider,
  VirtualClock,
} from './simulation';

/** The benchmark world: 200 model-backed agents, 90 days. */
export const benchmarkScenario = join(import.meta.dirname, '..', 'scenarios', 'crisis-200.yaml');

/** The decision timeout a scenario gets by default (`execution.decision_timeout_ms`). */
export const defaultDecisionTimeoutMs = 30_000;

/** A request of the workload: what one agent sent the server at one step. */
export interface TraceJob {
  key: string;
  prompt: PromptBlocks;
  outputTokens: number;
  maxTokens: number;
}

/** How the engine is set up for one simulated run. */
export interface EngineSimulationOptions {
  profile: ServerProfile;
  seed: number;
  /** Steps to run. @defaultValue the scenario's 90 */
  steps?: number;
  /** The scenario's `execution.concurrency` (decisions in flight). */
  concurrency: number;
  /** The endpoint's `maxConcurrency` (the router's in-flight limit). */
  endpointConcurrency: number;
  /** The router's AIMD limit. @defaultValue true */
  adaptive?: boolean;
  hedging?: HedgingOptions;
  /** @defaultValue 'as-sent' */
  layout?: PromptLayout;
  /** The endpoint's per-attempt timeout. @defaultValue 120000 */
  timeoutMs?: number;
  /** Keep the workload (each agent's request per step) for the baseline schedulers. */
  recordTrace?: boolean;
  /** Compute the token-exact shared-prefix minimum of the prompts, step by step. */
  measurePrefixMinimum?: boolean;
}

/** What one simulated run did. Times are virtual milliseconds. */
export interface EngineSimulationResult {
  seed: number;
  steps: number;
  agents: number;
  virtualMilliseconds: number;
  stepMilliseconds: number[];
  router: RouterStats;
  /** Failed attempts by HTTP status (or error code when there was none). */
  failedAttempts: Record<string, number>;
  /** `agent-failed` events by reason. */
  agentFailures: Record<string, number>;
  /** Decisions the rule brain made because the model could not be reached. */
  fallbacks: number;
  server: ServerModelStats;
  costUsd: number;
  /** The longest routed call (queueing at the endpoint limit included). */
  longestCallMilliseconds: number;
  /** Routed calls longer than the default decision timeout (30 s): they would time out by default. */
  callsOverDefaultTimeout: number;
  /** Token-exact shared-prefix minimum over the run (with `measurePrefixMinimum`). */
  minimumPrefillTokens?: number;
  /** Each step's requests in agent order (with `recordTrace`). */
  trace?: TraceJob[][];
  realMilliseconds: number;
  cpuMilliseconds: number;
}

/** Runs the benchmark scenario on the real engine against a simulated server, in virtual time. */
export async function runEngineSimulation(options: EngineSimulationOptions): Promise<EngineSimulationResult> {
  const { profile, seed } = options;
  const scenario = await loadScenario(benchmarkScenario, { seed });
  if (options.steps !== undefined) scenario.clock.steps = options.steps;
  scenario.execution.concurrency = options.concurrency;
  const agentOrder = new Map(scenario.agents.map((agent, index) => [agent.id, index]));

  const clock = new VirtualClock();
  const server = createServerModel(profile, { clock, seed });
  const trace: TraceJob[][] = [];
  const seenKeys = new Set<string>();
  let stepTokens: Uint32Array[] = [];
  let previousStepTokens: Uint32Array[] = [];
  let minimumPrefillTokens = 0;
  const provider = new SimulatedServerProvider({
    server,
    clock,
    seed,
    layout: options.layout ?? 'as-sent',
    onSubmit(job, request) {
      if (seenKeys.has(job.key)) return;
      seenKeys.add(job.key);
      const step = request.metadata?.step ?? 0;
      if (options.recordTrace) {
        trace[step - 1] ??= [];
        const jobs = trace[step - 1] as TraceJob[];
        jobs[agentOrder.get(request.metadata?.agentId ?? '') ?? jobs.length] = {
          key: job.key,
          prompt: { length: job.prompt.length, blockHashes: job.prompt.blockHashes },
          outputTokens: job.outputTokens,
          maxTokens: job.maxTokens,
        };
      }
      if (options.measurePrefixMinimum) stepTokens.push(job.prompt.tokens);
    },
  });
  const router = new ModelRouter({
    clock,
    seed,
    adaptiveConcurrency: options.adaptive ?? true,
    ...(options.hedging ? { hedging: options.hedging } : {}),
    endpoints: [
      {
        id: profile.name,
        provider,
        model: 'simulated-8b',
        maxConcurrency: options.endpointConcurrency,
        timeoutMs: options.timeoutMs ?? 120_000,
        ...(profile.price ? { price: profile.price } : {}),
      },
    ],
    tiers: { fast: [profile.name] },
  });
  const failedAttempts: Record<string, number> = {};
  let costUsd = 0;
  let longestCall = 0;
  let callsOverTimeout = 0;
  const measured: ChatRouter = {
    hasTarget: (target) => router.hasTarget(target),
    async chat(target, request, callOptions) {
      const started = clock.now();
      try {
        const routed = await router.chat(target, request, callOptions);
        for (const attempt of routed.attempts) record(attempt);
        return routed;
      } catch (error) {
        for (const attempt of (error as { attempts?: Parameters<typeof record>[0][] }).attempts ?? [])
          record(attempt);
        throw error;
      } finally {
        const elapsed = clock.now() - started;
        longestCall = Math.max(longestCall, elapsed);
        if (elapsed > defaultDecisionTimeoutMs) callsOverTimeout += 1;
      }
    },
  };
  function record(attempt: { outcome: string; status?: number; errorCode?: string; costUsd: number }): void {
    costUsd += attempt.costUsd;
    if (attempt.outcome === 'error') {
      const key = attempt.status === undefined ? (attempt.errorCode ?? 'error') : String(attempt.status);
      failedAttempts[key] = (failedAttempts[key] ?? 0) + 1;
    }
  }

  const run = createEngine({ models: { router: measured } }).createRun(scenario);
  const stepMilliseconds: number[] = [];
  const agentFailures: Record<string, number> = {};
  let stepStarted = 0;
  let fallbacks = 0;
  run.subscribe((event) => {
    if (event.type === 'step-started') stepStarted = clock.now();
    else if (event.type === 'step-completed') {
      stepMilliseconds.push(clock.now() - stepStarted);
      if (options.measurePrefixMinimum) {
        minimumPrefillTokens +=
          distinctPrefixTokens([...previousStepTokens, ...stepTokens]) -
          distinctPrefixTokens(previousStepTokens);
        previousStepTokens = stepTokens;
        stepTokens = [];
      }
    } else if (event.type === 'agent-failed')
      agentFailures[event.reason] = (agentFailures[event.reason] ?? 0) + 1;
    else if (event.type === 'agent-acted' && event.source === 'fallback') fallbacks += 1;
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await clock.run(() => run.start());
  const used = process.cpuUsage(cpu);
  if (result.status !== 'completed') throw new Error(`the benchmark run ${result.status}: ${result.reason}`);
  return {
    seed,
    steps: result.steps,
    agents: scenario.agents.length,
    virtualMilliseconds: clock.now(),
    stepMilliseconds,
    router: router.stats(),
    failedAttempts,
    agentFailures,
    fallbacks,
    server: server.stats(),
    costUsd,
    longestCallMilliseconds: longestCall,
    callsOverDefaultTimeout: callsOverTimeout,
    ...(options.measurePrefixMinimum ? { minimumPrefillTokens } : {}),
    ...(options.recordTrace ? { trace: trace.map((jobs) => jobs.filter((job) => job !== undefined)) } : {}),
    realMilliseconds: performance.now() - started,
    cpuMilliseconds: (used.user + used.system) / 1000,
  };
}

/** Attempts that failed (refused, 5xx, timed out), all statuses together. */
export function failedAttemptCount(failedAttempts: Record<string, number>): number {
  let total = 0;
  for (const count of Object.values(failedAttempts)) total += count;
  return total;
}
