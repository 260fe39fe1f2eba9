import { afterEach, describe, expect, it } from 'vitest';
import { tinyWorld } from '../__fixtures__/tiny-world';
import { OpenAIProvider } from '../model/openai-provider';
import { ModelRouter } from '../model/router';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import { createEngine } from './engine';
import type { RunEvent } from './run-events';

const servers: SimulatedModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const strip = (events: RunEvent[]) => events.map(({ wallTime, ...rest }) => JSON.stringify(rest));

describe('interviews', () => {
  it('answers mid-run and after the run without changing the run', async () => {
    const plain = createEngine().createRun(tinyWorld({ agents: 4, steps: 4 }));
    const plainEvents: RunEvent[] = [];
    plain.subscribe((event) => plainEvents.push(event));
    await plain.start();

    const run = createEngine().createRun(tinyWorld({ agents: 4, steps: 4 }));
    const events: RunEvent[] = [];
    run.subscribe((event) => events.push(event));
    let midAnswer = '';
    run.subscribe((event) => {
      if (event.type === 'step-completed' && event.step === 2) run.pause();
    });
    const finished = run.start();
    while (run.status !== 'paused') await new Promise((resolve) => setTimeout(resolve, 2));
    midAnswer = (await run.interview('agent-0002', 'Why do you do what you do, and what next?')).answer;
    run.resume();
    await finished;
    const after = await run.interview('agent-0002', 'How do you feel?');

    expect(midAnswer).toMatch(/^I am .+, villager\./);
    expect(midAnswer).toMatch(/I am trying to self\.wealth \(now \d+\)/);
    expect(midAnswer).toMatch(/Most recently: Step 2: /);
    expect(midAnswer).toMatch(/My options now are harvest, gift/);
    expect(after.source).toBe('rules');
    expect(after.answer).toMatch(/I feel \w+\./);
    // Same events as the run without interviews, once the pause/resume events are set aside.
    const withoutControl = events.filter(
      (event) => event.type !== 'run-paused' && event.type !== 'run-resumed',
    );
    expect(strip(withoutControl).map((line) => line.replace(/"sequence":\d+,/, ''))).toEqual(
      strip(plainEvents).map((line) => line.replace(/"sequence":\d+,/, '')),
    );
  });

  it('puts the question to a model-backed agent through its model, in character', async () => {
    const server = await SimulatedModelServer.start({
      reply: (request) =>
        request.messages.at(-1)?.content.includes('<question>')
          ? 'I harvest because my family needs it.'
          : { toolCalls: [{ name: 'harvest', arguments: {} }] },
    });
    servers.push(server);
    const router = new ModelRouter({
      endpoints: [
        {
          id: 'local',
          provider: new OpenAIProvider({ id: 'local', baseUrl: server.openaiBaseUrl, apiKey: 'test' }),
          model: 'simulated-model',
          maxConcurrency: 4,
          timeoutMs: 5_000,
        },
      ],
      tiers: { fast: ['local'] },
    });
    const run = createEngine({ models: { router } }).createRun(
      tinyWorld({ brain: 'fast', agents: 2, steps: 2 }),
    );
    await run.start();
    const { answer, source } = await run.interview('agent-0001', 'Why do you harvest?');
    expect(source).toBe('model');
    expect(answer).toBe('I harvest because my family needs it.');
    const asked = server.requests().at(-1);
    expect(asked?.tools).toEqual([]);
    expect(asked?.messages.at(-1)?.content).toContain('<question>\nWhy do you harvest?\n</question>');
    router.close();
  });
});
