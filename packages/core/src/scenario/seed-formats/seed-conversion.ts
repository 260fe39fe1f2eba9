import type { GameMasterDefinitionInput } from '../../game-master/game-master-schema';
import type { PathIssue } from '../scenario-checks';
import type { ScenarioFileInput } from '../scenario-schema';

/** A native scenario file object, with the game master block (which the loader validates too). */
export type NativeScenarioInput = ScenarioFileInput & { game_master?: GameMasterDefinitionInput };

/** One native variable definition, as written in a file. */
export type NativeVariable = NonNullable<ScenarioFileInput['variables']>[string];

/** One native action definition, as written in a file. */
export type NativeAction = NonNullable<ScenarioFileInput['actions']>[number];

/**
 * What converting a seed-format file gives: the native file object, notes on what was mapped
 * loosely or dropped, and problems in the input (paths are the input's, so they can be located).
 */
export interface SeedConversion {
  file: NativeScenarioInput;
  notes: string[];
  issues: PathIssue[];
}

/** Options of the converters. */
export interface ConversionOptions {
  /** The input's file name; its base name names the scenario when the input has no name. */
  file?: string;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A positive whole number, or undefined. */
export function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The file's base name without directories or extension, e.g. `seed-004-geopolitics`. */
export function baseName(file: string | undefined): string | undefined {
  if (!file) return undefined;
  const name = file
    .split(/[\\/]/)
    .pop()
    ?.replace(/\.(ya?ml|json)$/i, '');
  return name || undefined;
}

/** Agent ids from names: `Agent A` → `agent-a`, unique within one conversion. */
export class AgentIdAllocator {
  private readonly used = new Set<string>();

  /** A new id for this name; `fallback` (e.g. `agent-3`) when the name has no letters or digits. */
  allocate(name: string, fallback: string): string {
    const slug =
      name
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || fallback;
    let id = slug;
    for (let suffix = 2; this.used.has(id); suffix++) id = `${slug}-${suffix}`;
    this.used.add(id);
    return id;
  }
}

/** A name usable in expressions: `oil price` → `oil_price`, `2025_budget` → `_2025_budget`. */
export function toIdentifier(name: string): string {
  const cleaned = name
    .trim()
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (cleaned === '') return '_';
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** The native type for a value whose type is not declared. JSON has no int/float distinction, so numbers are `float`. */
export function inferVariable(value: unknown): { definition: NativeVariable; note?: string } {
  if (typeof value === 'boolean') return { definition: { type: 'bool', default: value } };
  if (typeof value === 'number') return { definition: { type: 'float', default: value } };
  if (typeof value === 'string') return { definition: { type: 'string', default: value } };
  if (Array.isArray(value) && value.every((item) => ['number', 'boolean', 'string'].includes(typeof item)))
    return { definition: { type: 'list', default: value as Array<number | boolean | string> } };
  return {
    definition: { type: 'string', default: JSON.stringify(value ?? null) },
    note: 'holds JSON text (type string): the native format has no nested values',
  };
}

/**
 * The generic action agents of the seed formats get: those seeds' agents answer in natural
 * language and the world (a game master, or nobody) interprets it. A stance gives rule-based
 * agents something to choose between; the statement says the rest. No effects: the seeds make
 * the engine, not the agents, authoritative over the variables.
 */
export function actAction(stances: readonly string[]): NativeAction {
  return {
    name: 'act',
    description:
      'Say what you do this step, in your own words. You cannot set variables yourself: the world decides what your action leads to.',
    parameters: {
      stance: { type: 'string', enum: [...stances], description: 'The kind of move you make' },
      statement: {
        type: 'string',
        description: 'What you do or say, in a sentence or two',
        default: 'I hold my course and watch how the others move.',
      },
    },
    utility: '0.1',
    message: '{{self.name}} ({{args.stance}}): {{args.statement}}',
  };
}
