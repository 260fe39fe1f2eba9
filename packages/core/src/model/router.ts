import { SandtableError } from '../errors';
import { createRandom } from '../random';
import { hashRequest, hashResponse } from './canonical-json';
import { CircuitBreaker } from './circuit-breaker';
import { abortedError, type Clock, sleep, systemClock } from './clock';
import { EndpointLimiter, type Permit } from './endpoint-limiter';
import { type EndpointState, hedgeSlot, pickEndpoint } from './endpoint-state';
import { LatencyTracker } from './latency-tracker';
import { checkReply } from './reply-check';
import {
  backoffDelay,
  costOf,
  isHealthFailure,
  isOverload,
  isRefusal,
  type ResolvedRetryPolicy,
  resolveRetryPolicy,
} from './retry';
import type {
  AttemptRecord,
  ChatCallOptions,
  EndpointStatus,
  HedgingOptions,
  ModelRouterOptions,
  RoutedChatResponse,
  RouterStats,
} from './router-types';
import {
  type ChatRequest,
  type ChatResponse,
  emptyUsage,
  ProviderError,
  type RequestMetadata,
} from './types';

interface AttemptContext {
  target: string;
  /** A model that overrides the endpoint's own (`endpointId/model` targets). */
  model: string | undefined;
  checkReply: boolean;
  attempt: number;
  delayBeforeMs: number;
  queuedMs: number;
  request: ChatRequest;
  callerSignal: AbortSignal | undefined;
  metadata: RequestMetadata;
  promptSha256: string;
}

interface SendResult {
  record: AttemptRecord;
  response?: ChatResponse;
  error?: ProviderError;
}

/**
 * Sends chat requests to model tiers with the resilience a long simulation needs. A tier (`fast`,
 * `smart`, any name) is an ordered fallback chain of endpoints. Per call the router:
 * - picks the endpoint: the first priority level with a closed (or probing) circuit, and within
 *   it the endpoint with the fewest outstanding requests;
 * - waits for a slot under the endpoint's adaptive in-flight limit (halved on overload, slow start
 *   back; `retry-after` pauses it);
 * - sends with a per-attempt timeout linked to the caller's signal (aborting cancels the HTTP request);
 * - optionally hedges a slow request with a second one (first answer wins, the other is aborted);
 * - checks the reply is usable, and retries retryable failures with jittered exponential backoff,
 *   never a 4xx user error, at most `retry.maxAttempts` attempts — busy refusals (429, 503/529)
 *   retry on a budget of their own (`retry.maxRefusals`), since the server did no work;
 * - records every attempt ({@link AttemptRecord}): endpoint, tier, timings, usage, cost, hashes.
 *
 * @example
 * const router = new ModelRouter({
 *   endpoints: [{ id: 'local', provider: new OpenAIProvider({ baseUrl: 'http://127.0.0.1:11434/v1' }), model: 'llama3.1:8b', maxConcurrency: 4, timeoutMs: 60_000 }],
 *   tiers: { fast: ['local'], smart: ['local'] },
 * });
 * const { response, attempts } = await router.chat('fast', { model: '', messages }, { signal, runId, step, agentId });
 */
export class ModelRouter {
  readonly #states = new Map<string, EndpointState>();
  readonly #tiers = new Map<string, EndpointState[][]>();
  readonly #retry: ResolvedRetryPolicy;
  readonly #hedging: Required<HedgingOptions>;
  readonly #random: () => number;
  readonly #clock: Clock;
  readonly #checkReplies: boolean;
  readonly #onAttempt: ((record: AttemptRecord) => void) | undefined;
  readonly #stats: RouterStats = {
    calls: 0,
    successes: 0,
    failures: 0,
    attempts: 0,
    retries: 0,
    hedges: 0,
    hedgeWins: 0,
  };
  #closed = false;

  /** @throws {@link SandtableError} `MODEL_CONFIG_INVALID` for duplicate endpoint ids or tiers naming unknown endpoints. */
  constructor(options: ModelRouterOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? randomFunction(options.seed ?? 1);
    this.#retry = resolveRetryPolicy(options.retry);
    this.#checkReplies = options.checkReplies ?? true;
    this.#onAttempt = options.onAttempt;
    this.#hedging = {
      enabled: options.hedging?.enabled ?? false,
      percentile: options.hedging?.percentile ?? 0.95,
      minSamples: options.hedging?.minSamples ?? 20,
      minDelayMs: options.hedging?.minDelayMs ?? 0,
      maxExtraFraction: options.hedging?.maxExtraFraction ?? 0.1,
    };
    for (const endpoint of options.endpoints) {
      if (this.#states.has(endpoint.id))
        throw configError(`endpoint id ${JSON.stringify(endpoint.id)} is used twice`);
      this.#states.set(endpoint.id, {
        endpoint,
        limiter: new EndpointLimiter(this.#clock, {
          maxConcurrency: endpoint.maxConcurrency,
          adaptive: options.adaptiveConcurrency ?? true,
        }),
        breaker: new CircuitBreaker(this.#clock, options.circuitBreaker),
        latency: new LatencyTracker(),
      });
    }
    for (const [tier, chain] of Object.entries(options.tiers)) {
      const levels = chain.map((entry) =>
        (typeof entry === 'string' ? [entry] : [...entry]).map((id) => {
          const state = this.#states.get(id);
          if (!state)
            throw configError(`tier ${JSON.stringify(tier)} names unknown endpoint ${JSON.stringify(id)}`);
          return state;
        }),
      );
      if (levels.flat().length === 0) throw configError(`tier ${JSON.stringify(tier)} has no endpoints`);
      this.#tiers.set(tier, levels);
    }
  }

  /** The tier names, in configuration order. */
  get tierNames(): string[] {
    return [...this.#tiers.keys()];
  }

  /** True when `target` is a tier name, an endpoint id, or `endpointId/model`. */
  hasTarget(target: string): boolean {
    return (
      this.#tiers.has(target) || this.#states.has(target) || this.#states.has(target.split('/')[0] ?? '')
    );
  }

  /**
   * Sends one chat request to a target: a tier name, an endpoint id, or `endpointId/model` to ask
   * an endpoint for another model than its configured one (an agent naming its own model; the
   * endpoint's limit and circuit still apply). The request's `model` is replaced by the chosen
   * endpoint's model; its `signal` is used when `options.signal` is not given.
   * @throws {@link ProviderError} when every attempt failed (code of the last failure, `attempts`
   * set), `PROVIDER_ABORTED` when the signal fired, `PROVIDER_CIRCUIT_OPEN` when every endpoint of
   * the chain is open; {@link SandtableError} `MODEL_TARGET_UNKNOWN` for an unknown target.
   */
  async chat(
    target: string,
    request: ChatRequest,
    options: ChatCallOptions = {},
  ): Promise<RoutedChatResponse> {
    const { levels, model } = this.#resolve(target);
    const callerSignal = options.signal ?? request.signal;
    const metadata: RequestMetadata = { ...request.metadata };
    if (options.runId !== undefined) metadata.runId = options.runId;
    if (options.step !== undefined) metadata.step = options.step;
    if (options.agentId !== undefined) metadata.agentId = options.agentId;
    const attempts: AttemptRecord[] = [];
    const failedEndpoints = new Set<string>();
    let lastError: ProviderError | undefined;
    let delayBeforeMs = 0;
    // Attempts that count against `maxAttempts`, and refusals retried on their own budget.
    let counted = 0;
    let refusals = 0;
    const promptHashes = new Map<string, string>();
    this.#stats.calls += 1;
    try {
      for (let attempt = 1; ; attempt += 1) {
        counted += 1;
        if (callerSignal?.aborted) throw abortedError();
        if (this.#closed) throw abortedError('the model router was closed');
        const state = pickEndpoint(levels, failedEndpoints);
        if (!state) {
          lastError ??= this.#circuitOpenError(target, levels);
          break;
        }
        const waitStarted = this.#clock.now();
        const permit = await state.limiter.acquire(callerSignal);
        options.onSlot?.();
        this.#stats.attempts += 1;
        if (attempt > 1) this.#stats.retries += 1;
        // Hashing the canonical request is a tenth of the engine's CPU per call: once per model.
        const sentModel = model ?? state.endpoint.model;
        let promptSha256 = promptHashes.get(sentModel);
        if (promptSha256 === undefined) {
          promptSha256 = hashRequest({ ...request, model: sentModel });
          promptHashes.set(sentModel, promptSha256);
        }
        const context: AttemptContext = {
          target,
          model,
          attempt,
          delayBeforeMs,
          queuedMs: this.#clock.now() - waitStarted,
          request,
          callerSignal,
          metadata,
          promptSha256,
          checkReply: options.checkReply ?? this.#checkReplies,
        };
        const results = await this.#attempt(state, permit, context, levels);
        for (const result of results) {
          attempts.push(result.record);
          this.#onAttempt?.(result.record);
        }
        const winner = results.find((result) => result.record.outcome === 'ok' && result.response);
        if (winner?.response) {
          this.#stats.successes += 1;
          return { response: winner.response, endpointId: winner.record.endpointId, attempts };
        }
        lastError = results[0]?.error ?? lastError;
        if (callerSignal?.aborted) throw abortedError();
        if (!lastError?.retryable) break;
        if (isRefusal(lastError) && refusals < this.#retry.maxRefusals) {
          refusals += 1;
          counted -= 1;
        } else if (counted >= this.#retry.maxAttempts) break;
        failedEndpoints.add(state.endpoint.id);
        delayBeforeMs = backoffDelay(this.#retry, attempt, this.#random);
        await sleep(this.#clock, delayBeforeMs, callerSignal);
      }
      throw lastError ?? abortedError();
    } catch (error) {
      this.#stats.failures += 1;
      throw withAttempts(error, attempts);
    }
  }

  /** A copy of the counters. */
  stats(): RouterStats {
    return { ...this.#stats };
  }

  /** Limit, load, circuit and latency of every endpoint. */
  endpointStatus(): EndpointStatus[] {
    return [...this.#states.values()].map(({ endpoint, limiter, breaker, latency }) => {
      const p95 = latency.percentile(0.95);
      return {
        id: endpoint.id,
        model: endpoint.model,
        maxConcurrency: limiter.maxConcurrency,
        limit: limiter.limit,
        inFlight: limiter.inFlight,
        queued: limiter.queued,
        circuit: breaker.state,
        pausedUntil: limiter.pausedUntil,
        ...(p95 === undefined ? {} : { p95LatencyMs: p95 }),
      };
    });
  }

  /** Rejects queued calls and refuses new ones. Calls in flight finish (abort them with their signals). */
  close(): void {
    this.#closed = true;
    for (const state of this.#states.values()) state.limiter.close();
  }

  #resolve(target: string): { levels: EndpointState[][]; model?: string } {
    const levels = this.#tiers.get(target);
    if (levels) return { levels };
    const state = this.#states.get(target);
    if (state) return { levels: [[state]] };
    const slash = target.indexOf('/');
    const named = slash > 0 ? this.#states.get(target.slice(0, slash)) : undefined;
    if (named && slash < target.length - 1) return { levels: [[named]], model: target.slice(slash + 1) };
    throw new SandtableError(
      'MODEL_TARGET_UNKNOWN',
      `no model tier or endpoint named ${JSON.stringify(target)}; known: ${[...this.#tiers.keys(), ...this.#states.keys()].join(', ')}`,
      { category: 'user' },
    );
  }

  #circuitOpenError(target: string, levels: EndpointState[][]): ProviderError {
    const ids = levels.flat().map((state) => state.endpoint.id);
    return new ProviderError(
      'PROVIDER_CIRCUIT_OPEN',
      `every endpoint of ${JSON.stringify(target)} (${ids.join(', ')}) has failed repeatedly; its circuit is open until a probe succeeds`,
      { retryable: true },
    );
  }

  /** One attempt: a single request, or a hedged pair when the endpoint is slow today. */
  async #attempt(
    state: EndpointState,
    permit: Permit,
    context: AttemptContext,
    levels: EndpointState[][],
  ): Promise<SendResult[]> {
    const delay = this.#hedgeDelay(state);
    const primaryCancel = new AbortController();
    const primary = this.#send(state, permit, context, false, primaryCancel.signal);
    if (delay === undefined) return [await primary];
    let timer: unknown;
    const early = await Promise.race([
      primary,
      new Promise<undefined>((resolve) => {
        timer = this.#clock.setTimeout(() => resolve(undefined), delay);
      }),
    ]);
    this.#clock.clearTimeout(timer);
    if (early) return [early];
    const slot = hedgeSlot(state, levels);
    if (!slot) return [await primary];
    this.#stats.hedges += 1;
    const hedgeCancel = new AbortController();
    const hedge = this.#send(slot.state, slot.permit, context, true, hedgeCancel.signal);
    const winner = await firstSuccess([primary, hedge]);
    if (winner === 0) hedgeCancel.abort();
    if (winner === 1) primaryCancel.abort();
    const results = await Promise.all([primary, hedge]);
    if (winner >= 0) {
      const loser = results[1 - winner] as SendResult;
      // A loser that finished too (or was cut off) lost the race; a real error stays an error.
      if (loser.record.outcome === 'ok' || loser.record.outcome === 'hedge-lost') {
        loser.record.outcome = 'hedge-lost';
        delete loser.response;
      }
      if (winner === 1) this.#stats.hedgeWins += 1;
    }
    return results;
  }

  #hedgeDelay(state: EndpointState): number | undefined {
    const hedging = this.#hedging;
    if (!hedging.enabled || state.latency.count < hedging.minSamples) return undefined;
    if (this.#stats.hedges + 1 > hedging.maxExtraFraction * this.#stats.calls) return undefined;
    const threshold = state.latency.percentile(hedging.percentile);
    return threshold === undefined ? undefined : Math.max(hedging.minDelayMs, threshold);
  }

  /** Sends one HTTP request under a timeout; never throws. Updates the endpoint's limit, circuit and latency. */
  async #send(
    state: EndpointState,
    permit: Permit,
    context: AttemptContext,
    hedge: boolean,
    cancel: AbortSignal,
  ): Promise<SendResult> {
    const { endpoint, limiter, breaker } = state;
    const controller = new AbortController();
    let timedOut = false;
    let cancelled = false;
    const onCaller = (): void => controller.abort(abortedError());
    const onCancel = (): void => {
      cancelled = true;
      controller.abort(abortedError(`hedged request to ${endpoint.id} lost the race`));
    };
    context.callerSignal?.addEventListener('abort', onCaller, { once: true });
    cancel.addEventListener('abort', onCancel, { once: true });
    if (context.callerSignal?.aborted) onCaller();
    const timer = this.#clock.setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${endpoint.timeoutMs} ms`, 'TimeoutError'));
    }, endpoint.timeoutMs);
    breaker.onAttemptStart();
    const startedAt = this.#clock.now();
    let response: ChatResponse | undefined;
    let error: ProviderError | undefined;
    try {
      response = await endpoint.provider.chat({
        ...context.request,
        model: context.model ?? endpoint.model,
        signal: controller.signal,
        metadata: context.metadata,
      });
      if (context.checkReply) error = checkReply(context.request, response, endpoint.id);
    } catch (thrown) {
      error =
        thrown instanceof ProviderError
          ? thrown
          : new ProviderError('PROVIDER_UNAVAILABLE', `${endpoint.id} failed: ${String(thrown)}`, {
              providerId: endpoint.id,
              retryable: false,
              cause: thrown,
            });
    } finally {
      this.#clock.clearTimeout(timer);
      context.callerSignal?.removeEventListener('abort', onCaller);
      cancel.removeEventListener('abort', onCancel);
      permit.release();
    }
    const latencyMs = this.#clock.now() - startedAt;
    const callerAborted = context.callerSignal?.aborted === true;
    if (error && timedOut && !callerAborted) {
      error = new ProviderError(
        'PROVIDER_TIMEOUT',
        `${endpoint.id} did not answer within ${endpoint.timeoutMs} ms`,
        {
          providerId: endpoint.id,
          cause: error,
        },
      );
    }
    const outcome = !error
      ? 'ok'
      : callerAborted
        ? 'aborted'
        : cancelled && !timedOut
          ? 'hedge-lost'
          : 'error';
    if (outcome === 'ok') {
      limiter.recordSuccess(latencyMs);
      breaker.onSuccess();
      state.latency.add(latencyMs);
    } else if (outcome === 'error' && error) {
      const retryAfterMs =
        error.retryAfterMs === undefined
          ? undefined
          : Math.min(error.retryAfterMs, this.#retry.maxRetryAfterMs);
      if (isOverload(error)) limiter.recordOverload(permit, retryAfterMs);
      else if (retryAfterMs !== undefined) limiter.pause(retryAfterMs);
      if (isHealthFailure(error)) breaker.onFailure();
      else if (error.code === 'PROVIDER_MALFORMED_REPLY') breaker.onSuccess();
      else breaker.onNeutral();
    } else {
      breaker.onNeutral();
    }
    const usage = response?.usage ?? emptyUsage();
    const record: AttemptRecord = {
      endpointId: endpoint.id,
      model: context.model ?? endpoint.model,
      tier: context.target,
      attempt: context.attempt,
      hedge,
      startedAt,
      latencyMs,
      delayBeforeMs: hedge ? 0 : context.delayBeforeMs,
      queuedMs: hedge ? 0 : context.queuedMs,
      outcome,
      usage,
      costUsd: costOf(usage, endpoint.price),
      parameters: requestParameters(context.request),
      promptSha256: context.promptSha256,
      ...(response ? { responseSha256: hashResponse(response) } : {}),
      ...(error ? { errorCode: error.code } : {}),
      ...(error?.status === undefined ? {} : { status: error.status }),
      ...context.metadata,
    };
    return { record, ...(response && !error ? { response } : {}), ...(error ? { error } : {}) };
  }
}

/** Index of the first result that succeeded, or -1 once all have failed. */
function firstSuccess(results: Array<Promise<SendResult>>): Promise<number> {
  return new Promise((resolve) => {
    let settled = 0;
    results.forEach((promise, index) => {
      void promise.then((result) => {
        settled += 1;
        if (!result.error) resolve(index);
        else if (settled === results.length) resolve(-1);
      });
    });
  });
}

/**
 * The error a failed call throws: a fresh copy of the last failure carrying this call's attempts
 * (providers may throw one error instance more than once, so it is not mutated).
 */
function withAttempts(error: unknown, attempts: AttemptRecord[]): ProviderError {
  const last = error instanceof ProviderError ? error : abortedError(String(error));
  const failure = new ProviderError(last.code, last.message, {
    retryable: last.retryable,
    cause: last,
    ...(last.status === undefined ? {} : { status: last.status }),
    ...(last.retryAfterMs === undefined ? {} : { retryAfterMs: last.retryAfterMs }),
    ...(last.providerId === undefined ? {} : { providerId: last.providerId }),
  });
  failure.attempts = attempts;
  return failure;
}

function configError(message: string): SandtableError {
  return new SandtableError('MODEL_CONFIG_INVALID', `model router: ${message}`, { category: 'user' });
}

function randomFunction(seed: number): () => number {
  const random = createRandom(seed, ['router']);
  return () => random.next();
}

/** The sampling and output settings of a request, as recorded with each attempt. */
function requestParameters(request: ChatRequest): AttemptRecord['parameters'] {
  return {
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.toolChoice === undefined ? {} : { toolChoice: request.toolChoice }),
    ...(request.responseFormat === undefined ? {} : { responseFormat: request.responseFormat.type }),
    tools: request.tools?.length ?? 0,
  };
}
