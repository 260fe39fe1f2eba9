import { readFile } from 'node:fs/promises';
import { formatIssue, validateScenarioText } from '@sandtable/core';
import type { CommandIo } from '../command-io';

/** Validates each file, printing every problem as file:line:column; exit 1 when any is invalid. */
export async function validateCommand(files: string[], io: CommandIo): Promise<number> {
  let invalid = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      invalid += 1;
      io.err(
        `${file}: cannot read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message}`,
      );
      continue;
    }
    const validation = validateScenarioText(text, { file });
    const { scenario, issues } = validation;
    if (validation.notes?.length) {
      for (const note of validation.notes) io.err(`${file}: note: ${note}`);
    }
    if (scenario) {
      io.out(
        `${file}: valid — "${scenario.name}", ${scenario.agents.length} agents, ${scenario.clock.steps} ${scenario.clock.unit}s`,
      );
      continue;
    }
    invalid += 1;
    for (const issue of issues) io.err(formatIssue(issue));
    io.err(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
  }
  return invalid > 0 ? 1 : 0;
}
