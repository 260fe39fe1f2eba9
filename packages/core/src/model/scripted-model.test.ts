import { describe, expect, it } from 'vitest';
import { ModelRouter } from './router';
import { ScriptedModel } from './scripted-model';
import { ProviderError } from './types';

const question = { model: 'any', messages: [{ role: 'user' as const, content: 'Go' }] };

describe('ScriptedModel', () => {
  it('answers from a list in order and records the requests it saw', async () => {
    const model = new ScriptedModel({ replies: [ScriptedModel.toolCall('post', { text: 'hi' }), 'done'] });
    const first = await model.chat({
      ...question,
      tools: [{ type: 'function', function: { name: 'post', parameters: {} } }],
    });
    expect(first.finishReason).toBe('tool_calls');
    expect(first.toolCalls[0]).toMatchObject({ name: 'post', arguments: '{"text":"hi"}' });
    const second = await model.chat({ ...question, messages: [{ role: 'user', content: 'And now?' }] });
    expect(second).toMatchObject({ text: 'done', finishReason: 'stop', toolCalls: [] });
    expect(second.usage.promptTokens).toBeGreaterThan(0);
    expect(model.requests.map((request) => request.messages[0]?.content)).toEqual(['Go', 'And now?']);
    await expect(model.chat(question)).rejects.toMatchObject({ code: 'PROVIDER_SCRIPT_EXHAUSTED' });
  });

  it('answers from a function of the request, and can throw provider errors', async () => {
    const model = new ScriptedModel({
      replies: (request, index) =>
        index === 0
          ? new ProviderError('PROVIDER_RATE_LIMITED', 'slow down', { retryAfterMs: 1 })
          : `echo: ${request.messages[0]?.content}`,
    });
    const router = new ModelRouter({
      endpoints: [{ id: 'script', provider: model, model: 'scripted', maxConcurrency: 1, timeoutMs: 1000 }],
      tiers: { fast: ['script'] },
      retry: { baseDelayMs: 1 },
    });
    const { response, attempts } = await router.chat('fast', question);
    expect(response.text).toBe('echo: Go');
    expect(attempts.map((attempt) => attempt.errorCode ?? 'ok')).toEqual(['PROVIDER_RATE_LIMITED', 'ok']);
  });

  it('honours the signal during its simulated latency', async () => {
    const model = new ScriptedModel({ replies: ['late'], latencyMs: 5000 });
    const controller = new AbortController();
    const pending = model.chat({ ...question, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'PROVIDER_ABORTED' });
  });

  it('by default calls the first offered tool, or says ok', async () => {
    const model = new ScriptedModel();
    const withTool = await model.chat({
      ...question,
      tools: [{ type: 'function', function: { name: 'wait', parameters: {} } }],
    });
    expect(withTool.toolCalls[0]?.name).toBe('wait');
    expect((await model.chat(question)).text).toBe('ok');
  });
});
