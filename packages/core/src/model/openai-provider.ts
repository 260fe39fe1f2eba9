import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { OpenAICompatibleTransport } from './openai-compatible-transport';
import { errorFromAbort, type SdkErrorClasses, toProviderError } from './provider-errors';
import { redactUrl } from './redact';
import {
  type ChatRequest,
  type ChatResponse,
  type FinishReason,
  type ModelProvider,
  ProviderError,
  type TokenUsage,
  type ToolCall,
} from './types';

/** Options of an {@link OpenAIProvider}. */
export interface OpenAIProviderOptions {
  /** Id used in errors and records. @defaultValue `'openai'` */
  id?: string;
  /**
   * Base URL of any OpenAI-compatible server, ending in `/v1` (Ollama
   * `http://127.0.0.1:11434/v1`, LM Studio `http://127.0.0.1:1234/v1`, vLLM, SGLang, llama.cpp,
   * OpenRouter, Gemini's compatible endpoint…). @defaultValue `https://api.openai.com/v1`
   */
  baseUrl?: string;
  /**
   * The API key itself (read from the variable the configuration names; never put it in config).
   * Local servers need none; a placeholder is sent so the SDK never reads `OPENAI_API_KEY` on its
   * own and leaks it to a server it was not meant for.
   */
  apiKey?: string;
  /**
   * Also send Ollama's native `format` field (the JSON schema, or `"json"`) so Ollama decodes
   * against the schema. @defaultValue false
   */
  ollamaNativeFormat?: boolean;
  /** Which field carries `maxTokens`. Newer OpenAI models want `max_completion_tokens`. @defaultValue `'max_tokens'` */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Extra HTTP headers sent with every request (e.g. OpenRouter's `HTTP-Referer`). */
  headers?: Record<string, string>;
  /**
   * How non-streaming chat calls are sent. `'direct'`: a lean `POST /chat/completions` over
   * `node:http(s)` with a keep-alive pool, the body serialised once and the reply parsed once
   * (about half the client CPU per call of the SDK; decision 0010). `'sdk'`: through the `openai`
   * SDK. Streaming calls and `listModels` always use the SDK. Both map replies and errors the same.
   * @defaultValue `'direct'`
   */
  transport?: 'sdk' | 'direct';
}

const sdkErrors: SdkErrorClasses = {
  apiError: APIError,
  userAbortError: APIUserAbortError,
  connectionError: APIConnectionError,
  connectionTimeoutError: APIConnectionTimeoutError,
};

const noKey = 'sandtable-no-key';

/**
 * A {@link ModelProvider} for any OpenAI-compatible chat-completions server, on the official
 * `openai` SDK with its own retries off (the router retries). Supports streaming, tool calls,
 * JSON-schema output and cached-token usage; aborting the request's signal cancels the HTTP request.
 *
 * @example
 * const ollama = new OpenAIProvider({ id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', ollamaNativeFormat: true });
 * const reply = await ollama.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'Hi' }] });
 */
export class OpenAIProvider implements ModelProvider {
  readonly id: string;
  readonly kind = 'openai' as const;
  readonly baseUrl: string;
  readonly #client: OpenAI;
  readonly #ollamaNativeFormat: boolean;
  readonly #maxTokensField: 'max_tokens' | 'max_completion_tokens';
  readonly #transport: 'sdk' | 'direct';
  readonly #apiKey: string | undefined;
  readonly #headers: Record<string, string> | undefined;
  #direct: OpenAICompatibleTransport | undefined;

  constructor(options: OpenAIProviderOptions = {}) {
    this.id = options.id ?? 'openai';
    this.baseUrl = options.baseUrl ?? 'https://api.openai.com/v1';
    this.#ollamaNativeFormat = options.ollamaNativeFormat ?? false;
    this.#maxTokensField = options.maxTokensField ?? 'max_tokens';
    this.#transport = options.transport ?? 'direct';
    this.#apiKey = options.apiKey;
    this.#headers = options.headers;
    this.#client = new OpenAI({
      apiKey: options.apiKey ?? noKey,
      baseURL: this.baseUrl,
      maxRetries: 0,
      // The router owns timeouts; this only stops a forgotten call from hanging forever.
      timeout: 10 * 60 * 1000,
      ...(options.headers ? { defaultHeaders: options.headers } : {}),
    });
  }

  /** @throws {@link ProviderError} */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    if (request.embed) return this.#embed(request, request.embed.input);
    const started = performance.now();
    const body = this.#body(request);
    const signal = request.signal;
    try {
      if (request.stream) {
        const stream = await this.#client.chat.completions.create(
          { ...body, stream: true, stream_options: { include_usage: true } },
          signal ? { signal } : {},
        );
        const assembler = new ChunkAssembler();
        for await (const chunk of stream) assembler.add(chunk);
        // The SDK ends an aborted stream quietly instead of throwing.
        if (signal?.aborted) throw errorFromAbort(signal, this.id);
        return assembler.finish(request.model, performance.now() - started, this.id);
      }
      if (this.#transport === 'direct') {
        const reply = await this.#directTransport().postChat({ ...body, stream: false }, signal);
        return fromCompletion(
          asCompletion(reply, this.id),
          request.model,
          performance.now() - started,
          this.id,
        );
      }
      const completion = await this.#client.chat.completions.create(
        { ...body, stream: false },
        signal ? { signal } : {},
      );
      return fromCompletion(completion, request.model, performance.now() - started, this.id);
    } catch (error) {
      throw toProviderError(error, this.id, sdkErrors, signal);
    }
  }

  /** Built on first use so a bad base URL fails as a call's error, as with the SDK. */
  #directTransport(): OpenAICompatibleTransport {
    this.#direct ??= new OpenAICompatibleTransport({
      providerId: this.id,
      baseUrl: this.baseUrl,
      ...(this.#apiKey === undefined ? {} : { apiKey: this.#apiKey }),
      ...(this.#headers === undefined ? {} : { headers: this.#headers }),
    });
    return this.#direct;
  }

  /**
   * `POST /embeddings` with `{ model, input, encoding_format: 'float' }` (OpenAI, Ollama, vLLM,
   * llama.cpp and LM Studio all serve it), always on the direct transport. The vectors come back
   * in input order whatever order the server lists them in.
   */
  async #embed(request: ChatRequest, input: string[]): Promise<ChatResponse> {
    const started = performance.now();
    const signal = request.signal;
    try {
      const reply = await this.#directTransport().postEmbeddings(
        { model: request.model, input, encoding_format: 'float' },
        signal,
      );
      return fromEmbeddingList(reply, input.length, request.model, performance.now() - started, this.id);
    } catch (error) {
      throw toProviderError(error, this.id, sdkErrors, signal);
    }
  }

  /** Lists model ids from `GET /models`. @throws {@link ProviderError} */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const ids: string[] = [];
      for await (const model of this.#client.models.list(signal ? { signal } : {})) ids.push(model.id);
      return ids;
    } catch (error) {
      throw toProviderError(error, this.id, sdkErrors, signal);
    }
  }

  /** What gets logged: never the key. */
  toJSON(): Record<string, unknown> {
    return { id: this.id, kind: this.kind, baseUrl: redactUrl(this.baseUrl) };
  }

  #body(request: ChatRequest): ChatCompletionCreateParamsBase & Record<string, unknown> {
    const body: ChatCompletionCreateParamsBase & Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map(toOpenAIMessage),
    };
    if (request.tools && request.tools.length > 0) {
      body.tools = request.tools;
      body.tool_choice = request.toolChoice ?? 'auto';
    }
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body[this.#maxTokensField] = request.maxTokens;
    if (request.seed !== undefined) body.seed = request.seed;
    const format = request.responseFormat;
    if (format?.type === 'json_object') {
      body.response_format = { type: 'json_object' };
      if (this.#ollamaNativeFormat) body.format = 'json';
    } else if (format?.type === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: format.name, schema: format.schema },
      };
      if (this.#ollamaNativeFormat) body.format = format.schema;
    }
    return body;
  }
}

function toOpenAIMessage(message: ChatRequest['messages'][number]): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      return message.toolCalls && message.toolCalls.length > 0
        ? {
            role: 'assistant',
            content: message.content === '' ? null : message.content,
            tool_calls: message.toolCalls.map((call) => ({
              id: call.id,
              type: 'function' as const,
              function: { name: call.name, arguments: call.arguments },
            })),
          }
        : { role: 'assistant', content: message.content };
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.toolCallId };
    default: {
      const unreachable: never = message;
      throw new Error(`unknown message role in ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Maps an OpenAI finish reason (or anything a compatible server invents) to ours. */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** Some servers (older Ollama, llama.cpp) say `stop` after a tool call; a reply with tool calls is a tool-call finish. */
function finishReasonOf(reason: string | null | undefined, toolCallCount: number): FinishReason {
  const mapped = mapOpenAIFinishReason(reason);
  return mapped === 'stop' && toolCallCount > 0 ? 'tool_calls' : mapped;
}

interface UsageLike {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

function toUsage(usage: UsageLike | null | undefined): TokenUsage {
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    cachedPromptTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/** The direct path's parsed reply, checked just enough for {@link fromCompletion} to read it safely. */
function asCompletion(reply: unknown, providerId: string): ChatCompletion {
  const choices = (reply as { choices?: unknown } | null)?.choices;
  if (typeof reply !== 'object' || reply === null || (choices !== undefined && !Array.isArray(choices))) {
    throw new ProviderError(
      'PROVIDER_MALFORMED_REPLY',
      `${providerId} sent a reply that is not a chat completion`,
      {
        providerId,
      },
    );
  }
  return reply as ChatCompletion;
}

function fromCompletion(
  completion: ChatCompletion,
  requestedModel: string,
  latencyMs: number,
  providerId: string,
): ChatResponse {
  const choice = completion.choices?.[0];
  if (!choice?.message) {
    throw new ProviderError('PROVIDER_MALFORMED_REPLY', `${providerId} sent a completion without choices`, {
      providerId,
    });
  }
  const toolCalls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type === 'function') {
      toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments ?? '' });
    }
  }
  return {
    text: choice.message.content ?? '',
    toolCalls,
    usage: toUsage(completion.usage),
    latencyMs,
    finishReason: finishReasonOf(choice.finish_reason, toolCalls.length),
    model: completion.model || requestedModel,
  };
}

/** An `/embeddings` reply as a {@link ChatResponse} carrying the vectors, checked for shape. */
function fromEmbeddingList(
  reply: unknown,
  inputs: number,
  requestedModel: string,
  latencyMs: number,
  providerId: string,
): ChatResponse {
  const list = reply as {
    data?: Array<{ index?: unknown; embedding?: unknown }>;
    model?: unknown;
    usage?: UsageLike | null;
  } | null;
  const malformed = (detail: string) =>
    new ProviderError(
      'PROVIDER_MALFORMED_REPLY',
      `${providerId} sent an unusable embeddings reply: ${detail}`,
      {
        providerId,
      },
    );
  if (typeof list !== 'object' || list === null || !Array.isArray(list.data)) {
    throw malformed('no `data` list');
  }
  const embeddings = new Array<number[]>(inputs);
  list.data.forEach((item, position) => {
    const index = typeof item?.index === 'number' ? item.index : position;
    if (!Array.isArray(item?.embedding) || !item.embedding.every((value) => typeof value === 'number')) {
      throw malformed(`item ${position} has no list of numbers (a base64 encoding is not read)`);
    }
    if (index < 0 || index >= inputs)
      throw malformed(`item ${position} has index ${index} of ${inputs} inputs`);
    embeddings[index] = item.embedding as number[];
  });
  if (list.data.length !== inputs || embeddings.some((vector) => vector === undefined)) {
    throw malformed(`${list.data.length} vectors for ${inputs} inputs`);
  }
  return {
    text: '',
    toolCalls: [],
    usage: toUsage(list.usage),
    latencyMs,
    finishReason: 'stop',
    model: typeof list.model === 'string' && list.model !== '' ? list.model : requestedModel,
    embeddings,
  };
}

/** Builds one reply out of streamed chunks; tool calls arrive as deltas keyed by index. */
class ChunkAssembler {
  #text = '';
  #model = '';
  #finishReason: string | null = null;
  #usage: UsageLike | undefined;
  readonly #toolCalls = new Map<number, { id: string; name: string; arguments: string }>();

  add(chunk: ChatCompletionChunk): void {
    if (chunk.model) this.#model = chunk.model;
    if (chunk.usage) this.#usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0 && choice.index !== undefined) continue;
      if (choice.delta?.content) this.#text += choice.delta.content;
      for (const delta of choice.delta?.tool_calls ?? []) {
        // Some compatible servers leave out the index: a delta with an id starts a new call.
        const index =
          typeof delta.index === 'number'
            ? delta.index
            : delta.id || this.#toolCalls.size === 0
              ? this.#toolCalls.size
              : this.#toolCalls.size - 1;
        const call = this.#toolCalls.get(index) ?? { id: '', name: '', arguments: '' };
        if (delta.id) call.id = delta.id;
        const name = delta.function?.name;
        // Some servers repeat the full name in every delta; OpenAI sends it once.
        if (name && name !== call.name) call.name += name;
        if (delta.function?.arguments) call.arguments += delta.function.arguments;
        this.#toolCalls.set(index, call);
      }
      if (choice.finish_reason) this.#finishReason = choice.finish_reason;
    }
  }

  finish(requestedModel: string, latencyMs: number, providerId: string): ChatResponse {
    if (this.#finishReason === null) {
      throw new ProviderError(
        'PROVIDER_MALFORMED_REPLY',
        `${providerId} ended the stream before the reply was complete (no finish reason)`,
        { providerId },
      );
    }
    const toolCalls = [...this.#toolCalls.entries()]
      .sort(([first], [second]) => first - second)
      .map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
    return {
      text: this.#text,
      toolCalls,
      usage: toUsage(this.#usage),
      latencyMs,
      finishReason: finishReasonOf(this.#finishReason, toolCalls.length),
      model: this.#model || requestedModel,
    };
  }
}
