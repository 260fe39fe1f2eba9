/**
 * The shapes of bench/results/*.json: written by the benchmarks, read by the RESULTS.md renderer.
 */
import type { Summary } from './reporting';

/** Fields every results file has ({@link writeResult} adds them). */
export interface ResultHeader {
  benchmark: string;
  command: string;
  date: string;
  node: string;
}

/** One seed of the scheduling benchmark. Times are virtual seconds. */
export interface SchedulingSample {
  seed: number;
  engineSeconds: number;
  engineAt20Seconds: number;
  wavesOf20Seconds: number;
  semaphore32Seconds: number;
  allInFlightSeconds: number;
  lowerBoundSeconds: number;
  /** The lower bound for any scheduler with at most 20 calls in flight. */
  lowerBoundAt20Seconds: number;
  /** Engine ÷ all-in-flight oracle (target ≤ 1.10). */
  engineVsAllInFlight: number;
  engineVsLowerBound: number;
  /** Waves of 20 ÷ engine at concurrency 20 (target ≥ 2). */
  wavesOf20VsEngineAt20: number;
  /** Waves of 20 ÷ the lower bound at 20 in flight: the most any scheduler at equal concurrency could gain. */
  wavesOf20VsLowerBoundAt20: number;
  /** Semaphore(32) per round ÷ engine. */
  semaphore32VsEngine: number;
  /** Retried attempts (429, 503, 5xx, timeouts) per call, engine. */
  engineRetryShare: number;
  engineFailedAttempts: Record<string, number>;
  /** Routed calls that took longer than the default 30 s decision timeout. */
  engineCallsOver30Seconds: number;
  engineFallbacks: number;
  engineCpuSeconds: number;
}

/** The scheduling figures summarised over seeds. */
export type SchedulingFigure =
  | 'engineVsAllInFlight'
  | 'engineVsLowerBound'
  | 'wavesOf20VsEngineAt20'
  | 'semaphore32VsEngine'
  | 'engineRetryShare'
  | 'engineSeconds'
  | 'engineAt20Seconds'
  | 'wavesOf20Seconds'
  | 'semaphore32Seconds'
  | 'allInFlightSeconds'
  | 'lowerBoundSeconds'
  | 'lowerBoundAt20Seconds'
  | 'wavesOf20VsLowerBoundAt20'
  | 'engineCallsOver30Seconds';

/** bench/results/scheduling-<profile>.json */
export interface SchedulingResult extends ResultHeader {
  profile: { name: string; description: string; calibration: readonly string[] };
  agents: number;
  steps: number;
  engineSetup: { concurrency: number; endpointConcurrency: number; why: string; equalConcurrency: number };
  summary: Record<SchedulingFigure, Summary>;
  samples: SchedulingSample[];
}

/** One seed of the prompt-layout benchmark on one profile. */
export interface LayoutSample {
  seed: number;
  /** Prompt tokens the server computed, engine layout. */
  prefillTokens: number;
  /** Token-exact shared-prefix minimum of the engine's prompts. */
  minimumPrefillTokens: number;
  /** Prefill ÷ minimum (target ≤ 1.10). */
  prefillVsMinimum: number;
  /** Prompt tokens the server computed, cache-hostile layout of the same prompts. */
  hostilePrefillTokens: number;
  promptTokens: number;
  /** Share of prompt tokens served from the cache, engine layout. */
  cachedShare: number;
  hostileCachedShare: number;
  wallSeconds: number;
  hostileWallSeconds: number;
  /** Hostile ÷ engine wall time. */
  hostileVsEngineWall: number;
  costUsd: number;
  hostileCostUsd: number;
  /** Hostile ÷ engine billed cost. */
  hostileVsEngineCost: number;
}

/** bench/results/prompt-layout.json */
export interface PromptLayoutResult extends ResultHeader {
  agents: number;
  steps: number;
  profiles: Record<
    string,
    {
      summary: Record<
        | 'prefillVsMinimum'
        | 'hostileVsEngineWall'
        | 'hostileVsEngineCost'
        | 'cachedShare'
        | 'hostileCachedShare',
        Summary
      >;
      samples: LayoutSample[];
    }
  >;
}

/** One seed of the tail benchmark. */
export interface TailSample {
  seed: number;
  unhedgedSeconds: number;
  hedgedSeconds: number;
  /** 1 − hedged ÷ unhedged (target ≥ 0.30). */
  timeSaved: number;
  /** Hedges per call (target ≤ 0.05). */
  extraCalls: number;
  /** Tokens of cancelled requests per token of the unhedged run. */
  extraTokens: number;
  hedges: number;
  hedgeWins: number;
  calls: number;
}

/** bench/results/tail-latency.json */
export interface TailResult extends ResultHeader {
  profile: { name: string; description: string };
  agents: number;
  steps: number;
  engineSetup: { concurrency: number; endpointConcurrency: number };
  hedging: { enabled?: boolean; percentile?: number; minSamples?: number; maxExtraFraction?: number };
  summary: Record<'timeSaved' | 'extraCalls' | 'extraTokens', Summary>;
  samples: TailSample[];
}

/** One configuration of the adaptive-concurrency sweep. */
export interface AdaptiveRun {
  limit: number | 'adaptive';
  /** Successful model calls per virtual minute. */
  callsPerMinute: number;
  /** Retried attempts (429, 503, timeouts) per call. */
  retryShare: number;
  /** Calls that failed after every attempt (the agent fell back to the rule brain). */
  failedCalls: number;
}

/** One seed of one adaptive-concurrency case. */
export interface AdaptiveSample {
  seed: number;
  adaptiveCallsPerMinute: number;
  /** The best fixed limit among those whose every call reached the model (no rule-brain fallbacks). */
  bestFixedLimit: number;
  bestFixedCallsPerMinute: number;
  /** Adaptive ÷ best fixed throughput. */
  adaptiveVsBestFixed: number;
  adaptiveRetryShare: number;
  adaptiveFailedCalls: number;
  sweep: AdaptiveRun[];
}

/** bench/results/adaptive-concurrency.json */
export interface AdaptiveResult extends ResultHeader {
  agents: number;
  steps: number;
  fixedLimits: number[];
  adaptiveCeiling: number;
  cases: Record<
    string,
    {
      hidden: string;
      summary: Record<'adaptiveVsBestFixed' | 'adaptiveRetryShare' | 'adaptiveFailedCalls', Summary>;
      samples: AdaptiveSample[];
    }
  >;
}

/** One seed of the overhead benchmark. */
export interface OverheadSample {
  seed: number;
  routerCallsPerSecond: number;
  routerCpuMillisecondsPerCall: number;
  engineCallsPerSecond: number;
  engineCpuMillisecondsPerCall: number;
  /** Client CPU ÷ wall time during the engine run: near 1 means the client is the bottleneck. */
  engineCpuShare: number;
  /** The same two clients through the `openai` SDK transport, in the same seed (the fields above use the default, `direct`). */
  sdkRouterCallsPerSecond: number;
  sdkRouterCpuMillisecondsPerCall: number;
  sdkEngineCallsPerSecond: number;
  sdkEngineCpuMillisecondsPerCall: number;
  /** Engine calls/s with the direct transport ÷ with the SDK, same seed. */
  engineDirectOverSdk: number;
  /** The engine with an in-process provider (no HTTP, no SDK): its own cost per call. */
  inProcessCallsPerSecond: number;
  inProcessCpuMillisecondsPerCall: number;
}

/** bench/results/overhead.json */
export interface OverheadResult extends ResultHeader {
  routerCalls: number;
  inFlight: number;
  engine: { agents: number; steps: number; concurrency: number; endpointConcurrency: number };
  summary: Record<
    | 'routerCallsPerSecond'
    | 'routerCpuMillisecondsPerCall'
    | 'engineCallsPerSecond'
    | 'engineCpuMillisecondsPerCall'
    | 'sdkRouterCallsPerSecond'
    | 'sdkRouterCpuMillisecondsPerCall'
    | 'sdkEngineCallsPerSecond'
    | 'sdkEngineCpuMillisecondsPerCall'
    | 'engineDirectOverSdk'
    | 'inProcessCallsPerSecond'
    | 'inProcessCpuMillisecondsPerCall',
    Summary
  >;
  samples: OverheadSample[];
}

/** One seed of the virtual/real agreement benchmark. */
export interface AgreementSample {
  seed: number;
  virtualSeconds: number;
  realSeconds: number;
  /** (real − virtual) ÷ virtual. */
  difference: number;
  virtualCalls: number;
  realCalls: number;
  /** The client's CPU during the real run, as a share of its wall time. */
  clientCpuShare: number;
  realFailures: Record<string, number>;
}

/** bench/results/mode-agreement.json */
export interface AgreementResult extends ResultHeader {
  profile: string;
  agents: number;
  steps: number;
  engineSetup: { concurrency: number; endpointConcurrency: number };
  summary: Record<'absoluteDifference' | 'difference', Summary>;
  samples: AgreementSample[];
}

/** One seed of the rule-agent throughput run. */
export interface RuleAgentsSample {
  seed: number;
  agents: number;
  steps: number;
  seconds: number;
  agentStepsPerSecond: number;
  eventsPerSecond: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

/** One heap-per-agent measurement, in a fresh process. */
export interface MemorySample {
  seed: number;
  agents: number;
  /** Heap after loading the scenario, creating the run and running two steps, less the heap before, per agent (after a full GC). */
  heapBytesPerAgent: number;
  rssBytesPerAgent: number;
}

/** bench/results/rule-agents.json */
export interface RuleAgentsResult extends ResultHeader {
  persistence: string;
  medianAgentStepsPerSecond: number;
  worstAgentStepsPerSecond: number;
  medianAgentStepsPerMinute: number;
  worstAgentStepsPerMinute: number;
  peakRssMiB: number;
  memory: Array<{ agents: number; medianHeapBytesPerAgent: number; worstHeapBytesPerAgent: number }>;
  samples: RuleAgentsSample[];
  memorySamples: MemorySample[];
}

/** Every results file, by benchmark; absent when that benchmark has not run. */
export interface AllResults {
  scheduling: Record<string, SchedulingResult | undefined>;
  layout: PromptLayoutResult | undefined;
  tail: TailResult | undefined;
  adaptive: AdaptiveResult | undefined;
  overhead: OverheadResult | undefined;
  agreement: AgreementResult | undefined;
  rules: RuleAgentsResult | undefined;
  persistence: PersistenceResult | undefined;
  concurrent: ConcurrentRunsResult | undefined;
}

/** What `bench/persistence.ts` writes (the fields the report reads). */
export interface PersistenceResult {
  command: string;
  medianAgentStepsPerMinute: { off: number; pglite: number; postgres?: number };
  worstAgentStepsPerMinute: { off: number; pglite: number; postgres?: number };
  pgliteShareOfOff: number;
  postgresShareOfOff?: number;
}

/** What `bench/concurrent-runs.ts` writes (the fields the report reads). */
export interface ConcurrentRunsResult {
  command: string;
  setup: { runs: number; agentsPerRun: number; steps: number; latencyMs: number; capacity: number };
  summary: { maxOverMin: number; coefficientOfVariation: number };
  smallRunSpeedup: number;
}
