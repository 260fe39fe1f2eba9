import type { Clock } from '../../model/clock';
import { errorFromAbort, errorFromStatus } from '../../model/provider-errors';
import type { ChatRequest, ChatResponse, ModelProvider } from '../../model/types';
import { type PromptLayout, type PromptTokens, renderPrompt, TokenCache } from './prompt-tokens';
import type { ServerJob, ServerModel } from './server-model';
import {
  type DecisionTool,
  defaultReplyLength,
  type ReplyLength,
  simulatedDecision,
} from './simulated-decision';

/** Options of a {@link SimulatedServerProvider}. */
export interface SimulatedServerProviderOptions {
  server: ServerModel;
  /** The clock the server runs on (latency is measured on it). */
  clock: Clock;
  /** Seed of the answers ({@link simulatedDecision}). */
  seed: number;
  /** @defaultValue `'simulated'` */
  id?: string;
  /** @defaultValue 'as-sent' */
  layout?: PromptLayout;
  /** @defaultValue {@link defaultReplyLength} */
  replyLength?: ReplyLength;
  /** Sees every request as submitted to the server, with its rendered tokens (to record a workload). */
  onSubmit?: (job: ServerJob & { prompt: PromptTokens }, request: ChatRequest) => void;
}

/**
 * A {@link ModelProvider} answering from a simulated server model with no HTTP in between: the
 * request is rendered into prompt tokens, the answer is decided by {@link simulatedDecision}, and
 * the server model decides when it arrives (or refuses it: the same `ProviderError`s the OpenAI
 * provider raises for 429, 503, 5xx). Aborting the request's signal cancels it at the server.
 * The request key is its `seed` (the model brain derives it from the run seed, the step and the
 * agent), so every design that sends an agent's step gets the same draws.
 *
 * @example
 * const clock = new VirtualClock();
 * const server = createServerModel(apiProfile, { clock, seed: 1 });
 * const provider = new SimulatedServerProvider({ server, clock, seed: 1 });
 * const router = new ModelRouter({ clock, endpoints: [{ id: 'api', provider, model: 'm', maxConcurrency: 64, timeoutMs: 60_000 }], tiers: { fast: ['api'] } });
 */
export class SimulatedServerProvider implements ModelProvider {
  readonly id: string;
  readonly kind = 'scripted' as const;
  readonly #options: SimulatedServerProviderOptions;
  readonly #tokens = new TokenCache();

  constructor(options: SimulatedServerProviderOptions) {
    this.#options = options;
    this.id = options.id ?? 'simulated';
  }

  /** @throws {@link ProviderError} as an HTTP provider would: 429, 503, 5xx, aborted, timed out. */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    const { server, clock, seed } = this.#options;
    const signal = request.signal;
    if (signal?.aborted) throw errorFromAbort(signal, this.id);
    const key = requestKey(request);
    const tools: DecisionTool[] = (request.tools ?? []).map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
      parameters: tool.function.parameters,
    }));
    const messages = request.messages.map((message) => ({ role: message.role, content: message.content }));
    const decision = simulatedDecision(
      { messages, tools, ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }) },
      key,
      seed,
      this.#options.replyLength ?? defaultReplyLength,
    );
    const job: ServerJob & { prompt: PromptTokens } = {
      key,
      prompt: renderPrompt({ messages, tools }, this.#options.layout ?? 'as-sent', this.#tokens),
      outputTokens: decision.outputTokens,
      maxTokens: request.maxTokens ?? 768,
    };
    this.#options.onSubmit?.(job, request);
    const started = clock.now();
    const handle = server.submit(job);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        reject(errorFromAbort(signal as AbortSignal, this.id));
        handle.cancel();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      const outcome = await Promise.race([handle.outcome, aborted]);
      if (signal?.aborted) throw errorFromAbort(signal, this.id);
      if (!outcome.ok) {
        const headers = {
          ...outcome.headers,
          ...(outcome.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(outcome.retryAfterMs) }),
        };
        throw errorFromStatus(outcome.status, headers, outcome.message, this.id);
      }
      return {
        text: decision.text,
        toolCalls: decision.toolCalls.map((call, index) => ({ id: `call_${key}_${index}`, ...call })),
        usage: {
          promptTokens: outcome.promptTokens,
          completionTokens: outcome.completionTokens,
          cachedPromptTokens: outcome.cachedTokens,
        },
        latencyMs: clock.now() - started,
        finishReason: decision.toolCalls.length > 0 ? 'tool_calls' : 'stop',
        model: request.model,
      };
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The workload key of a request: its seed, or (without one) a hash of its last message. */
export function requestKey(request: { seed?: number; messages: ReadonlyArray<{ content: string }> }): string {
  if (request.seed !== undefined) return String(request.seed);
  let hash = 0x811c9dc5;
  const text = request.messages.at(-1)?.content ?? '';
  for (let index = 0; index < text.length; index++)
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return `text-${hash >>> 0}`;
}
