import { Document, isMap, isPair, isScalar, type Node, parseDocument, visit } from 'yaml';
import type { Issue } from '../../errors';
import { GameMasterDefinition, gameMasterDefinitionOf } from '../../game-master/game-master-schema';
import type { Scenario } from '../scenario';
import { type ScenarioValidation, validateScenarioText } from '../scenario-loader';
import { ScenarioFileSchema } from '../scenario-schema';
import { formatPath, parseSource } from '../source-map';
import type { ScenarioFormat } from './detect-format';
import { normaliseScenarioData } from './normalise-scenario-data';
import { baseName, isRecord } from './seed-conversion';

/** The result of {@link convertScenarioText}. */
export interface ScenarioConversion {
  /** The input's format, when it could be parsed. */
  format?: ScenarioFormat;
  /** What was mapped loosely or dropped (also written as comments at the top of `text`). */
  notes: string[];
  /** The native scenario as YAML, when the input could be converted. */
  text?: string;
  /** The validated scenario, when `text` is valid. */
  scenario?: Scenario;
  /**
   * Every problem: syntax and conversion problems located in the input file, validation problems
   * located in the produced YAML (named `output`, or the input's name).
   */
  issues: Issue[];
}

/** Options of {@link convertScenarioText}. */
export interface ScenarioConversionOptions {
  /** The input's file name, for locations and the scenario's name. */
  file?: string;
  /** The name validation problems of the produced YAML are reported under. @defaultValue `file` */
  output?: string;
}

/** Top-level keys in the order a person reads a scenario; others follow in their own order. */
const keyOrder = [
  '$schema',
  'name',
  'description',
  'category',
  'seed',
  'goal',
  'clock',
  'execution',
  'parameters',
  'game_master',
  'variables',
  'agent_variables',
  'dynamics',
  'actions',
  'agents',
  'rooms',
  'events',
  'metrics',
  'termination',
];

/**
 * Renders a native scenario object as YAML: readable key order, multi-line texts as blocks, and
 * a comment on top saying where it came from and listing the conversion notes.
 */
export function stringifyScenario(
  data: Record<string, unknown>,
  provenance: { format: ScenarioFormat; file?: string; notes: readonly string[] },
): string {
  const ordered: Record<string, unknown> = {};
  for (const key of keyOrder) if (data[key] !== undefined) ordered[key] = data[key];
  for (const [key, value] of Object.entries(data))
    if (!(key in ordered) && value !== undefined) ordered[key] = value;
  const document = new Document(ordered);
  // Short lists of plain values read better on one line: `enum: [cooperate, compete, hold]`.
  visit(document, {
    Seq(_, node) {
      const items = node.items;
      if (items.every(isScalar) && items.map((item) => String(item.value)).join(', ').length <= 70)
        node.flow = true;
    },
  });
  const from = provenance.file ? `${baseName(provenance.file) ?? provenance.file} ` : '';
  document.commentBefore = [
    ` Converted from ${from}(${provenance.format} format) by \`sandtable convert\`.`,
    ...(provenance.notes.length > 0 ? [' Notes:', ...provenance.notes.map((note) => `   - ${note}`)] : []),
  ].join('\n');
  return document.toString({ lineWidth: 100, minContentWidth: 40, flowCollectionPadding: false });
}

/** The text with one top-level block replaced by spaces, so every other line keeps its number. */
function blankTopLevelKey(text: string, key: string): string {
  const document = parseDocument(text);
  if (!isMap(document.contents)) return text;
  const pair = document.contents.items.find(
    (item) => isPair(item) && isScalar(item.key) && item.key.value === key,
  );
  const start = (pair?.key as Node | undefined)?.range?.[0];
  const end = (pair?.value as Node | undefined)?.range?.[2];
  if (start === undefined || end === undefined) return text;
  return `${text.slice(0, start)}${text.slice(start, end).replace(/[^\n]/g, ' ')}${text.slice(end)}`;
}

/**
 * Validates native scenario text, game master block included, and returns the scenario with its
 * `gameMaster` settings. While the scenario schema does not know `game_master` yet, the block is
 * checked on its own and blanked out (in place, so lines stay where they are) for the rest.
 */
export function validateNativeText(text: string, options: { file?: string } = {}): ScenarioValidation {
  if ('game_master' in ScenarioFileSchema.shape) return validateScenarioText(text, options);
  const source = parseSource(text, options.file);
  const block = isRecord(source.data) ? source.data.game_master : undefined;
  if (block === undefined) return validateScenarioText(text, options);
  const settings = GameMasterDefinition.safeParse(block);
  const validation = validateScenarioText(blankTopLevelKey(text, 'game_master'), options);
  if (!settings.success) {
    const issues: Issue[] = settings.error.issues.map((issue) => {
      const path = ['game_master', ...(issue.path as Array<string | number>)];
      return { file: options.file, ...source.locate(path), path: formatPath(path), message: issue.message };
    });
    return { issues: [...issues, ...validation.issues] };
  }
  const { scenario } = validation;
  if (scenario && !gameMasterDefinitionOf(scenario)) Object.assign(scenario, { gameMaster: settings.data });
  return validation;
}

/**
 * Reads scenario text in any supported format (native, seed 004 YAML, seed 003 JSON), converts it
 * to native YAML and validates the result, so what `sandtable convert` writes is known to load.
 * Never throws: every problem comes back located.
 * @example
 * const { text, notes, issues } = convertScenarioText(await readFile('seed.yaml', 'utf8'), { file: 'seed.yaml' });
 */
export function convertScenarioText(
  text: string,
  options: ScenarioConversionOptions = {},
): ScenarioConversion {
  const { file } = options;
  const source = parseSource(text, file);
  if (source.syntaxIssues.length > 0) return { notes: [], issues: source.syntaxIssues };
  if (!isRecord(source.data)) {
    return {
      notes: [],
      issues: [{ file, line: 1, column: 1, message: 'a scenario must be a mapping of fields' }],
    };
  }
  const normalised = normaliseScenarioData(source.data, { ...(file ? { file } : {}) });
  const { format, notes } = normalised;
  if (normalised.issues.length > 0) {
    return {
      format,
      notes,
      issues: normalised.issues.map((issue) => ({
        file,
        ...source.locate(issue.path, { key: issue.atKey ?? false }),
        ...(issue.path.length > 0 ? { path: formatPath(issue.path) } : {}),
        message: issue.message,
      })),
    };
  }
  const output = stringifyScenario(normalised.data as Record<string, unknown>, {
    format,
    notes,
    ...(file ? { file } : {}),
  });
  const outputName = options.output ?? file;
  const validation = validateNativeText(output, outputName ? { file: outputName } : {});
  return {
    format,
    notes,
    text: output,
    ...(validation.scenario ? { scenario: validation.scenario } : {}),
    issues: validation.issues,
  };
}
