/**
 * Rule-agent throughput and memory: runs the shipped 10,000-depositor bank-run scenario (rule
 * brains only, events consumed by a counting listener) for N seeds and reports agent-steps per
 * second and peak memory; then, each in a fresh process, the heap per agent of a run of 10,000 and
 * of 100,000 depositors after two steps. Persistence does not exist yet: every figure is with
 * persistence off. Usage: `npx tsx bench/rule-agents.ts [--seeds 5]`. Prints tables and writes
 * bench/results/rule-agents.json.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, loadScenario, parseScenario } from '@sandtable/core';
import { option, round, seedList, writeResult } from './support/reporting';
import type { MemorySample, RuleAgentsResult, RuleAgentsSample as Sample } from './support/result-types';

const scenarioFile = join(import.meta.dirname, '..', 'scenarios', 'bank-run.yaml');
const memoryAgents = [10_000, 100_000];

async function measure(seed: number): Promise<Sample> {
  // rumour_strength 0.2 with the backstop keeps the bank alive, so every run lasts all 30 steps.
  const scenario = await loadScenario(scenarioFile, { seed, parameters: { rumour_strength: 0.2 } });
  const run = createEngine().createRun(scenario);
  let events = 0;
  let peakRss = 0;
  let peakHeap = 0;
  run.subscribe((event) => {
    events += 1;
    if (event.type === 'step-completed') {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
    }
  });
  const started = performance.now();
  const result = await run.start();
  const seconds = (performance.now() - started) / 1000;
  const agentSteps = scenario.agents.length * result.steps;
  return {
    seed,
    agents: scenario.agents.length,
    steps: result.steps,
    seconds: Number(seconds.toFixed(2)),
    agentStepsPerSecond: Math.round(agentSteps / seconds),
    eventsPerSecond: Math.round(events / seconds),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    peakHeapMiB: Math.round(peakHeap / 2 ** 20),
  };
}

/** In a process of its own (`--memory-agents N --seed S`, with `--expose-gc`): heap per agent. */
async function measureMemory(agents: number, seed: number): Promise<MemorySample> {
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const text = (await readFile(scenarioFile, 'utf8')).replace('count: 10000', `count: ${agents - 2}`);
  collect();
  const before = process.memoryUsage();
  const scenario = parseScenario(text, { file: scenarioFile, seed, parameters: { rumour_strength: 0.2 } });
  scenario.clock.steps = 2;
  const run = createEngine().createRun(scenario);
  await run.start();
  collect();
  const after = process.memoryUsage();
  const total = scenario.agents.length;
  // The run must still be alive when the heap is measured.
  if (run.status !== 'completed') throw new Error(`the memory run ${run.status}`);
  return {
    seed,
    agents: total,
    heapBytesPerAgent: Math.round((after.heapUsed - before.heapUsed) / total),
    rssBytesPerAgent: Math.round((after.rss - before.rss) / total),
  };
}

const memoryOption = option('memory-agents');
if (memoryOption !== undefined) {
  console.log(JSON.stringify(await measureMemory(Number(memoryOption), Number(option('seed') ?? 1))));
} else {
  const samples: Sample[] = [];
  for (const seed of seedList(3)) samples.push(await measure(seed));
  const rates = samples.map((sample) => sample.agentStepsPerSecond).sort((a, b) => a - b);
  console.table(samples);
  const memory: MemorySample[] = [];
  for (const agents of memoryAgents) {
    for (const seed of seedList(3)) {
      const output = execFileSync(
        process.execPath,
        [
          '--expose-gc',
          '--import',
          'tsx',
          import.meta.filename,
          '--memory-agents',
          String(agents),
          '--seed',
          String(seed),
        ],
        { encoding: 'utf8' },
      );
      memory.push(JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as MemorySample);
    }
  }
  console.table(memory);
  const memorySummary = memoryAgents.map((agents) => {
    const heap = memory
      .filter((sample) => sample.agents === agents)
      .map((sample) => sample.heapBytesPerAgent);
    const sorted = [...heap].sort((a, b) => a - b);
    return {
      agents,
      medianHeapBytesPerAgent: sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN,
      worstHeapBytesPerAgent: sorted.at(-1) ?? Number.NaN,
    };
  });
  const summary = {
    persistence: 'off (persistence is not built yet)',
    medianAgentStepsPerSecond: rates[Math.floor(rates.length / 2)] as number,
    worstAgentStepsPerSecond: rates[0] as number,
    medianAgentStepsPerMinute: (rates[Math.floor(rates.length / 2)] as number) * 60,
    worstAgentStepsPerMinute: (rates[0] as number) * 60,
    peakRssMiB: Math.max(...samples.map((sample) => sample.peakRssMiB)),
    memory: memorySummary,
  };
  console.log(
    `median ${summary.medianAgentStepsPerSecond} agent-steps/s (${summary.medianAgentStepsPerMinute} per minute), worst ${summary.worstAgentStepsPerSecond}; peak RSS ${summary.peakRssMiB} MiB; heap per agent ${memorySummary.map((entry) => `${entry.agents}: ${round(entry.medianHeapBytesPerAgent ?? Number.NaN)} B`).join(', ')}`,
  );
  await writeResult<RuleAgentsResult>('rule-agents', 'rule-agents.ts', {
    ...summary,
    samples,
    memorySamples: memory,
  });
}
