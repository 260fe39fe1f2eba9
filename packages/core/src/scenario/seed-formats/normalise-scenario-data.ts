import type { PathIssue } from '../scenario-checks';
import { detectFormat, type ScenarioFormat } from './detect-format';
import { convertSeed003 } from './seed-003-format';
import { convertSeed004 } from './seed-004-format';
import type { ConversionOptions, NativeScenarioInput, SeedConversion } from './seed-conversion';

/** Parsed scenario data in the native shape, with what the conversion had to say. */
export interface NormalisedScenarioData {
  /** The native file object (the input itself when it was native already). */
  data: unknown;
  format: ScenarioFormat;
  /** What was mapped loosely or dropped, one sentence each. Empty for native input. */
  notes: string[];
  /** Problems in the input, with paths into the input (locate them in the source text). */
  issues: PathIssue[];
}

/**
 * Converts parsed data of a given format to a native scenario file object.
 * @example
 * const { file, notes } = convertToNative(YAML.parse(text), 'seed-004');
 */
export function convertToNative(
  data: unknown,
  format: ScenarioFormat,
  options: ConversionOptions = {},
): SeedConversion {
  switch (format) {
    case 'native':
      return { file: data as NativeScenarioInput, notes: [], issues: [] };
    case 'seed-004':
      return convertSeed004(data, options);
    case 'seed-003':
      return convertSeed003(data, options);
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}

/**
 * Detects the format of parsed scenario data (YAML or JSON, before schema validation) and
 * converts seed formats to the native shape; native data passes through untouched. The loader
 * calls it between parsing and validation, so seed 004's YAML and seed 003's JSON load as written.
 */
export function normaliseScenarioData(
  data: unknown,
  options: ConversionOptions = {},
): NormalisedScenarioData {
  const format = detectFormat(data);
  if (format === 'native') return { data, format, notes: [], issues: [] };
  const { file, notes, issues } = convertToNative(data, format, options);
  return { data: file, format, notes, issues };
}
