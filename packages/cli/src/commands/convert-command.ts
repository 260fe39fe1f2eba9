import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { convertScenarioText, formatIssue } from '@sandtable/core';
import type { CommandIo } from '../command-io';

/** Options of `sandtable convert`. */
export interface ConvertOptions {
  /** Where to write the native YAML. @defaultValue standard output */
  out?: string;
}

/**
 * `sandtable convert FILE [--out FILE]`: reads a scenario in any supported format (native, seed
 * 004's YAML, seed 003's SimulationConfig JSON), writes it as native YAML and validates what it
 * wrote. Conversion notes (what was mapped loosely or dropped) go to stderr. Returns 1 when the
 * input cannot be read or converted, or the result does not validate (every problem printed as
 * file:line:column; an invalid result is still written, so its locations can be followed).
 */
export async function convertCommand(file: string, options: ConvertOptions, io: CommandIo): Promise<number> {
  if (options.out && resolve(options.out) === resolve(file)) {
    io.err(`${file}: --out names the input file; choose another file so the original is kept`);
    return 1;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    io.err(`${file}: cannot read: ${reason}`);
    return 1;
  }
  const conversion = convertScenarioText(text, { file, output: options.out ?? `${file} (converted)` });
  for (const note of conversion.notes) io.err(`note: ${note}`);
  if (conversion.text !== undefined) {
    if (options.out) {
      try {
        await writeFile(options.out, conversion.text);
      } catch (error) {
        io.err(`${options.out}: cannot write: ${(error as Error).message}`);
        return 1;
      }
    } else {
      io.out(conversion.text.trimEnd());
    }
  }
  if (conversion.issues.length > 0 || !conversion.scenario) {
    for (const issue of conversion.issues) io.err(formatIssue(issue));
    const count = conversion.issues.length;
    io.err(
      conversion.text === undefined
        ? `${file}: ${count} problem${count === 1 ? '' : 's'}; nothing written`
        : `${options.out ?? file}: the converted scenario has ${count} problem${count === 1 ? '' : 's'}`,
    );
    return 1;
  }
  const { scenario } = conversion;
  io.err(
    `${file} (${conversion.format}) → ${options.out ?? 'stdout'}: valid — "${scenario.name}", ${scenario.agents.length} agents, ${scenario.clock.steps} ${scenario.clock.unit}s`,
  );
  return 0;
}
