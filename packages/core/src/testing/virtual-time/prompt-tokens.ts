/**
 * Prompt tokens for the simulated servers: a deterministic, BPE-like tokenizer over the real prompt
 * text, and the chain of 16-token block hashes that prefix caches key on (vLLM's automatic prefix
 * caching hashes each full block together with everything before it).
 */

/** Tokens per cache block, as in vLLM's paged KV cache (`--block-size 16`, its default). */
export const cacheBlockTokens = 16;

/** A prompt as a simulated server sees it: its length and the hashes its cache is keyed on. */
export interface PromptBlocks {
  /** Prompt tokens. */
  length: number;
  /**
   * `blockHashes[k]` identifies tokens `0 … 16(k+1)−1`: a hash of block `k` chained to the hash
   * of block `k−1`. Only full blocks are hashed (a partial last block is never cached).
   */
  blockHashes: Float64Array;
}

/** A rendered prompt: its tokens, and its {@link PromptBlocks}. */
export interface PromptTokens extends PromptBlocks {
  /** Token ids, in order. */
  tokens: Uint32Array;
}

/** Where the parts of a chat request go in the rendered prompt. */
export type PromptLayout =
  /** As sent: tool definitions, then the messages in order (what OpenAI, Anthropic and chat templates do). */
  | 'as-sent'
  /** Cache-hostile: the messages in reverse order, then the tool definitions — the per-agent part first. */
  | 'agent-first';

/** A chat request reduced to what is rendered into the prompt. */
export interface RenderableRequest {
  messages: ReadonlyArray<{ role: string; content: string }>;
  /** Tool definitions (any JSON shape); rendered as JSON. */
  tools?: readonly unknown[];
}

const roleMarkers: Record<string, number> = { system: 1, user: 2, assistant: 3, tool: 4 };
const toolsMarker = 5;

/**
 * Splits text into tokens the way byte-pair encoders roughly do (cl100k, Llama 3): a word with its
 * leading space is one token up to 6 letters and continues in 6-letter pieces; digits go in groups
 * of up to three; punctuation in pairs; a run of newlines or of spaces is one token. About 4
 * characters a token on English prose, a little less on JSON. Token ids are 32-bit hashes of the
 * token's text, so equal text always gives equal ids.
 *
 * @example
 * tokenize('Hello world, 2025!'); // "Hello", " world", ",", " ", "202", "5", "!"
 */
export function tokenize(text: string): Uint32Array {
  const output = new Uint32Array(text.length + 1);
  let count = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    let hash = 0x811c9dc5;
    let code = text.charCodeAt(index);
    let taken = 0;
    if (code === 32 && index + 1 < length && isLetter(text.charCodeAt(index + 1))) {
      // A leading space belongs to the word after it.
      hash = Math.imul(hash ^ code, 0x01000193);
      index += 1;
      code = text.charCodeAt(index);
    }
    if (isLetter(code)) {
      while (index < length && taken < 6 && isLetter(text.charCodeAt(index))) {
        hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
        index += 1;
        taken += 1;
      }
    } else if (code >= 48 && code <= 57) {
      while (index < length && taken < 3) {
        const digit = text.charCodeAt(index);
        if (digit < 48 || digit > 57) break;
        hash = Math.imul(hash ^ digit, 0x01000193);
        index += 1;
        taken += 1;
      }
    } else if (code === 10 || code === 32 || code === 9 || code === 13) {
      while (index < length && text.charCodeAt(index) === code) {
        hash = Math.imul(hash ^ code, 0x01000193);
        index += 1;
      }
    } else {
      while (index < length && taken < 2) {
        const next = text.charCodeAt(index);
        if (isLetter(next) || (next >= 48 && next <= 57) || next === 32 || next === 10) break;
        hash = Math.imul(hash ^ next, 0x01000193);
        index += 1;
        taken += 1;
      }
      if (taken === 0) {
        hash = Math.imul(hash ^ code, 0x01000193);
        index += 1;
      }
    }
    output[count++] = hash >>> 0;
  }
  return output.slice(0, count);
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 39 || code >= 192;
}

/**
 * Memoises {@link tokenize} for texts that repeat across requests (the shared system prompt, the
 * tool definitions of a role). Bounded: it starts afresh past `capacity` entries.
 */
export class TokenCache {
  readonly #entries = new Map<string, Uint32Array>();
  readonly #capacity: number;

  /** @param capacity - most texts kept. @defaultValue 4096 */
  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  /** The tokens of `text`. */
  tokens(text: string): Uint32Array {
    let tokens = this.#entries.get(text);
    if (tokens === undefined) {
      tokens = tokenize(text);
      if (this.#entries.size >= this.#capacity) this.#entries.clear();
      this.#entries.set(text, tokens);
    }
    return tokens;
  }
}

/**
 * Renders a chat request into prompt tokens, the way a chat template does: a marker token per part,
 * then its text. `as-sent` puts the tool definitions first and the messages in order — what the
 * providers document (Anthropic: "tools, system, then messages"; OpenAI caches "messages, images,
 * tools" as one prefix); `agent-first` is the same text in the cache-hostile order.
 */
export function renderPrompt(
  request: RenderableRequest,
  layout: PromptLayout = 'as-sent',
  cache: TokenCache = new TokenCache(),
): PromptTokens {
  const parts: Uint32Array[] = [];
  const toolText = request.tools && request.tools.length > 0 ? JSON.stringify(request.tools) : undefined;
  const messages = layout === 'as-sent' ? request.messages : [...request.messages].reverse();
  if (layout === 'as-sent' && toolText) parts.push(Uint32Array.of(toolsMarker), cache.tokens(toolText));
  for (const message of messages) {
    // Only system prompts repeat across requests; the rest would just fill the cache.
    const tokens = message.role === 'system' ? cache.tokens(message.content) : tokenize(message.content);
    parts.push(Uint32Array.of(roleMarkers[message.role] ?? 6), tokens);
  }
  if (layout === 'agent-first' && toolText) parts.push(Uint32Array.of(toolsMarker), cache.tokens(toolText));
  let total = 0;
  for (const part of parts) total += part.length;
  const tokens = new Uint32Array(total);
  let offset = 0;
  for (const part of parts) {
    tokens.set(part, offset);
    offset += part.length;
  }
  return { tokens, length: tokens.length, blockHashes: blockHashes(tokens) };
}

/**
 * The chain of block hashes of a token sequence: one per full {@link cacheBlockTokens}-token block,
 * each covering the block and everything before it. 53-bit values (two 32-bit hashes combined), so
 * a run's million distinct blocks do not collide.
 */
export function blockHashes(tokens: Uint32Array, blockTokens: number = cacheBlockTokens): Float64Array {
  const blocks = Math.floor(tokens.length / blockTokens);
  const hashes = new Float64Array(blocks);
  let first = 0x811c9dc5;
  let second = 0x9747b28c;
  for (let block = 0; block < blocks; block++) {
    const start = block * blockTokens;
    for (let index = start; index < start + blockTokens; index++) {
      const token = tokens[index] as number;
      first = Math.imul(first ^ token, 0x01000193);
      second = Math.imul(second ^ token, 0x5bd1e995);
      second ^= second >>> 15;
    }
    hashes[block] = (first & 0x1fffff) * 0x100000000 + (second >>> 0);
  }
  return hashes;
}

/**
 * Tokens of `prompts` that a perfect prefix cache would still compute: every distinct prefix once
 * (the size of the token trie of the set). Computed by sorting: Σ lengths − Σ longest common
 * prefixes of neighbours in sorted order. The shared-prefix minimum of a step that follows
 * `previous` is `distinctPrefixTokens([...previous, ...current]) − distinctPrefixTokens(previous)`.
 */
export function distinctPrefixTokens(prompts: readonly Uint32Array[]): number {
  const sorted = [...prompts].sort(compareTokens);
  let total = 0;
  for (let index = 0; index < sorted.length; index++) {
    const current = sorted[index] as Uint32Array;
    total += current.length;
    if (index > 0) total -= commonPrefix(sorted[index - 1] as Uint32Array, current);
  }
  return total;
}

/** Length of the longest common prefix of two token sequences. */
export function commonPrefix(first: Uint32Array, second: Uint32Array): number {
  const length = Math.min(first.length, second.length);
  let index = 0;
  while (index < length && first[index] === second[index]) index += 1;
  return index;
}

function compareTokens(first: Uint32Array, second: Uint32Array): number {
  const shared = commonPrefix(first, second);
  if (shared === first.length || shared === second.length) return first.length - second.length;
  return (first[shared] as number) - (second[shared] as number);
}
