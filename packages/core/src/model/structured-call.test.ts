import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelRouter } from './router';
import { ScriptedModel } from './scripted-model';
import { chatStructured, zodParser } from './structured-call';
import type { ChatRequest, ToolSchema } from './types';

const priceTool: ToolSchema = {
  type: 'function',
  function: { name: 'set_price', parameters: { type: 'object', properties: { price: { type: 'number' } } } },
};
const Price = z.object({ price: z.number().min(0) });

function routerOver(model: ScriptedModel): ModelRouter {
  return new ModelRouter({
    endpoints: [{ id: 'script', provider: model, model: 'scripted', maxConcurrency: 1, timeoutMs: 1000 }],
    tiers: { smart: ['script'] },
    retry: { baseDelayMs: 1 },
  });
}

const request: ChatRequest = {
  model: '',
  messages: [{ role: 'user', content: 'Set a price.' }],
  tools: [priceTool],
};

describe('chatStructured', () => {
  it('feeds a validation error back as a tool result and accepts the corrected call', async () => {
    const model = new ScriptedModel({
      replies: [
        ScriptedModel.toolCall('set_price', { price: -5 }),
        ScriptedModel.toolCall('set_price', { price: 12 }),
      ],
    });
    const result = await chatStructured(routerOver(model), 'smart', request, {
      parse: zodParser(Price),
      runId: 'r',
      step: 2,
      agentId: 'shop',
    });
    expect(result.value).toEqual({ price: 12 });
    expect(result.toolName).toBe('set_price');
    expect(result.calls).toHaveLength(2);
    const second = model.requests[1]!;
    expect(second.messages).toHaveLength(3);
    expect(second.messages[1]).toMatchObject({ role: 'assistant', toolCalls: [{ name: 'set_price' }] });
    expect(second.messages[2]).toMatchObject({ role: 'tool' });
    expect(second.messages[2]!.content).toContain('price: Too small');
    expect(second.metadata).toEqual({ runId: 'r', step: 2, agentId: 'shop' });
  });

  it('tells the model about a wrong tool name or broken arguments instead of retrying blindly', async () => {
    const model = new ScriptedModel({
      replies: [
        ScriptedModel.toolCall('set_cost', { price: 1 }),
        ScriptedModel.toolCall('set_price', '{{"price" 1 ]]'),
        ScriptedModel.toolCall('set_price', { price: 1 }),
      ],
    });
    const result = await chatStructured(routerOver(model), 'smart', request, { parse: zodParser(Price) });
    expect(result.value).toEqual({ price: 1 });
    expect(model.requests[1]!.messages.at(-1)!.content).toContain('there is no tool "set_cost"');
    expect(model.requests[2]!.messages.at(-1)!.content).toContain('not valid');
  });

  it('reads JSON from text with prose around it, repairing it', async () => {
    const model = new ScriptedModel({ replies: ['Sure! ```json\n{"price": 3,}\n``` Anything else?'] });
    const result = await chatStructured(
      routerOver(model),
      'smart',
      { ...request, tools: [] },
      { parse: zodParser(Price) },
    );
    expect(result.value).toEqual({ price: 3 });
    expect(result.repaired).toBe(true);
  });

  it('gives up after the bounded number of attempts with every attempt attached', async () => {
    const model = new ScriptedModel({ replies: ['no idea'], repeatLast: true });
    const attempt = chatStructured(
      routerOver(model),
      'smart',
      { ...request, tools: [] },
      { parse: zodParser(Price), maxAttempts: 2 },
    );
    await expect(attempt).rejects.toMatchObject({ code: 'PROVIDER_MALFORMED_REPLY', retryable: false });
    await expect(attempt).rejects.toThrow(/after 2 attempts/);
    const error = (await attempt.catch((thrown: unknown) => thrown)) as { attempts: unknown[] };
    expect(error.attempts).toHaveLength(2);
    expect(model.requests[1]!.messages.at(-1)!.content).toContain('not valid');
  });
});
