import { type ChatRouter, ModelRouter, ScriptedModel } from '@sandtable/core';
import { describe, expect, it } from 'vitest';
import { FairShareRouter } from './fair-share-router';

/** One endpoint that serves a call at a time and records whose call it served, in order. */
function oneSlotRouter(served: string[]): ModelRouter {
  return new ModelRouter({
    endpoints: [
      {
        id: 'local',
        provider: new ScriptedModel({
          replies: (request) => {
            served.push(String(request.messages[0]?.content));
            return 'ok';
          },
        }),
        model: 'scripted',
        maxConcurrency: 1,
        timeoutMs: 10_000,
      },
    ],
    tiers: { fast: ['local'] },
  });
}

/** A busy run asks for 10 calls at once, then a small run for 2. */
async function busyThenSmall(router: ChatRouter): Promise<void> {
  const call = (runId: string, index: number) =>
    router.chat('fast', { model: '', messages: [{ role: 'user', content: `${runId}-${index}` }] }, { runId });
  const calls = [
    ...Array.from({ length: 10 }, (_, index) => call('busy', index)),
    call('small', 0),
    call('small', 1),
  ];
  await Promise.all(calls);
}

describe('FairShareRouter', () => {
  it('serves a small run between a busy run’s queued calls instead of after all of them', async () => {
    const unfair: string[] = [];
    await busyThenSmall(oneSlotRouter(unfair));
    // The plain router is first come, first served: the small run waits for all ten.
    expect(unfair.slice(-2)).toEqual(['small-0', 'small-1']);

    const fair: string[] = [];
    await busyThenSmall(new FairShareRouter(oneSlotRouter(fair), 1));
    expect(fair.slice(0, 5)).toEqual(['busy-0', 'busy-1', 'small-0', 'busy-2', 'small-1']);
    // Each run's own calls keep their order.
    expect(fair.filter((entry) => entry.startsWith('busy'))).toEqual(
      Array.from({ length: 10 }, (_, index) => `busy-${index}`),
    );
  });

  it('rejects a waiting call whose signal fires, and lets the others through', async () => {
    const served: string[] = [];
    const router = new FairShareRouter(oneSlotRouter(served), 1);
    const controller = new AbortController();
    const first = router.chat(
      'fast',
      { model: '', messages: [{ role: 'user', content: 'a' }] },
      { runId: 'a' },
    );
    const cancelled = router.chat(
      'fast',
      { model: '', messages: [{ role: 'user', content: 'b' }] },
      { runId: 'b', signal: controller.signal },
    );
    const third = router.chat(
      'fast',
      { model: '', messages: [{ role: 'user', content: 'c' }] },
      { runId: 'c' },
    );
    expect(router.waiting).toBe(2);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'PROVIDER_ABORTED' });
    await Promise.all([first, third]);
    expect(served).toEqual(['a', 'c']);
    expect(router.waiting).toBe(0);
    expect(router.inFlight).toBe(0);
  });
});
