import {
  type AttemptRecord,
  Cassette,
  type CassetteEntry,
  type ChatCallOptions,
  type ChatRequest,
  type ChatRouter,
  ProviderError,
  type RoutedChatResponse,
  replayedResponse,
} from '@sandtable/core';
import type { Store } from './store-types';

/**
 * The model router a persisted run uses. Every call is answered from the run's stored cassette
 * first (calls recorded before a crash are not paid for twice); a call not recorded goes to the
 * live router, and its outcome is written to the store as soon as it arrives — before the agent
 * sees it — so a kill at any moment loses no paid call. In `replayOnly` mode (while a resume
 * re-executes committed steps) a call missing from the cassette fails with `CASSETTE_MISS`
 * instead of reaching a model.
 */
export class PersistentRouter implements ChatRouter {
  /** When true, never call the live router. */
  replayOnly = false;
  /** Calls answered from the stored cassette. */
  replayed = 0;
  /** Calls that went to the live router (and were recorded). */
  live = 0;
  readonly #cassette: Cassette;

  /**
   * @param store - where calls are recorded
   * @param runId - the run they belong to
   * @param inner - the live router; undefined when only recorded calls may be served
   * @param recorded - the run's stored cassette entries, in recording order
   */
  constructor(
    private readonly store: Store,
    private readonly runId: string,
    private readonly inner: ChatRouter | undefined,
    recorded: readonly CassetteEntry[] = [],
  ) {
    this.#cassette = new Cassette(recorded);
  }

  hasTarget(target: string): boolean {
    if (this.inner) return this.inner.hasTarget(target);
    return this.#cassette.entries.some((entry) => entry.request.model === target);
  }

  async chat(
    target: string,
    request: ChatRequest,
    options: ChatCallOptions = {},
  ): Promise<RoutedChatResponse> {
    const keyed: ChatRequest = { ...request, model: target };
    const stored = this.#cassette.takeOutcome(keyed);
    if (stored) {
      this.replayed += 1;
      if ('error' in stored) throw stored.error;
      return replayedResponse('recorded', target, keyed, stored.response, options);
    }
    if (this.replayOnly || !this.inner) {
      throw new ProviderError(
        'CASSETTE_MISS',
        `run ${this.runId}: no recorded model reply for step ${options.step ?? '?'}, agent ${options.agentId ?? '?'} (target ${target}) ` +
          (this.inner
            ? 'while re-executing committed steps: the scenario, seed, prompts or model settings differ from the stored run'
            : 'and no model is configured to ask'),
        { retryable: false, providerId: 'recorded' },
      );
    }
    const entry = new Cassette();
    let routed: RoutedChatResponse;
    try {
      routed = await this.inner.chat(target, request, options);
    } catch (error) {
      const aborted =
        options.signal?.aborted || (error instanceof ProviderError && error.code === 'PROVIDER_ABORTED');
      if (error instanceof ProviderError && !aborted) {
        entry.recordFailure(keyed, error);
        await this.#record(entry.entries[0]!, target, options);
      }
      throw error;
    }
    this.live += 1;
    entry.record(keyed, routed.response);
    await this.#record(entry.entries[0]!, target, options, routed.attempts);
    return routed;
  }

  async #record(
    entry: CassetteEntry,
    target: string,
    options: ChatCallOptions,
    attempts: AttemptRecord[] = [],
  ): Promise<void> {
    await this.store.recordModelCall(this.runId, {
      step: options.step ?? entry.metadata?.step ?? null,
      agentId: options.agentId ?? entry.metadata?.agentId ?? null,
      target,
      entry,
      attempts,
    });
  }
}
