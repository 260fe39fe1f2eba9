import {
  type AttemptRecord,
  Cassette,
  type CassetteEntry,
  type ChatCallOptions,
  type ChatRequest,
  type ChatRouter,
  embeddingTier,
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

  /**
   * The live router's targets; without one, every target the run recorded. The embedding tier
   * also when only the recording has it: a run that recorded embedding calls re-executes its
   * committed steps with them even when the configuration now lacks the tier (else document
   * search and recall would rank by BM25 and the resume diverge); new embedding calls are then
   * refused ({@link chat}) and the run degrades to BM25, saying so once.
   */
  hasTarget(target: string): boolean {
    if (this.inner?.hasTarget(target)) return true;
    if (this.inner && target !== embeddingTier) return false;
    return this.#recorded(target);
  }

  /**
   * Targets served by the stored recording only, the live router lacking them (the embedding
   * tier, the only one claimed that way): callers may tell the user that new calls to them fail.
   */
  get recordedOnlyTargets(): string[] {
    if (!this.inner || this.inner.hasTarget(embeddingTier) || !this.#recorded(embeddingTier)) return [];
    return [embeddingTier];
  }

  #recorded(target: string): boolean {
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
    if (!this.inner.hasTarget(target)) {
      // Claimed for the recording only (see hasTarget): refused, and the refusal recorded, so a
      // later resume or restore of this run fails the same call the same way.
      const refused = new ProviderError(
        'PROVIDER_NOT_FOUND',
        `run ${this.runId}: this run recorded embedding calls; configure an \`${target}\` tier to make new ones (step ${options.step ?? '?'}: ranked by BM25 from here)`,
        { retryable: false, providerId: 'recorded' },
      );
      entry.recordFailure(keyed, refused);
      await this.#record(entry.entries[0]!, target, options);
      throw refused;
    }
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
