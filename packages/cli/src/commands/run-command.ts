import { join, resolve } from 'node:path';
import { createEngine, loadScenario } from '@sandtable/core';
import type { CommandIo } from '../command-io';
import { createLiveDisplay } from '../live-display';
import { createRunId, RunOutput } from '../run-output';
import { parseSetOptions } from '../set-options';

/** Options of `sandtable run`. */
export interface RunCommandOptions {
  steps?: number;
  seed?: number;
  out: string;
  set: string[];
  json?: boolean;
}

/** Exit codes: 0 done, 1 bad input, 2 run failed, 130 interrupted. */
export async function runCommand(file: string, options: RunCommandOptions, io: CommandIo): Promise<number> {
  const scenario = await loadScenario(file, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.steps !== undefined ? { steps: options.steps } : {}),
    parameters: parseSetOptions(options.set),
  });
  const run = createEngine().createRun(scenario);
  const directory = resolve(join(options.out, createRunId(scenario.name, scenario.seed)));
  const output = await RunOutput.open(directory, run);
  const display = options.json ? undefined : createLiveDisplay({ tty: io.isTty, write: io.out });
  if (options.json) run.subscribe((event) => io.out(JSON.stringify(event)));
  else run.subscribe((event) => display?.onEvent(event));

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.err('\nStopping after the current step (Ctrl-C again to quit at once)…');
    run.stop('interrupted (Ctrl-C)');
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    const result = await run.start();
    display?.close();
    await output.finish(run, result);
    const where = `Output: ${directory}`;
    if (result.status === 'failed') {
      io.err(`Run failed: ${result.reason}\n${where}`);
      return 2;
    }
    if (result.status === 'stopped') {
      io.err(`Stopped after step ${result.steps}; partial output (the completed steps) is in ${directory}`);
      return 130;
    }
    if (!options.json) io.out(where);
    return 0;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
