/**
 * Concurrent runs: ten runs of 50 model-backed agents each, started together through the server's
 * run manager (HTTP API via `app.request`, embedded store, every step committed), sharing one model
 * endpoint of limited concurrency. Reports each run's step rate (steps per second between its
 * start and its end) and their spread: max/min and the coefficient of variation. A second
 * experiment shows what the fair-share gate is for: one busy run (200 agents) and one small run
 * (10 agents) on the same endpoint, with the gate and without it (plain first-come-first-served
 * limiter), reporting the small run's step rate.
 *
 * The endpoint is an in-process model that answers after a fixed latency (no HTTP: this measures
 * scheduling between runs, not the network).
 *
 * Usage: `npx tsx bench/concurrent-runs.ts [--seeds 2] [--steps 4] [--latency 20] [--capacity 16] [--busy 200] [--pair-only]`.
 * Writes bench/results/concurrent-runs.json.
 */
import { ModelRouter, ScriptedModel } from '@sandtable/core';
import { createLogger, createServer } from '@sandtable/server';
import { openStore } from '@sandtable/store';
import { median, option, round, seedList, writeResult } from './support/reporting';
import type { ResultHeader } from './support/result-types';

const steps = Number(option('steps') ?? 4);
const latencyMs = Number(option('latency') ?? 20);
const capacity = Number(option('capacity') ?? 16);

function scenario(name: string, agents: number): string {
  return `name: ${name}
seed: 1
clock: { steps: ${steps}, unit: day }
# Every agent's decision in flight at once: a busy run can fill the endpoint's queue by itself.
execution: { concurrency: 1000 }
variables:
  pool: { type: float, default: 1000, min: 0, max: 100000 }
agent_variables:
  wealth: { type: float, default: 10, min: 0, max: 100000 }
actions:
  - name: harvest
    description: Take from the common pool.
    effects: { pool: pool - 1.0, self.wealth: self.wealth + 1.0 }
dynamics:
  - set: pool
    to: pool * 1.01
agents:
  - { id: agent, count: ${agents}, role: villager, brain: fast, goals: [{ maximize: self.wealth }] }
metrics:
  pool: pool
`;
}

interface RunFigure {
  agents: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
}

/** Starts the runs together through one server and returns each run's step rate. */
async function runTogether(
  runs: Array<{ name: string; agents: number }>,
  fair: boolean,
): Promise<RunFigure[]> {
  const router = new ModelRouter({
    endpoints: [
      {
        id: 'local',
        provider: new ScriptedModel({ latencyMs }),
        model: 'scripted',
        maxConcurrency: capacity,
        timeoutMs: 60_000,
      },
    ],
    tiers: { fast: ['local'] },
    adaptiveConcurrency: false,
  });
  const store = await openStore({ url: 'memory:' });
  const server = await createServer({
    store,
    logger: createLogger({ level: 'silent' }),
    resumeInterrupted: false,
    maxConcurrentRuns: runs.length,
    environment: {},
    dashboardDirectory: '/nonexistent',
    // Without the gate: a capacity no queue ever reaches, so calls wait in the endpoint's FIFO.
    models: { router, capacity: fair ? capacity : 1_000_000 },
  });
  try {
    const ids: string[] = [];
    for (const run of runs) {
      const response = await server.app.request('/api/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: scenario(run.name, run.agents), paused: true }),
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    // Let them all go at once.
    for (const id of ids) await server.app.request(`/api/runs/${id}/resume`, { method: 'POST' });
    const figures: RunFigure[] = [];
    for (const [index, id] of ids.entries()) {
      let record = await store.getRun(id);
      while (record && !['completed', 'stopped', 'failed'].includes(record.status)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        record = await store.getRun(id);
      }
      if (record?.status !== 'completed') throw new Error(`run ${id} ended ${record?.status}`);
      // From the first step's start: the paused wait before it does not count.
      const events = await store.eventsAfter(id, 0, 10, { types: ['step-started'] });
      const started = Date.parse((events[0] as { wallTime: string }).wallTime);
      const seconds = ((record.finishedAt as Date).getTime() - started) / 1000;
      figures.push({
        agents: runs[index]?.agents ?? 0,
        steps: record.lastStep,
        seconds: round(seconds, 3),
        stepsPerSecond: round(record.lastStep / seconds, 3),
      });
    }
    return figures;
  } finally {
    await server.close();
    router.close();
    await store.close();
  }
}

function spread(figures: RunFigure[]) {
  const rates = figures.map((figure) => figure.stepsPerSecond);
  const mean = rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
  const deviation = Math.sqrt(rates.reduce((sum, rate) => sum + (rate - mean) ** 2, 0) / rates.length);
  return {
    minStepsPerSecond: round(Math.min(...rates), 3),
    maxStepsPerSecond: round(Math.max(...rates), 3),
    maxOverMin: round(Math.max(...rates) / Math.min(...rates), 3),
    coefficientOfVariation: round(deviation / mean, 4),
  };
}

/** The shape of bench/results/concurrent-runs.json. */
export interface ConcurrentRunsResult extends ResultHeader {
  setup: { runs: number; agentsPerRun: number; steps: number; latencyMs: number; capacity: number };
  tenRuns: Array<{ seed: number; runs: RunFigure[] } & ReturnType<typeof spread>>;
  summary: { maxOverMin: number; coefficientOfVariation: number };
  busyAndSmall: Array<{
    seed: number;
    fair: { small: RunFigure; busy: RunFigure };
    fifo: { small: RunFigure; busy: RunFigure };
  }>;
  smallRunSpeedup: number;
}

/** `--pair-only`: only the busy-and-small experiment (the ten-run figures are left out of the file). */
const onlyPair = process.argv.includes('--pair-only');
const tenRuns: ConcurrentRunsResult['tenRuns'] = [];
const busyAndSmall: ConcurrentRunsResult['busyAndSmall'] = [];
for (const seed of seedList(2)) {
  if (!onlyPair) {
    const figures = await runTogether(
      Array.from({ length: 10 }, (_, index) => ({ name: `Run ${index + 1}`, agents: 50 })),
      true,
    );
    const measured = spread(figures);
    tenRuns.push({ seed, runs: figures, ...measured });
    console.log(
      `seed ${seed}: ten runs of 50 agents: ${measured.minStepsPerSecond}–${measured.maxStepsPerSecond} steps/s (max/min ${measured.maxOverMin}, CV ${measured.coefficientOfVariation})`,
    );
  }
  const pair = [
    { name: 'Busy', agents: Number(option('busy') ?? 200) },
    { name: 'Small', agents: 10 },
  ];
  const [busyFair, smallFair] = (await runTogether(pair, true)) as [RunFigure, RunFigure];
  const [busyFifo, smallFifo] = (await runTogether(pair, false)) as [RunFigure, RunFigure];
  busyAndSmall.push({
    seed,
    fair: { small: smallFair, busy: busyFair },
    fifo: { small: smallFifo, busy: busyFifo },
  });
  console.log(
    `seed ${seed}: small run next to a busy one: ${smallFair.stepsPerSecond} steps/s with the fair-share gate, ${smallFifo.stepsPerSecond} without`,
  );
}

await writeResult<ConcurrentRunsResult>('concurrent-runs', 'concurrent-runs.ts', {
  setup: { runs: 10, agentsPerRun: 50, steps, latencyMs, capacity },
  tenRuns,
  summary: {
    maxOverMin: median(tenRuns.map((sample) => sample.maxOverMin)),
    coefficientOfVariation: median(tenRuns.map((sample) => sample.coefficientOfVariation)),
  },
  busyAndSmall,
  smallRunSpeedup: round(
    median(busyAndSmall.map((sample) => sample.fair.small.stepsPerSecond / sample.fifo.small.stepsPerSecond)),
    2,
  ),
});
