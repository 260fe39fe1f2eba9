import { cacheBlockTokens, type PromptBlocks } from './prompt-tokens';

/** Options of a {@link PrefixCache}. */
export interface PrefixCacheOptions {
  /** Granularity of hits in tokens, a multiple of 16 (16 for vLLM, 128 for OpenAI's prompt cache). */
  blockTokens: number;
  /** Most blocks kept; the least recently used go first. */
  capacityBlocks: number;
  /** Prompts shorter than this are never served from the cache (OpenAI: 1024). @defaultValue 0 */
  minimumPromptTokens?: number;
}

/**
 * A prompt-prefix cache over hashed token blocks with least-recently-used eviction, like vLLM's
 * automatic prefix caching: a prompt's leading full blocks that are cached are not computed again.
 * A block is found only if every block before it is (the hashes are chained), and when a prompt is
 * stored its later blocks are evicted before its earlier ones (a shared head outlives its tails).
 */
export class PrefixCache {
  readonly #blocks: LeastRecentlyUsedSet;
  readonly #stride: number;
  readonly #minimum: number;

  constructor(options: PrefixCacheOptions) {
    this.#stride = Math.max(1, Math.round(options.blockTokens / cacheBlockTokens));
    this.#blocks = new LeastRecentlyUsedSet(Math.max(1, Math.floor(options.capacityBlocks)));
    this.#minimum = options.minimumPromptTokens ?? 0;
  }

  /** Blocks held now. */
  get size(): number {
    return this.#blocks.size;
  }

  /** Tokens per block. */
  get blockTokens(): number {
    return this.#stride * cacheBlockTokens;
  }

  /**
   * How many leading tokens of the prompt are cached, stores the rest of its full blocks and marks
   * all of them recently used. The result is a multiple of {@link blockTokens}, and 0 for prompts
   * under the minimum.
   */
  lookupAndStore(prompt: PromptBlocks): number {
    const hits = this.#leadingHits(prompt);
    const hashes = prompt.blockHashes;
    // Touch from the last block to the first, so the head ends up most recently used.
    for (let block = Math.floor(hashes.length / this.#stride) - 1; block >= 0; block--) {
      this.#blocks.touch(hashes[(block + 1) * this.#stride - 1] as number);
    }
    return prompt.length < this.#minimum ? 0 : hits * this.blockTokens;
  }

  /** How many leading tokens of the prompt are cached, without changing anything. */
  peek(prompt: PromptBlocks): number {
    return prompt.length < this.#minimum ? 0 : this.#leadingHits(prompt) * this.blockTokens;
  }

  #leadingHits(prompt: PromptBlocks): number {
    const hashes = prompt.blockHashes;
    const blocks = Math.floor(hashes.length / this.#stride);
    let hits = 0;
    while (hits < blocks && this.#blocks.has(hashes[(hits + 1) * this.#stride - 1] as number)) hits += 1;
    return hits;
  }
}

/**
 * A set of numbers with a fixed capacity that forgets the least recently touched one: a hash map
 * into a doubly linked list kept in typed arrays (constant time per operation, no garbage).
 */
class LeastRecentlyUsedSet {
  readonly #slots = new Map<number, number>();
  readonly #keys: Float64Array;
  readonly #previous: Int32Array;
  readonly #next: Int32Array;
  /** Most recently used slot, or −1. */
  #head = -1;
  /** Least recently used slot, or −1. */
  #tail = -1;
  #used = 0;

  constructor(capacity: number) {
    this.#keys = new Float64Array(capacity);
    this.#previous = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
  }

  get size(): number {
    return this.#slots.size;
  }

  has(key: number): boolean {
    return this.#slots.has(key);
  }

  /** Adds the key (evicting the least recently used one when full) or marks it most recently used. */
  touch(key: number): void {
    let slot = this.#slots.get(key);
    if (slot !== undefined) {
      if (slot === this.#head) return;
      this.#unlink(slot);
    } else if (this.#used < this.#keys.length) {
      slot = this.#used;
      this.#used += 1;
    } else {
      slot = this.#tail;
      this.#unlink(slot);
      this.#slots.delete(this.#keys[slot] as number);
    }
    if (slot === undefined || slot < 0) return;
    this.#keys[slot] = key;
    this.#slots.set(key, slot);
    this.#previous[slot] = -1;
    this.#next[slot] = this.#head;
    if (this.#head >= 0) this.#previous[this.#head] = slot;
    this.#head = slot;
    if (this.#tail < 0) this.#tail = slot;
  }

  #unlink(slot: number): void {
    const previous = this.#previous[slot] as number;
    const next = this.#next[slot] as number;
    if (previous >= 0) this.#next[previous] = next;
    else this.#head = next;
    if (next >= 0) this.#previous[next] = previous;
    else this.#tail = previous;
  }
}
