import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandSweep, SweepDefinition, type SweepMember, type SweepPlan } from './sweep-definition';
import { aggregateSweep } from './sweep-report';
import { ruleSweepExecutor, runSweep } from './sweep-runner';
import { runSweepInWorkers, SweepWorkerPool } from './sweep-workers';

const portStrike = fileURLToPath(new URL('../../../../scenarios/port-strike.yaml', import.meta.url));
const companyWorld = fileURLToPath(
  new URL('../../../../scenarios/examples/company-world.yaml', import.meta.url),
);
const testEntry = new URL('./sweep-worker-test-entry.ts', import.meta.url);

function plan(input: Parameters<typeof SweepDefinition.parse>[0]): SweepPlan {
  return expandSweep(SweepDefinition.parse(input));
}

/** Members with these seeds (the test entry's crash seeds among them), at the scenario's defaults. */
function seedPlan(seeds: number[]): SweepPlan {
  return plan({ scenario: 'x', seeds });
}

// Each thread's start (tsx, the engine's modules) takes seconds on a busy machine.
const slow = 120_000;

describe('sweeps on worker threads', () => {
  it(
    'give the same outcomes and report as the in-thread executor, failures included',
    async () => {
      const text = await readFile(portStrike, 'utf8');
      // strike_days 99 is above the parameter's maximum: those members fail in both paths.
      const sweep = plan({ scenario: 'x', steps: 10, seeds: '1..4', grid: { strike_days: [4, 10, 99] } });
      const options = { file: portStrike, steps: 10 };
      const inThread = await runSweep(sweep, ruleSweepExecutor(text, options), { parallel: 2 });
      let progress = 0;
      const onWorkers = await runSweepInWorkers(sweep, text, {
        ...options,
        workers: 2,
        onMember: (_outcome, done) => {
          progress = done;
        },
      });
      expect(progress).toBe(12);
      expect(onWorkers.filter((outcome) => !outcome.ok)).toHaveLength(4);
      expect(onWorkers.find((outcome) => !outcome.ok)).toMatchObject({ error: expect.stringMatching(/99/) });
      expect(onWorkers).toEqual(inThread);
      const aggregate = { name: 'strike length', scenario: portStrike };
      expect(aggregateSweep(sweep, onWorkers, aggregate)).toEqual(aggregateSweep(sweep, inThread, aggregate));
    },
    slow,
  );

  it(
    'run a grounded scenario, its world built from its folder in each thread',
    async () => {
      const text = await readFile(companyWorld, 'utf8');
      const sweep = plan({ scenario: 'x', steps: 8, seeds: [1], grid: { strike_days: [5, 20] } });
      const options = { file: companyWorld, steps: 8, worldDirectory: dirname(companyWorld) };
      const inThread = await runSweep(sweep, ruleSweepExecutor(text, options), { parallel: 2 });
      const onWorkers = await runSweepInWorkers(sweep, text, { ...options, workers: 2 });
      expect(inThread.every((outcome) => outcome.ok)).toBe(true);
      expect(onWorkers).toEqual(inThread);
    },
    slow,
  );

  it(
    'fail the member of a thread that exits or runs out of memory, replace the thread, go on',
    async () => {
      const text = await readFile(portStrike, 'utf8');
      const outcomes = await runSweepInWorkers(seedPlan([1, 9001, 2, 9002, 3]), text, {
        file: portStrike,
        steps: 5,
        workers: 2,
        maxHeapMb: 128,
        entry: testEntry,
      });
      expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true, false, true]);
      expect(outcomes[1]).toMatchObject({ error: expect.stringContaining('exited with code 3') });
      expect(outcomes[3]).toMatchObject({ error: expect.stringMatching(/out of memory/i) });
    },
    slow,
  );

  it(
    'terminate a spinning member’s thread when its time runs out or the sweep is aborted',
    async () => {
      const text = await readFile(portStrike, 'utf8');
      const pool = new SweepWorkerPool(text, { file: portStrike, steps: 5, workers: 1, entry: testEntry });
      try {
        // Warm the thread first, so the time limit below measures the member, not the thread's start.
        await pool.run(seedPlan([1]).members[0] as SweepMember);
        const timed = await runSweep(seedPlan([9003]), pool.executor, { parallel: 1, timeoutMs: 1000 });
        expect(timed[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^timeout/) });
        expect(pool.threads).toBe(0);
        // A new thread takes the next member.
        await expect(pool.run(seedPlan([2]).members[0] as SweepMember)).resolves.toMatchObject({ steps: 5 });

        const controller = new AbortController();
        const spinning = pool.run(seedPlan([9003]).members[0] as SweepMember, controller.signal);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const started = performance.now();
        controller.abort(new Error('interrupted'));
        await expect(spinning).rejects.toThrow('interrupted');
        expect(performance.now() - started).toBeLessThan(500);
        expect(pool.threads).toBe(0);
      } finally {
        await pool.close();
      }
    },
    slow,
  );
});
