import { describe, expect, it } from 'vitest';
import { PrefixCache } from './prefix-cache';
import { blockHashes } from './prompt-tokens';

function prompt(...blocks: number[]) {
  const tokens = new Uint32Array(blocks.length * 16);
  for (const [block, value] of blocks.entries()) tokens.fill(value, block * 16, block * 16 + 16);
  return { length: tokens.length, blockHashes: blockHashes(tokens) };
}

describe('PrefixCache', () => {
  it('serves the cached head of a prompt in whole blocks', () => {
    const cache = new PrefixCache({ blockTokens: 16, capacityBlocks: 100 });
    expect(cache.lookupAndStore(prompt(1, 2, 3))).toBe(0);
    expect(cache.lookupAndStore(prompt(1, 2, 9))).toBe(32);
    expect(cache.peek(prompt(1, 2, 3))).toBe(48);
  });

  it('evicts the least recently used blocks, a prompt’s tail before its head', () => {
    const cache = new PrefixCache({ blockTokens: 16, capacityBlocks: 3 });
    cache.lookupAndStore(prompt(1, 2, 3));
    cache.lookupAndStore(prompt(7));
    expect(cache.size).toBe(3);
    expect(cache.peek(prompt(1, 2, 3))).toBe(32);
    expect(cache.peek(prompt(7))).toBe(16);
  });

  it('caches in 128-token steps and only long prompts, like OpenAI', () => {
    const cache = new PrefixCache({ blockTokens: 128, capacityBlocks: 100, minimumPromptTokens: 1024 });
    const long = prompt(...Array.from({ length: 72 }, (_, index) => index));
    cache.lookupAndStore(long);
    expect(cache.peek(long)).toBe(1152);
    const short = prompt(...Array.from({ length: 40 }, (_, index) => index));
    expect(cache.peek(short)).toBe(0);
  });
});
