import { parseDocument } from 'yaml';
import { z } from 'zod';
import { SandtableError } from '../errors';
import { createRandom } from '../random';

const scalar = z.union([z.number(), z.boolean(), z.string()]);

/** Seeds as a list, a range `"1..20"`, or `{ from, count }`. */
export const SeedSelection = z.union([
  z.array(z.number().int().nonnegative()).min(1),
  z.string().regex(/^\d+\.\.\d+$/, 'a seed range is written first..last, e.g. 1..20'),
  z.object({ from: z.number().int().nonnegative(), count: z.number().int().positive() }).strict(),
]);

/** A parameter drawn at random: uniformly from [min, max] (whole numbers with `integer`), or from `values`. */
export const RandomParameter = z.union([
  z.object({ min: z.number(), max: z.number(), integer: z.boolean().default(false) }).strict(),
  z.object({ values: z.array(scalar).min(1) }).strict(),
]);

/**
 * A sweep file: one scenario, a parameter grid and/or random samples, and seeds. Every parameter
 * setting runs once per seed. `scenario` is a path relative to the sweep file.
 */
export const SweepDefinition = z
  .object({
    name: z.string().min(1).optional(),
    scenario: z.string().min(1).describe('Scenario file, relative to the sweep file'),
    steps: z.number().int().positive().optional().describe('Steps per run (default: the scenario’s)'),
    seeds: SeedSelection.default([1]),
    grid: z
      .record(z.string(), z.array(scalar).min(1))
      .default({})
      .describe('Parameter → values; every combination runs'),
    random: z
      .object({
        samples: z.number().int().positive(),
        seed: z.number().int().nonnegative().default(1),
        parameters: z.record(z.string(), RandomParameter),
      })
      .strict()
      .optional()
      .describe('Random parameter settings, drawn reproducibly from `seed` (combined with every grid cell)'),
    parallel: z.number().int().positive().default(2).describe('Runs in flight at once'),
    metrics: z
      .array(z.string().min(1))
      .optional()
      .describe('Metrics to report (default: every non-built-in metric and the counts)'),
  })
  .strict();

export type SweepDefinitionInput = z.input<typeof SweepDefinition>;
export type SweepDefinition = z.output<typeof SweepDefinition>;

/** One run of a sweep: a parameter setting and a seed. */
export interface SweepMember {
  index: number;
  /** Index of the parameter setting (grid cell × random sample). */
  setting: number;
  parameters: Record<string, number | boolean | string>;
  seed: number;
}

/** The runs a sweep expands into. */
export interface SweepPlan {
  settings: Array<Record<string, number | boolean | string>>;
  seeds: number[];
  members: SweepMember[];
}

/** The seeds a selection names, in order. */
export function expandSeeds(selection: z.output<typeof SeedSelection>): number[] {
  if (Array.isArray(selection)) return [...selection];
  if (typeof selection === 'string') {
    const [first, last] = selection.split('..').map(Number) as [number, number];
    if (last < first)
      throw new SandtableError('SWEEP_INVALID', `seeds ${selection}: the last seed is before the first`, {
        category: 'user',
      });
    return Array.from({ length: last - first + 1 }, (_, index) => first + index);
  }
  return Array.from({ length: selection.count }, (_, index) => selection.from + index);
}

/**
 * Expands a sweep into its members: the grid's combinations (in the order the file lists the
 * parameters and values), each combined with every random sample, each run once per seed.
 * Deterministic: random samples come from `random.seed`.
 */
export function expandSweep(definition: SweepDefinition): SweepPlan {
  let settings: Array<Record<string, number | boolean | string>> = [{}];
  for (const [name, values] of Object.entries(definition.grid))
    settings = settings.flatMap((setting) => values.map((value) => ({ ...setting, [name]: value })));
  if (definition.random) {
    const { samples, seed, parameters } = definition.random;
    const drawn = Array.from({ length: samples }, (_, sample) => {
      const random = createRandom(seed, ['sweep', sample]);
      const values: Record<string, number | boolean | string> = {};
      for (const [name, parameter] of Object.entries(parameters)) {
        if ('values' in parameter)
          values[name] = parameter.values[Math.floor(random.next() * parameter.values.length)] as
            | number
            | boolean
            | string;
        else {
          const value = parameter.min + random.next() * (parameter.max - parameter.min);
          values[name] = parameter.integer ? Math.round(value) : Number(value.toPrecision(6));
        }
      }
      return values;
    });
    settings = settings.flatMap((setting) => drawn.map((values) => ({ ...setting, ...values })));
  }
  const seeds = expandSeeds(definition.seeds);
  const members: SweepMember[] = [];
  settings.forEach((parameters, setting) => {
    for (const seed of seeds) members.push({ index: members.length, setting, parameters, seed });
  });
  return { settings, seeds, members };
}

/**
 * Reads a sweep file's text (YAML or JSON).
 * @throws {@link SandtableError} `SWEEP_INVALID` naming the file, line and field of every problem
 */
export function parseSweepDefinition(text: string, file = 'sweep.yaml'): SweepDefinition {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const line = error?.linePos?.[0];
    throw new SandtableError(
      'SWEEP_INVALID',
      `${file}${line ? `:${line.line}:${line.col}` : ''}: ${error?.message ?? 'not YAML'}`,
      {
        category: 'user',
      },
    );
  }
  const parsed = SweepDefinition.safeParse(document.toJS());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const node = document.getIn(issue.path as Array<string | number>, true) as
        | { range?: [number, number] }
        | undefined;
      const offset = node?.range?.[0];
      const line = offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
      return `${file}${line ? `:${line}` : ''}: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    });
    throw new SandtableError('SWEEP_INVALID', problems.join('\n'), { category: 'user' });
  }
  return parsed.data;
}
