import { describe, expect, it } from 'vitest';
import type { Brain, Decision, Observation } from '../agents/brain';
import { createEngine } from '../engine/engine';
import { ModelRouter } from '../model/router';
import { ScriptedModel } from '../model/scripted-model';
import type { ChatRequest } from '../model/types';
import { parseScenario } from '../scenario/scenario-loader';
import { LongTermMemory } from './long-term-memory';

describe('long-term memory', () => {
  it('summarises archived lines in blocks and recalls the relevant ones, bounded', () => {
    const memory = new LongTermMemory({ recall: 2, block: 5 });
    const lines = Array.from({ length: 23 }, (_, index) => `Step ${index + 1}: harvest() → ok`);
    lines[6] = 'Step 7: event flood — the river bank broke near the mill';
    memory.archive(lines);
    memory.archiveMessage(9, 'miller', `${'We will repair the mill wheel by step 30. '.repeat(20)}`);
    expect(memory.size).toBe(24);
    expect(memory.summaries()).toEqual([
      'Steps 1–5: harvest ×5',
      'Steps 6–10: harvest ×4, event flood',
      'Steps 11–15: harvest ×5',
      'Steps 16–20: harvest ×5',
    ]);
    const recalled = memory.recall('is the mill wheel repaired after the flood?');
    expect(recalled.entries.map((entry) => entry.step)).toEqual([9, 7]);
    expect(recalled.entries[0]?.text.length).toBeLessThanOrEqual(280);
    expect(recalled.summaries).toHaveLength(2);
    expect(memory.recall('')).toEqual({ entries: [], summaries: recalled.summaries });
  });
});

const yaml = (memory: string) => `
name: Long memory
seed: 9
clock: { steps: 100 }
${memory}
events:
  - step: 80
    type: shipment_due
    affects: [buyer]
    description: The cocoa shipment from andes is due today; what did andes promise about it?
agents:
  - { id: buyer, role: procurement, brain: fast, memory_window: 5, goals: [{ description: get the cocoa andes owes }] }
  - { id: andes, role: supplier, brain: supplier-script }
`;

/** A supplier that makes one promise in step 5 and chats about nothing in particular otherwise. */
const supplier: Brain = {
  name: 'supplier-script',
  synchronous: true,
  decide(observation: Observation): Decision {
    const text =
      observation.step === 5
        ? 'We promise to ship 500 tonnes of cocoa to you by step 40, at EUR 7,950 per tonne.'
        : `Daily note ${observation.step}: the loading bay was busy and the weather fine.`;
    return {
      calls: [{ tool: 'send_message', arguments: { to: 'buyer', text } }],
      rationale: 'keep in touch',
      source: 'rules',
    };
  },
};

async function buyerPrompts(memoryBlock: string): Promise<string[]> {
  const model = new ScriptedModel({
    replies: () => ({ text: 'Waiting.', toolCalls: [{ name: 'wait', arguments: {} }] }),
  });
  const router = new ModelRouter({
    endpoints: [{ id: 'scripted', provider: model, model: 'scripted', maxConcurrency: 1, timeoutMs: 5_000 }],
    tiers: { fast: ['scripted'] },
  });
  const engine = createEngine({
    models: { router },
    brainFor: (agent) => (agent.spec.id === 'andes' ? supplier : undefined),
  });
  await engine.createRun(parseScenario(yaml(memoryBlock))).start();
  router.close();
  return model.requests.map((request: ChatRequest) =>
    String(request.messages.find((message) => message.role === 'user')?.content ?? ''),
  );
}

describe('long-term memory in a long run', () => {
  it('lets an agent recall in step 80 what a supplier promised in step 5, with a bounded prompt', async () => {
    const prompts = await buyerPrompts('');
    expect(prompts).toHaveLength(100);
    const promise = 'We promise to ship 500 tonnes of cocoa to you by step 40';
    const step80 = prompts[79] as string;
    expect(step80).toContain('The cocoa shipment from andes is due today');
    expect(step80).toMatch(new RegExp(`<message from="andes" channel="remembered" step="5">\\n${promise}`));
    // It reaches the prompt only as a recollection: the inbox and the recent window lost it long ago.
    expect(step80.split(promise)).toHaveLength(2);
    expect(step80).not.toContain('channel="direct" step="5"');
    // Past the first window the prompt stops growing: within 10% of step 30's size to step 100,
    // except step 80, which also carries the event and what it recalls.
    const base = (prompts[29] as string).length;
    const later = prompts.slice(29).filter((_, index) => index !== 50);
    expect(Math.max(...later.map((prompt) => prompt.length))).toBeLessThanOrEqual(base * 1.1);
    expect(Math.min(...later.map((prompt) => prompt.length))).toBeGreaterThanOrEqual(base * 0.9);
    expect(step80.length).toBeLessThan(base * 1.5);
  });

  it('forgets the promise when long-term memory is off', async () => {
    const prompts = await buyerPrompts('memory: { long_term: false }');
    expect(prompts[79]).toContain('The cocoa shipment from andes is due today');
    expect(prompts[79]).not.toContain('We promise to ship 500 tonnes');
  });
});
