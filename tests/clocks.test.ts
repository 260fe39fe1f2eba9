import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, loadScenario, type RunEvent } from '@sandtable/core';
import { describe, expect, it } from 'vitest';

const directory = join(import.meta.dirname, '..', 'scenarios');
const files = (await readdir(directory)).filter((file) => file.endsWith('.yaml'));

async function run(file: string, clock: 'rounds' | 'events') {
  // The 10,000-agent scenario is cut short: its scale is measured in bench/, not here.
  const scenario = await loadScenario(join(directory, file), {
    clock,
    ...(file === 'bank-run.yaml' ? { steps: 3 } : {}),
  });
  const instance = createEngine().createRun(scenario);
  const events: string[] = [];
  instance.subscribe(({ wallTime, ...event }: RunEvent) => events.push(JSON.stringify(event)));
  const result = await instance.start();
  return { result, events };
}

describe('every shipped scenario runs under both clocks', () => {
  it.each(files)('%s', async (file) => {
    for (const clock of ['rounds', 'events'] as const) {
      const first = await run(file, clock);
      expect(first.result.status, `${file} under ${clock}`).toBe('completed');
      const second = await run(file, clock);
      expect(second.events, `${file} under ${clock} is deterministic`).toEqual(first.events);
    }
  });
});
