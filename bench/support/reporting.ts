/**
 * What every benchmark shares: command-line options, medians and worst cases over seeds, tables,
 * and the JSON files under bench/results/ that RESULTS.md is generated from.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultHeader } from './result-types';

/** Where benchmark results go. */
export const resultsDirectory = join(import.meta.dirname, '..', 'results');

/** Reads `--name value` from the command line. */
export function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

/** The seeds to run: `--seeds N` (1 … N). @defaultValue 5 */
export function seedList(defaultCount = 5): number[] {
  const count = Number(option('seeds') ?? defaultCount);
  return Array.from({ length: Math.max(1, count) }, (_, index) => index + 1);
}

/** The median of some numbers (the lower middle one for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((first, second) => first - second);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** The worst of some numbers: the largest when `higherIsWorse`, else the smallest. */
export function worst(values: readonly number[], higherIsWorse: boolean): number {
  return higherIsWorse ? Math.max(...values) : Math.min(...values);
}

/** Median and worst of a figure over seeds. */
export interface Summary {
  median: number;
  worst: number;
}

/** {@link Summary} of a figure over samples. */
export function summarise<T>(
  samples: readonly T[],
  figure: (sample: T) => number,
  higherIsWorse: boolean,
): Summary {
  const values = samples.map(figure);
  return { median: round(median(values)), worst: round(worst(values, higherIsWorse)) };
}

/** Rounds to `digits` significant decimals (3 by default), keeping integers whole. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value * 10) / 10;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Seconds, from milliseconds, rounded. */
export function seconds(milliseconds: number): number {
  return round(milliseconds / 1000, 2);
}

/** The command that reruns a benchmark. */
export function commandLine(file: string): string {
  return ['npx tsx', `bench/${file}`, ...process.argv.slice(2)].join(' ');
}

/** Writes `bench/results/<name>.json` with the date, Node version and command. */
export async function writeResult<Result extends ResultHeader>(
  name: string,
  file: string,
  data: Omit<Result, keyof ResultHeader>,
): Promise<void> {
  await mkdir(resultsDirectory, { recursive: true });
  const body = {
    benchmark: name,
    command: commandLine(file),
    date: new Date().toISOString(),
    node: process.version,
    ...data,
  };
  await writeFile(join(resultsDirectory, `${name}.json`), `${JSON.stringify(body, null, 2)}\n`);
  console.log(`wrote bench/results/${name}.json`);
}
