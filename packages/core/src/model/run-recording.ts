import { hashRequest, hashResponse } from './canonical-json';
import { Cassette } from './cassette';
import { embeddingTier } from './embeddings';
import type { ChatCallOptions, ChatRouter, RoutedChatResponse } from './router-types';
import { type AttemptRecord, type ChatRequest, type ChatResponse, emptyUsage, ProviderError } from './types';

export type { ChatRouter } from './router-types';

/**
 * Records the final outcome of every routed call — the reply that was used, or the failure the
 * router gave up with — keyed by the request, so {@link ReplayRouter} can re-run the whole run
 * with no model server and take exactly the same decisions (fallbacks included). Retries,
 * hedges and failovers stay in the router and are not replayed: only what the engine saw is.
 */
export class RecordingRouter implements ChatRouter {
  constructor(
    private readonly inner: ChatRouter,
    readonly cassette: Cassette = new Cassette(),
  ) {}

  hasTarget(target: string): boolean {
    return this.inner.hasTarget(target);
  }

  async chat(
    target: string,
    request: ChatRequest,
    options: ChatCallOptions = {},
  ): Promise<RoutedChatResponse> {
    const keyed = { ...request, model: target };
    try {
      const routed = await this.inner.chat(target, request, options);
      this.cassette.record(keyed, routed.response);
      return routed;
    } catch (error) {
      const aborted =
        options.signal?.aborted || (error instanceof ProviderError && error.code === 'PROVIDER_ABORTED');
      if (error instanceof ProviderError && !aborted) this.cassette.recordFailure(keyed, error);
      throw error;
    }
  }
}

/**
 * Serves a run's recorded call outcomes: no server, no network. Every target is accepted (the
 * recording knows which were used). A call that was not recorded fails with `CASSETTE_MISS`
 * naming the run, step and agent.
 */
export class ReplayRouter implements ChatRouter {
  constructor(readonly cassette: Cassette) {}

  /**
   * Every target, except the embedding tier when the recording has no embedding call: embeddings
   * are optional, and a run recorded without them replays ranking documents by BM25 as it did.
   */
  hasTarget(target = ''): boolean {
    if (target !== embeddingTier) return true;
    return this.cassette.entries.some((entry) => entry.request.model === target);
  }

  async chat(
    target: string,
    request: ChatRequest,
    options: ChatCallOptions = {},
  ): Promise<RoutedChatResponse> {
    const keyed: ChatRequest = { ...request, model: target };
    if (options.signal?.aborted)
      throw new ProviderError('PROVIDER_ABORTED', 'the call was aborted', { retryable: false });
    const outcome = this.cassette.takeOutcome(keyed);
    if (!outcome) {
      const where = `run ${options.runId ?? request.metadata?.runId ?? '(unknown)'}, step ${options.step ?? request.metadata?.step ?? '(unknown)'}, agent ${options.agentId ?? request.metadata?.agentId ?? '(unknown)'}`;
      throw new ProviderError(
        'CASSETTE_MISS',
        `the recording has no model reply for ${where} (target ${target}). The scenario, seed, prompts or model settings differ from the recorded run.`,
        { retryable: false, providerId: 'replay' },
      );
    }
    if ('error' in outcome) throw outcome.error;
    return replayedResponse('replay', target, keyed, outcome.response, options);
  }
}

/**
 * A routed response answered from a recording: one free, instant attempt on the pseudo-endpoint
 * `endpointId`, with the same hashes a live call would record.
 */
export function replayedResponse(
  endpointId: string,
  target: string,
  keyed: ChatRequest,
  response: ChatResponse,
  options: ChatCallOptions,
): RoutedChatResponse {
  const attempt: AttemptRecord = {
    endpointId,
    model: response.model,
    tier: target,
    attempt: 1,
    hedge: false,
    startedAt: 0,
    latencyMs: 0,
    delayBeforeMs: 0,
    queuedMs: 0,
    outcome: 'ok',
    usage: response.usage ?? emptyUsage(),
    costUsd: 0,
    promptSha256: hashRequest(keyed),
    responseSha256: hashResponse(response),
    ...(options.runId ? { runId: options.runId } : {}),
    ...(options.step !== undefined ? { step: options.step } : {}),
    ...(options.agentId ? { agentId: options.agentId } : {}),
  };
  return { response, endpointId, attempts: [attempt] };
}
