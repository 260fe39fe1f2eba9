import { parseJsonReply, parseToolArguments } from './json-reply';
import { type ChatRequest, type ChatResponse, ProviderError } from './types';

/**
 * Checks that a reply can be used, so the router can retry one that cannot: every tool call names
 * an offered tool and has arguments that are (or can be repaired into) a JSON object; a request with
 * `toolChoice: 'required'` got a tool call; a JSON-mode request got JSON (prose and code fences
 * around it are fine). Returns the problem as a retryable `PROVIDER_MALFORMED_REPLY`, or undefined.
 */
export function checkReply(
  request: ChatRequest,
  response: ChatResponse,
  providerId: string,
): ProviderError | undefined {
  if (request.embed) return checkEmbeddings(request.embed.input.length, response, providerId);
  const offered = new Set((request.tools ?? []).map((tool) => tool.function.name));
  for (const call of response.toolCalls) {
    if (offered.size > 0 && !offered.has(call.name)) {
      return malformed(
        providerId,
        `the model called ${JSON.stringify(call.name)}, which is not an offered tool (${[...offered].join(', ')})`,
      );
    }
    const parsed = parseToolArguments(call);
    if (!parsed.ok) return malformed(providerId, parsed.error);
  }
  if (request.toolChoice === 'required' && offered.size > 0 && response.toolCalls.length === 0) {
    return malformed(providerId, 'the model was required to call a tool but answered with text');
  }
  if (request.responseFormat && response.toolCalls.length === 0) {
    const parsed = parseJsonReply(response.text);
    if (!parsed.ok) return malformed(providerId, `JSON was asked for but ${parsed.error}`);
  }
  return undefined;
}

/** An embedding reply is usable when it has one finite vector per input, all of one length. */
function checkEmbeddings(
  inputs: number,
  response: ChatResponse,
  providerId: string,
): ProviderError | undefined {
  const vectors = response.embeddings;
  if (!vectors || vectors.length !== inputs) {
    return malformed(providerId, `${vectors?.length ?? 0} embeddings for ${inputs} inputs`);
  }
  const length = vectors[0]?.length ?? 0;
  if (inputs > 0 && length === 0) return malformed(providerId, 'the embeddings are empty');
  for (const vector of vectors) {
    if (vector.length !== length) return malformed(providerId, 'the embeddings differ in length');
    if (!vector.every(Number.isFinite))
      return malformed(providerId, 'an embedding holds a non-finite number');
  }
  return undefined;
}

function malformed(providerId: string, detail: string): ProviderError {
  return new ProviderError('PROVIDER_MALFORMED_REPLY', `${providerId} sent an unusable reply: ${detail}`, {
    providerId,
  });
}
