import { Cassette, type CassetteEntry, type CassetteOutcome } from '../model/cassette';
import type { ChatCallOptions, RoutedChatResponse } from '../model/router-types';
import { type ChatRouter, replayedResponse } from '../model/run-recording';
import { type ChatRequest, ProviderError } from '../model/types';
import { personaCallPrefix } from './persona-writer';

/** Whether a recorded call is one that wrote a persona (its agent id is `persona:<id>`). */
export function isPersonaCall(entry: Pick<CassetteEntry, 'metadata'>): boolean {
  return entry.metadata?.agentId?.startsWith(personaCallPrefix) ?? false;
}

/** Where the model that writes a scenario's personas comes from. */
export type PersonaModelSource =
  /** A live router, or a function that opens one on first need (only `writer: model` scenarios ask). */
  | { live: ChatRouter | (() => Promise<ChatRouter | undefined>) }
  /** The persona calls recorded with a run (replay, resume): only these are answered. */
  | { recorded: Iterable<CassetteEntry> };

/**
 * The model calls that write a scenario's personas (`personas.writer: model`), for every load of
 * one run's scenario. Live, each distinct request is asked once and its outcome kept, so loading
 * the same scenario again (a CLI validates it, the store stores it, the run rebuilds it) writes
 * the same personas without asking again. Recorded (replay, resume), only the run's recorded
 * persona calls are answered — never a model — so the personas are rebuilt exactly, offline; a
 * run recorded with no persona calls loads as it did, without a model.
 * @example
 * const personaModels = new PersonaModelCalls({ live: async () => (await resolveModelSetup()).router });
 * const scenario = await loadScenario('company-world.yaml', { personaModels });
 */
export class PersonaModelCalls {
  readonly #source: PersonaModelSource;
  readonly #recorded: Cassette | undefined;
  readonly #kept = new Map<string, CassetteOutcome>();
  #router: Promise<ChatRouter | undefined> | undefined;

  constructor(source: PersonaModelSource) {
    this.#source = source;
    if ('recorded' in source) this.#recorded = new Cassette(source.recorded);
  }

  /** Answers only from a run's recorded calls (the persona ones among `entries`). */
  static recorded(entries: Iterable<CassetteEntry>): PersonaModelCalls {
    return new PersonaModelCalls({ recorded: [...entries].filter(isPersonaCall) });
  }

  /**
   * The router persona writing goes through, or undefined when no model can write them: none is
   * configured, it does not serve `target`, or the run was recorded without persona calls.
   */
  async router(target: string): Promise<ChatRouter | undefined> {
    if (this.#recorded) {
      return this.#recorded.entries.some((entry) => entry.request.model === target)
        ? this.#answering()
        : undefined;
    }
    const source = this.#source as { live: ChatRouter | (() => Promise<ChatRouter | undefined>) };
    this.#router ??= typeof source.live === 'function' ? source.live() : Promise.resolve(source.live);
    const live = await this.#router;
    return live?.hasTarget(target) ? this.#answering(live) : undefined;
  }

  #answering(live?: ChatRouter): ChatRouter {
    return {
      hasTarget: (target) => (live ? live.hasTarget(target) : true),
      chat: (target, request, options) => this.#chat(live, target, request, options),
    };
  }

  async #chat(
    live: ChatRouter | undefined,
    target: string,
    request: ChatRequest,
    options: ChatCallOptions = {},
  ): Promise<RoutedChatResponse> {
    const keyed: ChatRequest = { ...request, model: target };
    const key = Cassette.keyOf(keyed);
    const outcome = this.#kept.get(key) ?? this.#recorded?.takeOutcome(keyed);
    if (!outcome && live) {
      try {
        const routed = await live.chat(target, request, options);
        this.#kept.set(key, { response: routed.response });
        return routed;
      } catch (error) {
        const aborted =
          options.signal?.aborted || (error instanceof ProviderError && error.code === 'PROVIDER_ABORTED');
        if (error instanceof ProviderError && !aborted) this.#kept.set(key, { error });
        throw error;
      }
    }
    if (!outcome) {
      throw new ProviderError(
        'CASSETTE_MISS',
        `the run's recording has no reply for the persona call of ${options.agentId ?? request.metadata?.agentId ?? '(unknown)'} (target ${target}); the scenario, its data or the seed differ from the recorded run`,
        { retryable: false, providerId: 'recorded' },
      );
    }
    this.#kept.set(key, outcome);
    if ('error' in outcome) throw outcome.error;
    return replayedResponse('recorded', target, keyed, structuredClone(outcome.response), options);
  }
}
