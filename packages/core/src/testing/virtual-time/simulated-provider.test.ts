import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../model/clock';
import { OpenAIProvider } from '../../model/openai-provider';
import { ModelRouter } from '../../model/router';
import type { ChatRequest } from '../../model/types';
import { ProviderError } from '../../model/types';
import {
  type ApiServerProfile,
  apiProfile,
  type IterationServerProfile,
  slotServerProfile,
} from '../server-profiles';
import { SimulatedModelServer } from '../simulated-model-server';
import { createServerModel } from './create-server-model';
import { profileServerOptions } from './profile-server-options';
import { SimulatedServerProvider } from './simulated-provider';
import { VirtualClock } from './virtual-clock';

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'post_to_room',
      description: 'Post a message to a room you belong to.',
      parameters: {
        type: 'object',
        properties: { room: { type: 'string', enum: ['square'] }, text: { type: 'string', maxLength: 200 } },
        required: ['room', 'text'],
      },
    },
  },
];

function request(seed: number, signal?: AbortSignal): ChatRequest {
  return {
    model: 'm',
    seed,
    maxTokens: 256,
    tools,
    messages: [
      { role: 'system', content: 'The rules of the world.' },
      { role: 'user', content: `You are agent ${seed}. Decide.` },
    ],
    ...(signal ? { signal } : {}),
  };
}

let server: SimulatedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('SimulatedServerProvider', () => {
  it('answers with a valid call of an offered tool, the same for the same seed', async () => {
    const clock = new VirtualClock();
    const fast: ApiServerProfile = { ...apiProfile, serverErrors: { probability: 0, status: 500 } };
    const provider = new SimulatedServerProvider({
      server: createServerModel(fast, { clock, seed: 1 }),
      clock,
      seed: 1,
    });
    const [first, again] = await clock.run(() =>
      Promise.all([provider.chat(request(7)), provider.chat(request(7))]),
    );
    expect(first?.toolCalls[0]?.name).toBe('post_to_room');
    expect(JSON.parse(first?.toolCalls[0]?.arguments ?? '{}')).toMatchObject({ room: 'square' });
    expect(again?.toolCalls).toEqual(first?.toolCalls);
    expect(first?.usage.completionTokens).toBeGreaterThan(0);
  });

  it('raises what an HTTP provider raises for a full queue, with the server’s wait', async () => {
    const clock = new VirtualClock();
    const tiny: IterationServerProfile = {
      ...slotServerProfile,
      maxSequences: 1,
      queue: { limit: 0, status: 503 },
    };
    const provider = new SimulatedServerProvider({
      server: createServerModel(tiny, { clock, seed: 1 }),
      clock,
      seed: 1,
    });
    const outcomes = await clock.run(() =>
      Promise.allSettled([provider.chat(request(1)), provider.chat(request(2))]),
    );
    expect(outcomes[0]?.status).toBe('fulfilled');
    const refused = outcomes[1];
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(ProviderError);
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      status: 503,
    });
  });

  it('cancels the request at the server when the caller aborts', async () => {
    const clock = new VirtualClock();
    const model = createServerModel(slotServerProfile, { clock, seed: 1 });
    const provider = new SimulatedServerProvider({ server: model, clock, seed: 1 });
    const controller = new AbortController();
    const outcome = await clock.run(async () => {
      const call = provider.chat(request(1, controller.signal));
      clock.setTimeout(() => controller.abort(), 50);
      return call.then(
        () => 'answered',
        (error: unknown) => (error as ProviderError).code,
      );
    });
    expect(outcome).toBe('PROVIDER_ABORTED');
    expect(model.stats().cancelled).toBe(1);
  });
});

describe('profileServerOptions', () => {
  it('puts a profile behind the real HTTP server, with the same answers as in virtual time', async () => {
    const quick: IterationServerProfile = {
      ...slotServerProfile,
      iteration: { baseMilliseconds: 0.2, perSequenceMilliseconds: 0, perPrefillTokenMilliseconds: 0 },
    };
    const { options, model } = profileServerOptions(quick, { seed: 5, clock: systemClock });
    server = await SimulatedModelServer.start({ ...options, recordRequests: false });
    const router = new ModelRouter({
      endpoints: [
        {
          id: 'http',
          provider: new OpenAIProvider({ id: 'http', baseUrl: server.openaiBaseUrl }),
          model: 'm',
          maxConcurrency: 4,
          timeoutMs: 10_000,
        },
      ],
      tiers: { fast: ['http'] },
    });
    const { response } = await router.chat('fast', request(3));
    const clock = new VirtualClock();
    const virtual = new SimulatedServerProvider({
      server: createServerModel(quick, { clock, seed: 5 }),
      clock,
      seed: 5,
    });
    const expected = await clock.run(() => virtual.chat(request(3)));
    expect(response.toolCalls.map(({ name, arguments: text }) => ({ name, text }))).toEqual(
      expected.toolCalls.map(({ name, arguments: text }) => ({ name, text })),
    );
    expect(model.stats().completed).toBe(1);
  });
});
