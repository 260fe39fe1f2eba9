import { createHash } from 'node:crypto';
import type { ChatRequest, ChatResponse } from './types';

/**
 * JSON with object keys sorted at every depth and `undefined` members left out, so equal values
 * always give equal text (and equal hashes).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = sortKeys(member);
    }
    return sorted;
  }
  return value;
}

/** Hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * SHA-256 of what a request asks the model: everything but `signal`, `stream` and `metadata`
 * (those change how and for whom it is sent, not what the model sees).
 */
export function hashRequest(request: ChatRequest): string {
  const { signal: _signal, stream: _stream, metadata: _metadata, ...content } = request;
  return sha256(canonicalJson(content));
}

/**
 * SHA-256 of what the model said: text, tool calls, finish reason, model and, for an embedding
 * call, the vectors (not latency or usage, which differ between identical answers).
 */
export function hashResponse(response: ChatResponse): string {
  return sha256(
    canonicalJson({
      text: response.text,
      toolCalls: response.toolCalls,
      finishReason: response.finishReason,
      model: response.model,
      embeddings: response.embeddings,
    }),
  );
}
