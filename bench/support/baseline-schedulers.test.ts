import { describe, expect, it } from 'vitest';
import { runBaseline, traceLowerBound } from './baseline-schedulers';
import type { TraceJob } from './engine-simulation';
import { type ApiServerProfile, apiProfile, renderPrompt } from './simulation';

/** A hosted API with no randomness: every call takes 350 ms + 12 ms per output token. */
const steady: ApiServerProfile = {
  ...apiProfile,
  name: 'steady',
  firstToken: { medianMilliseconds: 350, sigma: 0 },
  prefillMillisecondsPerToken: 0,
  stragglers: { probability: 0, minimumFactor: 1, maximumFactor: 1 },
  serverErrors: { probability: 0, status: 500 },
  rateLimits: undefined,
  promptCache: undefined,
};

function trace(...outputs: number[][]): TraceJob[][] {
  return outputs.map((step, stepIndex) =>
    step.map((outputTokens, index) => {
      const prompt = renderPrompt({
        messages: [{ role: 'user', content: `agent ${index} step ${stepIndex}` }],
      });
      return { key: `${stepIndex}-${index}`, prompt, outputTokens, maxTokens: 768 };
    }),
  );
}

describe('baseline schedulers', () => {
  const work = trace([10, 100, 10, 100]);

  it('waves wait for their slowest call', async () => {
    const result = await runBaseline(steady, work, 1, { kind: 'waves', size: 2 });
    expect(result.virtualMilliseconds).toBeCloseTo(2 * (350 + 1200), 6);
  });

  it('a semaphore starts the next call as soon as one finishes', async () => {
    const result = await runBaseline(steady, work, 1, { kind: 'semaphore', limit: 2 });
    expect(result.virtualMilliseconds).toBeCloseTo(470 + 470 + 1550, 6);
  });

  it('all in flight takes as long as the slowest call, which is the lower bound', async () => {
    const result = await runBaseline(steady, work, 1, { kind: 'all-in-flight' });
    expect(result.virtualMilliseconds).toBeCloseTo(1550, 6);
    expect(traceLowerBound(steady, work, 1).boundMilliseconds).toBeCloseTo(1550, 6);
  });

  it('bounds any scheduler with a concurrency limit by the calls’ total time over the limit', () => {
    expect(traceLowerBound(steady, work, 1, 2).boundMilliseconds).toBeCloseTo((470 * 2 + 1550 * 2) / 2, 6);
  });

  it('steps wait for each other', async () => {
    const result = await runBaseline(steady, trace([10], [100]), 1, { kind: 'all-in-flight' });
    expect(result.stepMilliseconds.map((value) => Math.round(value))).toEqual([470, 1550]);
  });
});
