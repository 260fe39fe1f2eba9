import { describe, expect, it } from 'vitest';
import { blockHashes, commonPrefix, distinctPrefixTokens, renderPrompt, tokenize } from './prompt-tokens';

const prose =
  'A heatwave trips the regional grid. Rolling blackouts hit homes, shops and hospitals while the grid operator rations power.';

describe('prompt tokens', () => {
  it('tokenizes deterministically, about four characters a token on prose', () => {
    const tokens = tokenize(prose);
    expect([...tokenize(prose)]).toEqual([...tokens]);
    expect(prose.length / tokens.length).toBeGreaterThan(3.5);
    expect(prose.length / tokens.length).toBeLessThan(6);
  });

  it('gives prompts with a common head the same leading block hashes, and different ones after', () => {
    const shared = prose.repeat(4);
    const own = ' Your goals, traits, memory and inbox.'.repeat(8);
    const first = renderPrompt({
      messages: [
        { role: 'system', content: shared },
        { role: 'user', content: `You are Ada.${own}` },
      ],
    });
    const second = renderPrompt({
      messages: [
        { role: 'system', content: shared },
        { role: 'user', content: `You are Bo.${own}` },
      ],
    });
    const common = commonPrefix(first.tokens, second.tokens);
    const fullBlocks = Math.floor(common / 16);
    expect(fullBlocks).toBeGreaterThan(3);
    expect([...first.blockHashes.slice(0, fullBlocks)]).toEqual([...second.blockHashes.slice(0, fullBlocks)]);
    expect(first.blockHashes[fullBlocks]).not.toBe(second.blockHashes[fullBlocks]);
  });

  it('puts the agent part first in the cache-hostile layout, with the same tokens', () => {
    const request = {
      messages: [
        { role: 'system', content: prose },
        { role: 'user', content: 'You are Ada.' },
      ],
      tools: [{ name: 'wait', parameters: {} }],
    };
    const sent = renderPrompt(request, 'as-sent');
    const hostile = renderPrompt(request, 'agent-first');
    expect(hostile.length).toBe(sent.length);
    expect([...hostile.tokens].sort()).toEqual([...sent.tokens].sort());
    expect(hostile.tokens[1]).toBe(tokenize('You are Ada.')[0]);
  });

  it('counts every distinct prefix once', () => {
    const of = (...values: number[]) => Uint32Array.from(values);
    expect(distinctPrefixTokens([of(1, 2, 3), of(1, 2, 4), of(1, 2, 3)])).toBe(4);
    expect(distinctPrefixTokens([of(1, 2), of(3, 4)])).toBe(4);
    expect(distinctPrefixTokens([of(1, 2, 3), of(1, 2)])).toBe(3);
  });

  it('hashes only full blocks', () => {
    expect(blockHashes(new Uint32Array(47)).length).toBe(2);
  });
});
