import type { ValidationIssue } from '../api/api-types';
import type { SweepCreateRequest, SweepValue } from '../api/sweep-api';

/** One row of the sweep form's parameter grid: a parameter and its values as typed. */
export interface SweepGridRow {
  parameter: string;
  /** Comma separated, e.g. `0.2, 0.8` or `true, false`. */
  values: string;
}

/** The sweep form as the user filled it in (every field as text). */
export interface SweepFormValues {
  scenarioId: string;
  name: string;
  /** How many seeds, from `firstSeed` on. */
  seedCount: string;
  firstSeed: string;
  /** Steps per run; empty for the scenario's. */
  steps: string;
  /** Members at once; empty for the server's default. */
  parallel: string;
  grid: SweepGridRow[];
}

/** Where in the form a problem belongs: a field, a grid row, or the form as a whole. */
export type SweepFormPlace =
  | { field: 'scenario' | 'name' | 'seeds' | 'steps' | 'parallel' }
  | { field: 'grid'; row?: number }
  | { field: 'form' };

/** A problem with the form, placed where the user should look. */
export interface SweepFormIssue {
  place: SweepFormPlace;
  message: string;
}

/** An empty form: three seeds from 1, the scenario's steps, the server's parallelism, no grid. */
export function emptySweepForm(scenarioId = ''): SweepFormValues {
  return { scenarioId, name: '', seedCount: '3', firstSeed: '1', steps: '', parallel: '', grid: [] };
}

/**
 * One grid value as typed: a number when it reads as one, `true`/`false` as booleans, anything
 * else as text (the server checks it against the parameter's type).
 */
export function parseSweepValue(text: string): SweepValue {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  return trimmed;
}

function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * The `POST /api/sweeps` body the form describes, or the problems that keep it from being sent
 * (what the page can tell before asking the server: blanks, non-numbers, a row without values).
 * The server's own checks (ranges, sizes, parameter names) come back as {@link placeServerIssues}.
 */
export function sweepRequestOf(form: SweepFormValues): {
  request?: SweepCreateRequest;
  issues: SweepFormIssue[];
} {
  const issues: SweepFormIssue[] = [];
  if (!form.scenarioId) issues.push({ place: { field: 'scenario' }, message: 'choose a scenario' });
  const count = wholeNumber(form.seedCount);
  const from = wholeNumber(form.firstSeed);
  if (count === undefined || count < 1)
    issues.push({
      place: { field: 'seeds' },
      message: 'the number of seeds is a whole number of at least 1',
    });
  if (from === undefined)
    issues.push({ place: { field: 'seeds' }, message: 'the first seed is a whole number of at least 0' });
  const steps = form.steps.trim() === '' ? undefined : wholeNumber(form.steps);
  if (form.steps.trim() !== '' && (steps === undefined || steps < 1))
    issues.push({ place: { field: 'steps' }, message: 'steps is a whole number of at least 1, or empty' });
  const parallel = form.parallel.trim() === '' ? undefined : wholeNumber(form.parallel);
  if (form.parallel.trim() !== '' && (parallel === undefined || parallel < 1))
    issues.push({
      place: { field: 'parallel' },
      message: 'parallel is a whole number of at least 1, or empty',
    });
  const grid: Record<string, SweepValue[]> = {};
  form.grid.forEach((row, index) => {
    const parameter = row.parameter.trim();
    const values = row.values
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (parameter === '' && values.length === 0) return;
    const place = { field: 'grid', row: index } as const;
    if (parameter === '') issues.push({ place, message: 'name the parameter' });
    else if (parameter in grid) issues.push({ place, message: `${parameter} is in the grid twice` });
    else if (values.length === 0) issues.push({ place, message: `give ${parameter} at least one value` });
    else grid[parameter] = values.map(parseSweepValue);
  });
  if (issues.length > 0) return { issues };
  const name = form.name.trim();
  return {
    issues,
    request: {
      scenarioId: form.scenarioId,
      seeds: { from: from as number, count: count as number },
      ...(name ? { name } : {}),
      ...(Object.keys(grid).length > 0 ? { grid } : {}),
      ...(steps !== undefined ? { steps } : {}),
      ...(parallel !== undefined ? { parallel } : {}),
    },
  };
}

/**
 * Places the server's validation issues on the form: `REQUEST_INVALID` paths name request fields
 * (`seeds.count`, `grid.rumour_strength[1]`, `parallel`), and `SCENARIO_INVALID` paths name the
 * scenario's parameters (`parameters.rumour_strength`), which are the grid's rows. Anything else
 * belongs to the form as a whole.
 */
export function placeServerIssues(
  issues: readonly ValidationIssue[],
  grid: readonly SweepGridRow[],
): SweepFormIssue[] {
  const rowOf = (parameter: string) => grid.findIndex((row) => row.parameter.trim() === parameter);
  return issues.map((issue) => {
    const path = issue.path ?? '';
    const [head = '', second = ''] = path.split(/[.[]/);
    const parameter = second.replace(/\]$/, '');
    const message = issue.message;
    if (head === 'scenarioId' || head === 'version') return { place: { field: 'scenario' }, message };
    if (head === 'name') return { place: { field: 'name' }, message };
    if (head === 'seeds') return { place: { field: 'seeds' }, message };
    if (head === 'steps') return { place: { field: 'steps' }, message };
    if (head === 'parallel') return { place: { field: 'parallel' }, message };
    if ((head === 'grid' || head === 'parameters') && parameter !== '') {
      const row = rowOf(parameter);
      return row >= 0
        ? { place: { field: 'grid', row }, message }
        : { place: { field: 'form' }, message: `${path}: ${message}` };
    }
    if (head === 'grid') return { place: { field: 'grid' }, message };
    return { place: { field: 'form' }, message: path ? `${path}: ${message}` : message };
  });
}

/** The issues that belong at one place of the form. */
export function issuesAt(issues: readonly SweepFormIssue[], place: SweepFormPlace): string[] {
  return issues
    .filter((issue) => {
      if (issue.place.field !== place.field) return false;
      if (issue.place.field === 'grid' && place.field === 'grid') return issue.place.row === place.row;
      return true;
    })
    .map((issue) => issue.message);
}
