import { jsonrepair } from 'jsonrepair';
import type { ToolCall } from './types';

/** The outcome of reading JSON out of a model's text. */
export type JsonReadResult =
  | { ok: true; value: unknown /** True when the text needed extraction or repair. */; repaired: boolean }
  | { ok: false; error: string };

const fencePattern = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/;

/**
 * Reads a JSON value out of a model's text the way small models tend to write it: bare, inside a
 * Markdown code fence, surrounded by prose, or slightly broken (trailing commas, missing quotes,
 * cut off at the end — repaired with `jsonrepair`). Never throws.
 *
 * @example
 * parseJsonReply('Sure! ```json\n{"a": 1,}\n``` Hope this helps'); // { ok: true, value: { a: 1 }, repaired: true }
 */
export function parseJsonReply(text: string): JsonReadResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'the reply is empty' };
  const direct = tryParse(trimmed);
  if (direct.ok) return { ok: true, value: direct.value, repaired: false };
  const candidates: string[] = [];
  const fenced = fencePattern.exec(trimmed)?.[1];
  if (fenced !== undefined) candidates.push(fenced.trim());
  const objectSlice = slice(trimmed, '{', '}');
  if (objectSlice !== undefined) candidates.push(objectSlice);
  const arraySlice = slice(trimmed, '[', ']');
  if (arraySlice !== undefined) candidates.push(arraySlice);
  for (const candidate of candidates) {
    const parsed = tryParse(candidate);
    if (parsed.ok) return { ok: true, value: parsed.value, repaired: true };
  }
  // Repair only text that starts like JSON: jsonrepair turns any prose into a JSON string.
  const openers = [fenced?.trim(), trimmed.slice(Math.max(0, trimmed.indexOf('{')))];
  for (const candidate of openers) {
    if (candidate === undefined || !/^[[{]/.test(candidate)) continue;
    try {
      return { ok: true, value: JSON.parse(jsonrepair(candidate)), repaired: true };
    } catch {
      // try the next candidate
    }
  }
  return { ok: false, error: `no JSON value found in the reply: ${preview(trimmed)}` };
}

/**
 * Reads a tool call's arguments as a JSON object (repairing them when needed). Arguments that are
 * not an object — or not JSON at all — come back as `{ ok: false }` with the reason.
 */
export function parseToolArguments(
  toolCall: Pick<ToolCall, 'name' | 'arguments'>,
): { ok: true; value: Record<string, unknown>; repaired: boolean } | { ok: false; error: string } {
  if (toolCall.arguments.trim() === '') return { ok: true, value: {}, repaired: false };
  const result = parseJsonReply(toolCall.arguments);
  if (!result.ok) return { ok: false, error: `arguments of tool ${toolCall.name}: ${result.error}` };
  if (result.value === null || typeof result.value !== 'object' || Array.isArray(result.value)) {
    return { ok: false, error: `arguments of tool ${toolCall.name} are not a JSON object` };
  }
  return { ok: true, value: result.value as Record<string, unknown>, repaired: result.repaired };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function slice(text: string, open: string, close: string): string | undefined {
  const start = text.indexOf(open);
  const end = text.lastIndexOf(close);
  return start >= 0 && end > start ? text.slice(start, end + 1) : undefined;
}

function preview(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}…` : JSON.stringify(text);
}
