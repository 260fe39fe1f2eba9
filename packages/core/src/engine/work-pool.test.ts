import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPool } from './work-pool';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe('runPool timeouts', () => {
  it('counts a task’s timeout again from when it restarts it (time spent queueing for a slot is free)', async () => {
    const signal = new AbortController().signal;
    const outcomes = runPool(
      ['queued-then-served', 'never-restarts'],
      async (name, _signal, _index, restartTimeout) => {
        await delay(80); // waiting for an endpoint slot
        if (name === 'queued-then-served') restartTimeout();
        await delay(80); // the call itself
        return name;
      },
      { limit: 2, timeoutMs: 100, signal },
    );
    await vi.advanceTimersByTimeAsync(400);
    const [served, late] = await outcomes;
    expect(served).toEqual({ ok: true, value: 'queued-then-served' });
    expect(late).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('still times out a task that restarts and then hangs', async () => {
    const signal = new AbortController().signal;
    const outcomes = runPool(
      ['hangs'],
      async (_name, taskSignal, _index, restartTimeout) => {
        await delay(50);
        restartTimeout();
        await new Promise((_resolve, reject) =>
          taskSignal.addEventListener('abort', () => reject(taskSignal.reason)),
        );
        return 'never';
      },
      { limit: 1, timeoutMs: 100, signal },
    );
    await vi.advanceTimersByTimeAsync(149);
    await vi.advanceTimersByTimeAsync(2);
    const [outcome] = await outcomes;
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
  });
});
