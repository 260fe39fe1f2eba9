import type { z } from 'zod';
import { parseJsonReply, parseToolArguments } from './json-reply';
import type { ModelRouter } from './router';
import type { ChatCallOptions, RoutedChatResponse } from './router-types';
import {
  type AttemptRecord,
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  ProviderError,
} from './types';

/** Reads a parsed JSON value into a typed one, or says what is wrong with it. */
export type ValueParser<T> = (value: unknown) => { ok: true; value: T } | { ok: false; error: string };

/** Options of {@link chatStructured}. */
export interface StructuredCallOptions<T> extends ChatCallOptions {
  /** Validates the JSON the model gave (see {@link zodParser}). */
  parse: ValueParser<T>;
  /** Where the JSON is: the first tool call's arguments, or the reply text. @defaultValue `'tool'` when the request offers tools, else `'text'` */
  source?: 'tool' | 'text';
  /** Model calls in all, the first included; each retry shows the model what was wrong. @defaultValue 3 */
  maxAttempts?: number;
}

/** A validated value and how it was obtained. */
export interface StructuredResult<T> {
  value: T;
  /** The reply the value came from. */
  response: ChatResponse;
  /** The name of the tool the value came from (`source: 'tool'`). */
  toolName?: string;
  /** Every routed call made, in order; their attempt records hold tokens and cost. */
  calls: RoutedChatResponse[];
  /** True when the JSON had to be extracted or repaired. */
  repaired: boolean;
}

/**
 * Asks for a structured value and insists on a valid one: the reply's JSON (tool arguments or
 * text, repaired with `jsonrepair` when needed) is checked by `parse`; when it fails, the reply and
 * the validation error are appended to the conversation and the model is asked again, at most
 * `maxAttempts` calls in all (each call has the router's own retries for transport failures).
 *
 * @throws {@link ProviderError} `PROVIDER_MALFORMED_REPLY` (not retryable) when no reply was valid,
 * with `attempts` of every call; or whatever the router throws.
 * @example
 * const { value } = await chatStructured(router, 'smart', request, { parse: zodParser(StateUpdate), runId, step });
 */
export async function chatStructured<T>(
  router: Pick<ModelRouter, 'chat'>,
  target: string,
  request: ChatRequest,
  options: StructuredCallOptions<T>,
): Promise<StructuredResult<T>> {
  const source = options.source ?? (request.tools && request.tools.length > 0 ? 'tool' : 'text');
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const calls: RoutedChatResponse[] = [];
  const messages: ChatMessage[] = [...request.messages];
  let problem = '';
  for (let round = 1; round <= maxAttempts; round += 1) {
    // Unusable replies come back here (the router does not retry them blindly) so the model sees why.
    const routed = await routedCall(router, target, { ...request, messages: [...messages] }, options, calls);
    calls.push(routed);
    const { response } = routed;
    const call = response.toolCalls[0];
    const offered = (request.tools ?? []).map((tool) => tool.function.name);
    const read =
      source === 'text'
        ? parseJsonReply(response.text)
        : !call
          ? { ok: false as const, error: `you did not call a tool; call one of: ${offered.join(', ')}` }
          : offered.length > 0 && !offered.includes(call.name)
            ? {
                ok: false as const,
                error: `there is no tool ${JSON.stringify(call.name)}; call one of: ${offered.join(', ')}`,
              }
            : parseToolArguments(call);
    if (read.ok) {
      const checked = options.parse(read.value);
      if (checked.ok) {
        return {
          value: checked.value,
          response,
          calls,
          repaired: read.repaired,
          ...(call && source === 'tool' ? { toolName: call.name } : {}),
        };
      }
      problem = checked.error;
    } else {
      problem = read.error;
    }
    messages.push(...feedback(response, source, problem));
  }
  const failure = new ProviderError(
    'PROVIDER_MALFORMED_REPLY',
    `no valid reply after ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}: ${problem}`,
    { retryable: false },
  );
  failure.attempts = calls.flatMap((call): AttemptRecord[] => call.attempts);
  throw failure;
}

async function routedCall(
  router: Pick<ModelRouter, 'chat'>,
  target: string,
  request: ChatRequest,
  options: ChatCallOptions,
  earlier: RoutedChatResponse[],
): Promise<RoutedChatResponse> {
  try {
    return await router.chat(target, request, { ...options, checkReply: false });
  } catch (error) {
    if (error instanceof ProviderError) {
      error.attempts = [...earlier.flatMap((call) => call.attempts), ...(error.attempts ?? [])];
    }
    throw error;
  }
}

/** The turn that shows the model its invalid reply and what was wrong with it. */
function feedback(response: ChatResponse, source: 'tool' | 'text', problem: string): ChatMessage[] {
  const call = response.toolCalls[0];
  if (source === 'tool' && call) {
    return [
      { role: 'assistant', content: response.text, toolCalls: response.toolCalls },
      ...response.toolCalls.map((toolCall) => ({
        role: 'tool' as const,
        toolCallId: toolCall.id,
        content:
          toolCall === call
            ? `Error: the arguments are not valid: ${problem}. Call the tool again with corrected arguments.`
            : 'Not run: fix the first call.',
      })),
    ];
  }
  return [
    { role: 'assistant', content: response.text },
    { role: 'user', content: `Your reply is not valid: ${problem}. Answer again with corrected JSON only.` },
  ];
}

/**
 * A {@link ValueParser} from a zod schema; problems are listed as `path: message`.
 * @example
 * const parse = zodParser(z.object({ price: z.number().min(0) }));
 */
export function zodParser<Schema extends z.ZodType>(schema: Schema): ValueParser<z.output<Schema>> {
  return (value) => {
    const result = schema.safeParse(value);
    if (result.success) return { ok: true, value: result.data };
    return {
      ok: false,
      error: result.error.issues
        .map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
        .join('; '),
    };
  };
}
