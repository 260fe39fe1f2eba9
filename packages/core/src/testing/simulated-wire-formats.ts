import type { IncomingHttpHeaders } from 'node:http';
import type { NormalisedReply } from './simulated-behaviour';
import type { SimulatedChatRequest } from './simulated-server-types';

/** Prompt and completion token counts the server reports. */
export interface SimulatedUsage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

type JsonObject = Record<string, unknown>;

function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {};
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      const block = asObject(part);
      if (typeof block.text === 'string') return block.text;
      if (block.type === 'tool_result') return textOf(block.content);
      if (block.type === 'tool_use') return JSON.stringify(block.input ?? {});
      return '';
    })
    .join('');
}

/** Reads an OpenAI chat-completions body. */
export function parseOpenAIRequest(
  body: JsonObject,
  index: number,
  headers: IncomingHttpHeaders,
): SimulatedChatRequest {
  const messages = (Array.isArray(body.messages) ? body.messages : []).map((raw) => {
    const message = asObject(raw);
    const calls = Array.isArray(message.tool_calls) ? JSON.stringify(message.tool_calls) : '';
    return { role: String(message.role ?? 'user'), content: textOf(message.content) + calls };
  });
  const tools = (Array.isArray(body.tools) ? body.tools : []).map((raw) => {
    const tool = asObject(asObject(raw).function);
    return {
      name: String(tool.name ?? ''),
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      parameters: asObject(tool.parameters),
    };
  });
  const choice = body.tool_choice;
  const toolChoice =
    typeof choice === 'string'
      ? choice
      : choice
        ? String(asObject(asObject(choice).function).name ?? 'required')
        : undefined;
  const format = asObject(body.response_format);
  let responseFormat: SimulatedChatRequest['responseFormat'];
  if (format.type === 'json_object') responseFormat = { type: 'json_object' };
  if (format.type === 'json_schema') {
    const schema = asObject(format.json_schema);
    responseFormat = {
      type: 'json_schema',
      name: String(schema.name ?? 'answer'),
      schema: asObject(schema.schema),
    };
  }
  return {
    api: 'openai',
    index,
    model: String(body.model ?? ''),
    stream: body.stream === true,
    messages,
    tools,
    ...(toolChoice === undefined ? {} : { toolChoice }),
    ...(responseFormat === undefined ? {} : { responseFormat }),
    body,
    headers,
  };
}

/** Reads an Anthropic Messages body (the system prompt becomes the first message). */
export function parseAnthropicRequest(
  body: JsonObject,
  index: number,
  headers: IncomingHttpHeaders,
): SimulatedChatRequest {
  const messages: SimulatedChatRequest['messages'] = [];
  const system = textOf(body.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const raw of Array.isArray(body.messages) ? body.messages : []) {
    const message = asObject(raw);
    const blocks = Array.isArray(message.content) ? message.content.map(asObject) : [];
    const isToolResult = blocks.length > 0 && blocks.every((block) => block.type === 'tool_result');
    messages.push({
      role: isToolResult ? 'tool' : String(message.role ?? 'user'),
      content: textOf(message.content),
    });
  }
  const tools = (Array.isArray(body.tools) ? body.tools : []).map((raw) => {
    const tool = asObject(raw);
    return {
      name: String(tool.name ?? ''),
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      parameters: asObject(tool.input_schema),
    };
  });
  const choice = asObject(body.tool_choice);
  const toolChoice =
    choice.type === 'any'
      ? 'required'
      : choice.type === 'tool'
        ? String(choice.name)
        : (choice.type as string | undefined);
  return {
    api: 'anthropic',
    index,
    model: String(body.model ?? ''),
    stream: body.stream === true,
    messages,
    tools,
    ...(toolChoice === undefined ? {} : { toolChoice }),
    body,
    headers,
  };
}

/** An error body in the API's own format. */
export function errorBody(api: 'openai' | 'anthropic', status: number, message: string): JsonObject {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 503
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';
  return api === 'anthropic'
    ? { type: 'error', error: { type, message } }
    : { error: { message, type, code: status } };
}

function pieces(text: string, size: number): string[] {
  const result: string[] = [];
  for (let start = 0; start < text.length; start += size) result.push(text.slice(start, start + size));
  return result;
}

function openAIUsage(usage: SimulatedUsage): JsonObject {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
  };
}

/** A non-streaming chat completion. */
export function openAICompletion(
  reply: NormalisedReply,
  model: string,
  usage: SimulatedUsage,
  id: string,
): JsonObject {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text === '' && reply.toolCalls.length > 0 ? null : reply.text,
          ...(reply.toolCalls.length > 0
            ? {
                tool_calls: reply.toolCalls.map((call, position) => ({
                  id: `call_${id}_${position}`,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        finish_reason: reply.finishReason,
      },
    ],
    usage: openAIUsage(usage),
  };
}

/**
 * The SSE frames of a streamed completion: role, text pieces, tool-call deltas (name first, then
 * argument pieces), the finish chunk, the usage chunk when asked for, and `[DONE]`. `bodyFrames`
 * is how many frames come before the finish chunk (what a truncated stream sends half of).
 */
export function openAIStreamFrames(
  reply: NormalisedReply,
  model: string,
  usage: SimulatedUsage,
  id: string,
  includeUsage: boolean,
): { frames: string[]; bodyFrames: number } {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: JsonObject, finishReason: string | null = null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  const frames = [chunk({ role: 'assistant', content: '' })];
  for (const piece of pieces(reply.text, 8)) frames.push(chunk({ content: piece }));
  reply.toolCalls.forEach((call, position) => {
    frames.push(
      chunk({
        tool_calls: [
          {
            index: position,
            id: `call_${id}_${position}`,
            type: 'function',
            function: { name: call.name, arguments: '' },
          },
        ],
      }),
    );
    for (const piece of pieces(call.arguments, 8)) {
      frames.push(chunk({ tool_calls: [{ index: position, function: { arguments: piece } }] }));
    }
  });
  const bodyFrames = frames.length;
  frames.push(chunk({}, reply.finishReason));
  if (includeUsage) {
    frames.push(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: openAIUsage(usage) })}\n\n`,
    );
  }
  frames.push('data: [DONE]\n\n');
  return { frames, bodyFrames };
}

const anthropicStopReasons = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens' } as const;

function anthropicUsage(usage: SimulatedUsage): JsonObject {
  return {
    input_tokens: usage.promptTokens - usage.cachedTokens,
    output_tokens: usage.completionTokens,
    cache_read_input_tokens: usage.cachedTokens,
    cache_creation_input_tokens: 0,
  };
}

function toolInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Anthropic's input is always JSON; a malformed reply shows up as a string input.
    return text;
  }
}

/** A non-streaming Anthropic message. */
export function anthropicMessage(
  reply: NormalisedReply,
  model: string,
  usage: SimulatedUsage,
  id: string,
): JsonObject {
  const content: JsonObject[] = [];
  if (reply.text) content.push({ type: 'text', text: reply.text });
  reply.toolCalls.forEach((call, position) => {
    content.push({
      type: 'tool_use',
      id: `toolu_${id}_${position}`,
      name: call.name,
      input: toolInput(call.arguments),
    });
  });
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: anthropicStopReasons[reply.finishReason],
    stop_sequence: null,
    usage: anthropicUsage(usage),
  };
}

/** The SSE frames of a streamed Anthropic message (`event:` + `data:` pairs). */
export function anthropicStreamFrames(
  reply: NormalisedReply,
  model: string,
  usage: SimulatedUsage,
  id: string,
): { frames: string[]; bodyFrames: number } {
  const frame = (event: string, data: JsonObject): string =>
    `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
  const frames = [
    frame('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...anthropicUsage(usage), output_tokens: 1 },
      },
    }),
    frame('ping', {}),
  ];
  let index = 0;
  if (reply.text) {
    frames.push(frame('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const piece of pieces(reply.text, 8))
      frames.push(frame('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    frames.push(frame('content_block_stop', { index }));
    index += 1;
  }
  for (const [position, call] of reply.toolCalls.entries()) {
    frames.push(
      frame('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: `toolu_${id}_${position}`, name: call.name, input: {} },
      }),
    );
    for (const piece of pieces(call.arguments, 8)) {
      frames.push(
        frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }),
      );
    }
    frames.push(frame('content_block_stop', { index }));
    index += 1;
  }
  const bodyFrames = frames.length;
  frames.push(
    frame('message_delta', {
      delta: { stop_reason: anthropicStopReasons[reply.finishReason], stop_sequence: null },
      usage: { output_tokens: usage.completionTokens },
    }),
  );
  frames.push(frame('message_stop', {}));
  return { frames, bodyFrames };
}
