import { writeFile } from 'node:fs/promises';
import { compareRuns, readRunFolder, renderComparisonMarkdown, SandtableError } from '@sandtable/core';
import type { CommandIo } from '../command-io';
import { resolveRunFolder } from './brief-command';

/** Options of `sandtable compare`. */
export interface CompareCommandOptions {
  /** Print the comparison as JSON instead of Markdown. */
  json?: boolean;
  /** Also write the Markdown (or JSON) to this file. */
  out?: string;
}

/**
 * `sandtable compare RUN_DIR RUN_DIR…`: two or more runs side by side — what differs (seed,
 * parameters), where the event logs first diverge, final values with deltas against the first
 * run, the main series, end-state differences and each brief's headline.
 */
export async function compareCommand(
  directories: string[],
  options: CompareCommandOptions,
  io: CommandIo,
): Promise<number> {
  if (directories.length < 2)
    throw new SandtableError('CLI_BAD_OPTION', 'compare needs at least two run folders', {
      category: 'user',
    });
  const runs = await Promise.all(
    directories.map(async (directory) => readRunFolder(await resolveRunFolder(directory))),
  );
  const comparison = compareRuns(runs);
  const text = options.json
    ? JSON.stringify(
        comparison,
        (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
        2,
      )
    : renderComparisonMarkdown(comparison);
  io.out(text);
  if (options.out) await writeFile(options.out, `${text}\n`);
  return 0;
}
