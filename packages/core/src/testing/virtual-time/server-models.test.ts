import { describe, expect, it } from 'vitest';
import {
  type ApiServerProfile,
  apiProfile,
  continuousBatchingProfile,
  type IterationServerProfile,
  slotServerProfile,
} from '../server-profiles';
import { createServerModel } from './create-server-model';
import { renderPrompt } from './prompt-tokens';
import type { ServerJob, ServerModel, ServerOutcome } from './server-model';
import { VirtualClock } from './virtual-clock';

function job(
  key: string,
  shared = 'The rules of the world. '.repeat(20),
  own = `You are ${key}.`,
): ServerJob {
  return {
    key,
    prompt: renderPrompt({
      messages: [
        { role: 'system', content: shared },
        { role: 'user', content: own },
      ],
    }),
    outputTokens: 40,
    maxTokens: 768,
  };
}

/** Submits jobs at once and records when each outcome arrives (virtual milliseconds). */
async function submitAll(
  clock: VirtualClock,
  server: ServerModel,
  jobs: ServerJob[],
): Promise<Map<string, { at: number; outcome: ServerOutcome }>> {
  const results = new Map<string, { at: number; outcome: ServerOutcome }>();
  await clock.run(() =>
    Promise.all(
      jobs.map(async (entry) => {
        const outcome = await server.submit(entry).outcome;
        results.set(entry.key, { at: clock.now(), outcome });
      }),
    ),
  );
  return results;
}

describe('API server model', () => {
  const unlimited: ApiServerProfile = {
    ...apiProfile,
    rateLimits: undefined,
    serverErrors: { probability: 0, status: 500 },
  };

  it('gives each key the same latency whatever order the requests come in', async () => {
    const jobs = ['a', 'b', 'c', 'd'].map((key) => job(key));
    const first = new VirtualClock();
    const forwards = await submitAll(first, createServerModel(unlimited, { clock: first, seed: 3 }), jobs);
    const second = new VirtualClock();
    const backwards = await submitAll(
      second,
      createServerModel(unlimited, { clock: second, seed: 3 }),
      [...jobs].reverse(),
    );
    for (const key of ['b', 'c', 'd'])
      expect(backwards.get(key)?.at).toBeCloseTo(forwards.get(key)?.at ?? 0, 6);
  });

  it('refuses with 429, the exact retry-after and rate-limit headers when the tokens per minute run out', async () => {
    const limited: ApiServerProfile = {
      ...unlimited,
      rateLimits: { requestsPerMinute: 1_000, tokensPerMinute: 60_000, burstSeconds: 1 },
    };
    const clock = new VirtualClock();
    const server = createServerModel(limited, { clock, seed: 1 });
    const handle = server.submit(job('a'));
    const refused = server.submit(job('b'));
    expect(handle.refusal).toBeUndefined();
    expect(refused.refusal).toMatchObject({ status: 429, retryAfterMs: expect.any(Number) });
    expect(refused.refusal?.headers?.['x-ratelimit-limit-tokens']).toBe('60000');
    const waitingServer = createServerModel(limited, {
      clock: new VirtualClock(),
      seed: 1,
      admission: 'wait',
    });
    waitingServer.submit(job('a'));
    expect(waitingServer.submit(job('b')).refusal).toBeUndefined();
  });

  it('reports cached prompt tokens for a repeated long prefix', async () => {
    const clock = new VirtualClock();
    const server = createServerModel(unlimited, { clock, seed: 1 });
    const long = 'Shared rules and world state. '.repeat(200);
    const results = await submitAll(clock, server, [job('a', long)]);
    const again = await submitAll(clock, server, [job('b', long)]);
    expect(results.get('a')?.outcome).toMatchObject({ ok: true, cachedTokens: 0 });
    const outcome = again.get('b')?.outcome;
    expect(outcome?.ok && outcome.cachedTokens).toBeGreaterThan(1000);
  });
});

describe('iteration server models', () => {
  it('shares a prompt prefix across requests on a continuous-batching server', async () => {
    const clock = new VirtualClock();
    const server = createServerModel(continuousBatchingProfile, { clock, seed: 1 });
    await submitAll(clock, server, [job('a')]);
    const results = await submitAll(clock, server, [job('b'), job('c')]);
    const outcome = results.get('b')?.outcome;
    expect(outcome?.ok && outcome.cachedTokens).toBeGreaterThan(100);
    expect(server.stats().prefillTokens).toBeLessThan(server.stats().promptTokens);
  });

  it('answers 503 when a slot server’s queue is full, and serves the rest in order', async () => {
    const small: IterationServerProfile = {
      ...slotServerProfile,
      maxSequences: 1,
      queue: { limit: 1, status: 503 },
    };
    const clock = new VirtualClock();
    const server = createServerModel(small, { clock, seed: 1 });
    const results = await submitAll(clock, server, [job('a'), job('b'), job('c')]);
    expect(results.get('a')?.outcome.ok).toBe(true);
    expect(results.get('b')?.outcome.ok).toBe(true);
    expect(results.get('c')?.outcome).toMatchObject({ ok: false, status: 503 });
    expect((results.get('b')?.at ?? 0) > (results.get('a')?.at ?? 0)).toBe(true);
  });

  it('stops working on a cancelled request and counts what it spent', async () => {
    const clock = new VirtualClock();
    const server = createServerModel(continuousBatchingProfile, { clock, seed: 1 });
    let outcome: ServerOutcome | undefined;
    await clock.run(async () => {
      const handle = server.submit(job('a'));
      await new Promise<void>((resolve) => {
        clock.setTimeout(resolve, 100);
      });
      handle.cancel();
      outcome = await handle.outcome;
    });
    expect(outcome).toMatchObject({ ok: false, status: 499 });
    expect(server.stats()).toMatchObject({ cancelled: 1, completed: 0 });
    expect(server.stats().cancelledTokens).toBeGreaterThan(0);
  });
});
