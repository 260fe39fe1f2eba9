import { describe, expect, it } from 'vitest';
import type { Observation } from '../agents/brain';
import { agentPrompt, estimateTokens } from '../agents/prompt-builder';

function observation(): Observation {
  const passage = (page: number) => ({
    citation: `contract.pdf p.${page}`,
    document: 'contract.pdf',
    page,
    text: `Clause ${page}. ${'The supplier delivers on time. '.repeat(30)}`,
  });
  return {
    step: 40,
    steps: 90,
    unit: 'day',
    scenario: { name: 'Budget', description: '' },
    self: {
      id: 'buyer',
      name: 'Buyer',
      role: 'procurement',
      persona: 'Buys cocoa.',
      goals: [],
      traits: {},
      variables: {},
      mood: { valence: 0, arousal: 0, label: 'calm' },
    },
    world: {},
    inbox: [],
    events: [],
    constraintHits: [],
    memory: Array.from({ length: 10 }, (_, index) => `Step ${30 + index}: wait() → waited`),
    tools: [],
    rooms: [],
    contacts: [],
    environments: { documents: { passages: [passage(1), passage(2), passage(3)] } },
    digest: [],
    beliefs: {},
    recalled: {
      entries: [1, 2, 3].map((step) => ({
        step,
        kind: 'message' as const,
        from: 'andes',
        text: `Promise ${step}: ${'x'.repeat(250)}`,
      })),
      summaries: ['Steps 1–10: wait ×10'],
    },
  };
}

describe('prompt budget with documents and recollections', () => {
  it('keeps everything when it fits', () => {
    const text = agentPrompt(observation(), 10_000);
    expect(text.match(/<document /g)).toHaveLength(3);
    expect(text.match(/channel="remembered"/g)).toHaveLength(3);
  });

  it('cuts memory first, then recollections and passages least relevant first, to fit', () => {
    const text = agentPrompt(observation(), 500);
    expect(estimateTokens(text)).toBeLessThanOrEqual(500);
    expect(text).not.toContain('What you remember');
    expect(text).toContain('<document cite="contract.pdf p.1">');
    expect(text).not.toContain('contract.pdf p.3">');
    expect(text).toContain('You are Buyer (id buyer), procurement.');
  });
});
