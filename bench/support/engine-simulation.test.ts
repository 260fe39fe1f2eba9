import { describe, expect, it } from 'vitest';
import { runEngineSimulation } from './engine-simulation';
import { apiProfile } from './simulation';

describe('runEngineSimulation', () => {
  it('does the same work, in the same virtual time, every time it runs a seed', async () => {
    const options = {
      profile: apiProfile,
      seed: 4,
      steps: 2,
      concurrency: 200,
      endpointConcurrency: 200,
      recordTrace: true,
    };
    const first = await runEngineSimulation(options);
    const second = await runEngineSimulation(options);
    expect(first.router.calls).toBe(400);
    expect(second.virtualMilliseconds).toBe(first.virtualMilliseconds);
    expect(second.server).toEqual(first.server);
    expect(second.trace?.map((jobs) => jobs.map((job) => job.key))).toEqual(
      first.trace?.map((jobs) => jobs.map((job) => job.key)),
    );
    expect(first.trace?.[1]).toHaveLength(200);
  });
});
