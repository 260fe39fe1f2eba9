import { SandtableError } from '@sandtable/core';

/** Parses repeated `--set name=value` options into parameter overrides. */
export function parseSetOptions(values: readonly string[] = []): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const entry of values) {
    const separator = entry.indexOf('=');
    if (separator <= 0) {
      throw new SandtableError('CLI_BAD_OPTION', `--set expects name=value, got "${entry}"`, {
        category: 'user',
      });
    }
    parameters[entry.slice(0, separator).trim()] = entry.slice(separator + 1).trim();
  }
  return parameters;
}
