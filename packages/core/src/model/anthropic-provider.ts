import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  Tool,
  ToolChoice,
} from '@anthropic-ai/sdk/resources/messages';
import { errorFromAbort, type SdkErrorClasses, toProviderError } from './provider-errors';
import { redactUrl } from './redact';
import {
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  type FinishReason,
  type ModelProvider,
  ProviderError,
  type TokenUsage,
  type ToolCall,
} from './types';

/** Options of an {@link AnthropicProvider}. */
export interface AnthropicProviderOptions {
  /** Id used in errors and records. @defaultValue `'anthropic'` */
  id?: string;
  /** @defaultValue `https://api.anthropic.com` */
  baseUrl?: string;
  /** The API key itself (read from the variable the configuration names). */
  apiKey?: string;
  /** Anthropic requires `max_tokens`; used when the request gives none. @defaultValue 1024 */
  defaultMaxTokens?: number;
}

/**
 * The SDK's request body, plus `temperature`: this SDK version's types leave it out, but the API
 * takes it for the models that support it, so it is sent as an extra body field.
 */
type AnthropicBody = MessageCreateParamsBase & { temperature?: number };

const sdkErrors: SdkErrorClasses = {
  apiError: APIError,
  userAbortError: APIUserAbortError,
  connectionError: APIConnectionError,
  connectionTimeoutError: APIConnectionTimeoutError,
};

/**
 * A {@link ModelProvider} for Anthropic's Messages API on `@anthropic-ai/sdk`, retries off.
 * System messages become the `system` prompt, OpenAI tool schemas become Anthropic tools,
 * `tool_use` blocks become {@link ToolCall}s (arguments = the input as JSON text) and tool results
 * go back as `tool_result` blocks. A `json_schema` response format is served by forcing a tool
 * whose input schema is that schema; its input comes back as the reply text.
 *
 * Usage: `promptTokens` = input + cache-read + cache-write tokens (Anthropic's `input_tokens`
 * leaves the cached ones out), `cachedPromptTokens` = `cache_read_input_tokens`.
 */
export class AnthropicProvider implements ModelProvider {
  readonly id: string;
  readonly kind = 'anthropic' as const;
  readonly baseUrl: string;
  readonly #client: Anthropic;
  readonly #defaultMaxTokens: number;

  constructor(options: AnthropicProviderOptions = {}) {
    this.id = options.id ?? 'anthropic';
    this.baseUrl = options.baseUrl ?? 'https://api.anthropic.com';
    this.#defaultMaxTokens = options.defaultMaxTokens ?? 1024;
    this.#client = new Anthropic({
      // A placeholder keeps the SDK from looking up keys or profiles on its own.
      apiKey: options.apiKey ?? 'sandtable-no-key',
      baseURL: this.baseUrl,
      maxRetries: 0,
      timeout: 10 * 60 * 1000,
    });
  }

  /** @throws {@link ProviderError} */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    if (request.embed) {
      throw new ProviderError(
        'PROVIDER_BAD_REQUEST',
        `${this.id}: Anthropic's API serves no embeddings; give the embedding tier an OpenAI-compatible endpoint`,
        { providerId: this.id },
      );
    }
    const started = performance.now();
    const { body, jsonToolName } = this.#body(request);
    const signal = request.signal;
    try {
      let message: AssembledMessage;
      if (request.stream) {
        const stream = await this.#client.messages.create(
          { ...body, stream: true },
          signal ? { signal } : {},
        );
        const assembler = new EventAssembler();
        for await (const event of stream) assembler.add(event);
        if (signal?.aborted) throw errorFromAbort(signal, this.id);
        message = assembler.finish(this.id);
      } else {
        message = fromMessage(
          await this.#client.messages.create({ ...body, stream: false }, signal ? { signal } : {}),
        );
      }
      return toChatResponse(message, request.model, performance.now() - started, jsonToolName);
    } catch (error) {
      throw toProviderError(error, this.id, sdkErrors, signal);
    }
  }

  /** Lists model ids from `GET /v1/models`. @throws {@link ProviderError} */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const ids: string[] = [];
      for await (const model of this.#client.models.list({}, signal ? { signal } : {})) ids.push(model.id);
      return ids;
    } catch (error) {
      throw toProviderError(error, this.id, sdkErrors, signal);
    }
  }

  /** What gets logged: never the key. */
  toJSON(): Record<string, unknown> {
    return { id: this.id, kind: this.kind, baseUrl: redactUrl(this.baseUrl) };
  }

  #body(request: ChatRequest): { body: AnthropicBody; jsonToolName?: string } {
    const systemParts = request.messages
      .filter((message) => message.role === 'system')
      .map((message) => message.content);
    const body: AnthropicBody = {
      model: request.model,
      max_tokens: request.maxTokens ?? this.#defaultMaxTokens,
      messages: toAnthropicMessages(request.messages),
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    const tools: Tool[] = (request.tools ?? []).map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      input_schema: { type: 'object', ...tool.function.parameters },
    }));
    let toolChoice: ToolChoice | undefined;
    if (tools.length > 0) toolChoice = mapToolChoice(request.toolChoice);
    let jsonToolName: string | undefined;
    const format = request.responseFormat;
    if (format?.type === 'json_schema' && tools.length === 0) {
      jsonToolName = format.name;
      tools.push({
        name: format.name,
        description: 'Give your answer as the input of this tool.',
        input_schema: { type: 'object', ...format.schema },
      });
      toolChoice = { type: 'tool', name: format.name };
    } else if (format) {
      systemParts.push('Reply with one JSON object only, no prose and no code fence.');
    }
    if (systemParts.length > 0) body.system = systemParts.join('\n\n');
    if (tools.length > 0) body.tools = tools;
    if (toolChoice) body.tool_choice = toolChoice;
    return jsonToolName === undefined ? { body } : { body, jsonToolName };
  }
}

function mapToolChoice(choice: ChatRequest['toolChoice']): ToolChoice {
  switch (choice) {
    case undefined:
    case 'auto':
      return { type: 'auto' };
    case 'required':
      return { type: 'any' };
    case 'none':
      return { type: 'none' };
    default: {
      const unreachable: never = choice;
      throw new Error(`unknown tool choice ${String(unreachable)}`);
    }
  }
}

/**
 * Converts the conversation (system messages left out), merging consecutive tool results into one
 * user turn as Anthropic expects.
 */
function toAnthropicMessages(messages: ChatMessage[]): MessageParam[] {
  const result: MessageParam[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        result.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        if (!message.toolCalls || message.toolCalls.length === 0) {
          result.push({ role: 'assistant', content: message.content });
          break;
        }
        const blocks: ContentBlockParam[] = message.content ? [{ type: 'text', text: message.content }] : [];
        for (const call of message.toolCalls) {
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseInput(call.arguments) });
        }
        result.push({ role: 'assistant', content: blocks });
        break;
      }
      case 'tool': {
        const block: ContentBlockParam = {
          type: 'tool_result',
          tool_use_id: message.toolCallId,
          content: message.content,
        };
        const last = result.at(-1);
        if (last?.role === 'user' && Array.isArray(last.content) && last.content.every(isToolResult)) {
          last.content.push(block);
        } else {
          result.push({ role: 'user', content: [block] });
        }
        break;
      }
      default: {
        const unreachable: never = message;
        throw new Error(`unknown message role in ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return result;
}

function isToolResult(block: unknown): boolean {
  return (block as { type?: string }).type === 'tool_result';
}

function parseInput(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Maps an Anthropic stop reason to ours. */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

interface AssembledMessage {
  model: string;
  text: string;
  toolCalls: ToolCall[];
  stopReason: string | null;
  usage: TokenUsage;
}

interface UsageLike {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function toUsage(usage: UsageLike): TokenUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  return {
    promptTokens: (usage.input_tokens ?? 0) + cached + (usage.cache_creation_input_tokens ?? 0),
    completionTokens: usage.output_tokens ?? 0,
    cachedPromptTokens: cached,
  };
}

function fromMessage(message: Message): AssembledMessage {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content ?? []) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  return {
    model: message.model,
    text,
    toolCalls,
    stopReason: message.stop_reason,
    usage: toUsage(message.usage ?? {}),
  };
}

function toChatResponse(
  message: AssembledMessage,
  requestedModel: string,
  latencyMs: number,
  jsonToolName: string | undefined,
): ChatResponse {
  let { text, toolCalls } = message;
  let finishReason = mapAnthropicStopReason(message.stopReason);
  const answer =
    jsonToolName === undefined ? undefined : toolCalls.find((call) => call.name === jsonToolName);
  if (answer) {
    // The forced "answer" tool stands in for JSON mode: its input is the reply.
    text = answer.arguments;
    toolCalls = toolCalls.filter((call) => call !== answer);
    if (finishReason === 'tool_calls' && toolCalls.length === 0) finishReason = 'stop';
  }
  return {
    text,
    toolCalls,
    usage: message.usage,
    latencyMs,
    finishReason,
    model: message.model || requestedModel,
  };
}

/** Builds one message out of streamed events; tool input arrives as partial JSON text. */
class EventAssembler {
  #model = '';
  #stopReason: string | null = null;
  #stopped = false;
  readonly #usage: UsageLike = {};
  readonly #blocks = new Map<number, { kind: 'text' | 'tool'; text: string; id: string; name: string }>();

  add(event: RawMessageStreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.#model = event.message.model;
        this.#mergeUsage(event.message.usage ?? {});
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text')
          this.#blocks.set(event.index, { kind: 'text', text: block.text ?? '', id: '', name: '' });
        else if (block.type === 'tool_use') {
          this.#blocks.set(event.index, { kind: 'tool', text: '', id: block.id, name: block.name });
        }
        break;
      }
      case 'content_block_delta': {
        const block = this.#blocks.get(event.index);
        if (!block) break;
        if (event.delta.type === 'text_delta') block.text += event.delta.text;
        else if (event.delta.type === 'input_json_delta') block.text += event.delta.partial_json;
        break;
      }
      case 'content_block_stop':
        break;
      case 'message_delta':
        if (event.delta.stop_reason) this.#stopReason = event.delta.stop_reason;
        this.#mergeUsage(event.usage ?? {});
        break;
      case 'message_stop':
        this.#stopped = true;
        break;
      default:
        break;
    }
  }

  #mergeUsage(usage: UsageLike): void {
    for (const key of [
      'input_tokens',
      'output_tokens',
      'cache_read_input_tokens',
      'cache_creation_input_tokens',
    ] as const) {
      const value = usage[key];
      if (typeof value === 'number') this.#usage[key] = value;
    }
  }

  finish(providerId: string): AssembledMessage {
    if (!this.#stopped && this.#stopReason === null) {
      throw new ProviderError(
        'PROVIDER_MALFORMED_REPLY',
        `${providerId} ended the stream before the reply was complete (no message_stop)`,
        { providerId },
      );
    }
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const [, block] of [...this.#blocks.entries()].sort(([first], [second]) => first - second)) {
      if (block.kind === 'text') text += block.text;
      else
        toolCalls.push({ id: block.id, name: block.name, arguments: block.text === '' ? '{}' : block.text });
    }
    return { model: this.#model, text, toolCalls, stopReason: this.#stopReason, usage: toUsage(this.#usage) };
  }
}
