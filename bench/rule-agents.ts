/**
 * Rule-agent throughput and memory: runs the shipped 10,000-depositor bank-run scenario (rule
 * brains only, events consumed by a counting listener, no persistence yet) for N seeds and reports
 * agent-steps per second and peak memory. Usage: `npx tsx bench/rule-agents.ts [--seeds 3]`.
 * Prints a table and writes bench/results/rule-agents.json.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, loadScenario } from '@sandtable/core';

interface Sample {
  seed: number;
  agents: number;
  steps: number;
  seconds: number;
  agentStepsPerSecond: number;
  eventsPerSecond: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

const seedsArgument = process.argv.indexOf('--seeds');
const seedCount = seedsArgument > 0 ? Number(process.argv[seedsArgument + 1]) : 3;
const scenarioFile = join(import.meta.dirname, '..', 'scenarios', 'bank-run.yaml');

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

const samples: Sample[] = [];
for (let seed = 1; seed <= seedCount; seed++) samples.push(await measure(seed));
const rates = samples.map((sample) => sample.agentStepsPerSecond).sort((a, b) => a - b);
const summary = {
  benchmark: 'rule-agents',
  command: `npx tsx bench/rule-agents.ts --seeds ${seedCount}`,
  date: new Date().toISOString(),
  node: process.version,
  medianAgentStepsPerSecond: rates[Math.floor(rates.length / 2)],
  worstAgentStepsPerSecond: rates[0],
  medianAgentStepsPerMinute: (rates[Math.floor(rates.length / 2)] as number) * 60,
  peakRssMiB: Math.max(...samples.map((sample) => sample.peakRssMiB)),
  samples,
};
console.table(samples);
console.log(
  `median ${summary.medianAgentStepsPerSecond} agent-steps/s (${summary.medianAgentStepsPerMinute} per minute), worst ${summary.worstAgentStepsPerSecond}; peak RSS ${summary.peakRssMiB} MiB`,
);
await writeFile(
  join(import.meta.dirname, 'results', 'rule-agents.json'),
  `${JSON.stringify(summary, null, 2)}\n`,
);
