import { errorFromAbort } from './provider-errors';
import {
  type ChatRequest,
  type ChatResponse,
  type FinishReason,
  type ModelProvider,
  ProviderError,
  type TokenUsage,
  type ToolCall,
} from './types';

/** A tool call in a script: arguments may be given as an object or as raw text (e.g. broken JSON). */
export interface ScriptedToolCall {
  name: string;
  arguments: string | Record<string, unknown>;
  id?: string;
}

/** One scripted answer in full. Anything left out is filled in (usage is estimated from text). */
export interface ScriptedResponse {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  finishReason?: FinishReason;
  usage?: Partial<TokenUsage>;
  /** Simulated latency of this answer in milliseconds. @defaultValue the model's `latencyMs` */
  latencyMs?: number;
}

/**
 * What a script yields for one request: plain text, a full response, or an `Error` to throw (use a
 * {@link ProviderError} to simulate provider failures).
 */
export type ScriptedReply = string | ScriptedResponse | Error;

/** Options of a {@link ScriptedModel}. */
export interface ScriptedModelOptions {
  /**
   * The replies, in order, or a function of the request (and its 0-based index) returning one.
   * @defaultValue a function that calls the first offered tool with `{}`, or answers `"ok"`
   */
  replies?:
    | ScriptedReply[]
    | ((request: ChatRequest, index: number) => ScriptedReply | Promise<ScriptedReply>);
  /** After the list runs out, repeat its last reply instead of failing. @defaultValue false */
  repeatLast?: boolean;
  /** @defaultValue `'scripted'` */
  id?: string;
  /** Model name reported in responses when the request names none. @defaultValue `'scripted-model'` */
  model?: string;
  /** Delay before each answer, in milliseconds (aborting the request's signal cuts it short). @defaultValue 0 */
  latencyMs?: number;
}

/**
 * A {@link ModelProvider} whose answers come from a script: a list or a function of the request.
 * It records every request it saw, so tests can assert on prompts. Use it to test your own
 * scenarios and brains without a model server.
 *
 * @example
 * const model = new ScriptedModel({
 *   replies: [ScriptedModel.toolCall('post_message', { text: 'Hello' }), 'I am done.'],
 * });
 * const reply = await model.chat({ model: 'any', messages: [{ role: 'user', content: 'Go' }] });
 * model.requests.length; // 1
 */
export class ScriptedModel implements ModelProvider {
  readonly id: string;
  readonly kind = 'scripted' as const;
  readonly #options: ScriptedModelOptions;
  readonly #requests: ChatRequest[] = [];

  constructor(options: ScriptedModelOptions = {}) {
    this.#options = options;
    this.id = options.id ?? 'scripted';
  }

  /** A reply that calls one tool. */
  static toolCall(name: string, argumentsValue: Record<string, unknown> | string = {}): ScriptedResponse {
    return { toolCalls: [{ name, arguments: argumentsValue }] };
  }

  /** Every request seen so far, in order (signals included, as sent). */
  get requests(): readonly ChatRequest[] {
    return this.#requests;
  }

  /**
   * Answers from the script.
   * @throws {@link ProviderError} `PROVIDER_SCRIPT_EXHAUSTED` when a list runs out, `PROVIDER_ABORTED`
   * when the signal fires, or whatever error the script yields.
   */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    const index = this.#requests.length;
    this.#requests.push(request);
    if (request.signal?.aborted) throw errorFromAbort(request.signal, this.id);
    const reply = await this.#replyFor(request, index);
    if (reply instanceof Error) throw reply;
    const response = typeof reply === 'string' ? { text: reply } : reply;
    const latencyMs = response.latencyMs ?? this.#options.latencyMs ?? 0;
    if (latencyMs > 0) await delay(latencyMs, request.signal, this.id);
    const toolCalls: ToolCall[] = (response.toolCalls ?? []).map((call, position) => ({
      id: call.id ?? `call_${index}_${position}`,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    }));
    const text = response.text ?? '';
    const promptText = request.messages.map((message) => message.content).join('\n');
    return {
      text,
      toolCalls,
      usage: {
        promptTokens: response.usage?.promptTokens ?? estimateTokens(promptText),
        completionTokens:
          response.usage?.completionTokens ??
          estimateTokens(text + toolCalls.map((call) => call.arguments).join('')),
        cachedPromptTokens: response.usage?.cachedPromptTokens ?? 0,
      },
      latencyMs,
      finishReason: response.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      model: request.model || this.#options.model || 'scripted-model',
    };
  }

  /** The model names this script answers to. */
  async listModels(): Promise<string[]> {
    return [this.#options.model ?? 'scripted-model'];
  }

  async #replyFor(request: ChatRequest, index: number): Promise<ScriptedReply> {
    const replies = this.#options.replies;
    if (replies === undefined) return defaultReply(request);
    if (typeof replies === 'function') return replies(request, index);
    const reply = replies[index] ?? (this.#options.repeatLast ? replies.at(-1) : undefined);
    if (reply === undefined) {
      throw new ProviderError(
        'PROVIDER_SCRIPT_EXHAUSTED',
        `${this.id} has ${replies.length} scripted replies but was asked a request number ${index + 1}`,
        { providerId: this.id },
      );
    }
    return reply;
  }
}

function defaultReply(request: ChatRequest): ScriptedReply {
  const tool = request.tools?.[0];
  if (tool && request.toolChoice !== 'none') return ScriptedModel.toolCall(tool.function.name, {});
  return request.responseFormat ? '{}' : 'ok';
}

/** A rough token count (4 characters a token), for scripted usage. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function delay(milliseconds: number, signal: AbortSignal | undefined, providerId: string): Promise<void> {
  if (signal?.aborted) return Promise.reject(errorFromAbort(signal, providerId));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(errorFromAbort(signal as AbortSignal, providerId));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
