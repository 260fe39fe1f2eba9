import { parse } from 'yaml';
import { z } from 'zod';
import { formatIssue, type Issue, SandtableError } from '../../errors';

/**
 * What the plain-English matcher looks for in a sentence to fill a parameter:
 * - `place`: a capitalised name ("Rotterdam", "New Orleans"); several `place` parameters take the
 *   names in the order they appear
 * - `month`: a month name ("in March")
 * - `duration`: "3-week", "10 days", "a fortnight", converted to the parameter's `unit`
 * - `percent`: "25%", "25 percent", "75 basis points" (0.75), as the percentage number
 * - `amount`: money ("$2 billion", "€40m"), in millions
 * - `count`: a number followed by one of the parameter's `nouns` ("8 boats", "5,000 depositors")
 * - `magnitude`: an earthquake magnitude ("magnitude 7.1", "a 6.8 quake")
 */
export const recognisedKinds = [
  'place',
  'month',
  'duration',
  'percent',
  'amount',
  'count',
  'magnitude',
] as const;

/** A kind of value the matcher recognises in a sentence. */
export type RecognisedKind = (typeof recognisedKinds)[number];

const TemplateParameterSchema = z.strictObject({
  type: z.enum(['int', 'float', 'string']),
  default: z.union([z.number(), z.string()]),
  min: z.number().optional(),
  max: z.number().optional(),
  description: z.string().min(1),
  /** For `string`: the only values allowed. */
  values: z.array(z.string().min(1)).min(2).optional(),
  recognise: z.enum(recognisedKinds).optional(),
  /** For `duration`: the clock unit the number is in. */
  unit: z.enum(['hour', 'day', 'week', 'month']).optional(),
  /** For `amount`: the unit the parameter counts money in. @defaultValue million */
  money_unit: z.enum(['thousand', 'million', 'billion']).optional(),
  /** For `count`: the nouns that may follow the number (singular; plurals match too). */
  nouns: z.array(z.string().min(1)).optional(),
});

/** One template parameter: filled into `{{name}}` placeholders in the template's body. */
export type TemplateParameter = z.output<typeof TemplateParameterSchema>;

const parameterName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case');

/** The `template:` header of a template file. */
export const TemplateHeaderSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case'),
  category: z.enum([
    'commodity',
    'logistics',
    'macro',
    'regulatory',
    'disaster',
    'geopolitical',
    'social',
    'market',
  ]),
  summary: z.string().min(1),
  question: z.string().min(1),
  keywords: z.array(z.string().min(2)).min(3),
  key_parameter: parameterName,
  key_metric: z.string().min(1),
  parameters: z.record(parameterName, TemplateParameterSchema),
});

/** A scenario template: its header and the scenario text with `{{parameter}}` placeholders. */
export interface ScenarioTemplate {
  name: string;
  category: z.output<typeof TemplateHeaderSchema>['category'];
  /** One line: what happens. */
  summary: string;
  /** The question a run answers. */
  question: string;
  /** Words (and `word*` prefixes, and phrases) that make a sentence match this template. */
  keywords: string[];
  keyParameter: string;
  keyMetric: string;
  parameters: Record<string, TemplateParameter>;
  /** The scenario body: native scenario YAML with `{{name}}` placeholders. */
  body: string;
  /** Where the template was read from. */
  source?: string;
}

/** Thrown for a template file that is itself broken (a bug in the library, not in user input). */
export class TemplateError extends SandtableError {
  readonly issues: Issue[];

  constructor(code: string, message: string, issues: Issue[] = [], category: 'user' | 'system' = 'user') {
    super(
      code,
      issues.length ? `${message}\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}` : message,
      {
        category,
      },
    );
    this.name = 'TemplateError';
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

const separator = /^---[ \t]*$/m;
const placeholder = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

/**
 * Reads a template file: a YAML document holding only `template:` (name, category, summary,
 * question, keywords, key parameter and metric, parameters), a `---` line, then the scenario in
 * the native format with `{{parameter}}` placeholders. The header is plain YAML; the body becomes
 * YAML only once filled, which is why the two are separate documents.
 * @throws {TemplateError} `TEMPLATE_BROKEN` (category system) when the header is invalid, a
 * placeholder names no parameter, or a parameter's default is outside its bounds
 */
export function parseTemplate(text: string, source?: string): ScenarioTemplate {
  const match = separator.exec(text);
  const where = source ?? 'template';
  if (!match)
    throw new TemplateError(
      'TEMPLATE_BROKEN',
      `${where}: no "---" line between the template header and the scenario`,
      [],
      'system',
    );
  const headerText = text.slice(0, match.index);
  const body = text.slice(match.index + match[0].length).replace(/^\r?\n/, '');
  let data: unknown;
  try {
    data = parse(headerText);
  } catch (error) {
    throw new TemplateError(
      'TEMPLATE_BROKEN',
      `${where}: header is not YAML: ${(error as Error).message}`,
      [],
      'system',
    );
  }
  const parsed = z.strictObject({ template: TemplateHeaderSchema }).safeParse(data);
  if (!parsed.success) {
    throw new TemplateError(
      'TEMPLATE_BROKEN',
      `${where}: invalid template header`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      'system',
    );
  }
  const header = parsed.data.template;
  const issues: Issue[] = [];
  // Other {{…}} placeholders belong to action message templates ({{self.name}}, {{freight_rate}})
  // and are left for the run to fill, so a parameter must not share a global variable's name.
  for (const name of globalVariableNames(body)) {
    if (header.parameters[name]) {
      issues.push({
        path: `template.parameters.${name}`,
        message: 'has the name of a global variable of the scenario',
      });
    }
  }
  for (const [name, parameter] of Object.entries(header.parameters)) {
    const problem = checkValue(parameter, parameter.default);
    if (problem) issues.push({ path: `template.parameters.${name}.default`, message: problem });
    if (!body.includes(`{{${name}}}`))
      issues.push({ path: `template.parameters.${name}`, message: 'is never used in the scenario' });
  }
  if (!header.parameters[header.key_parameter]) {
    issues.push({ path: 'template.key_parameter', message: `"${header.key_parameter}" is not a parameter` });
  }
  if (issues.length > 0)
    throw new TemplateError('TEMPLATE_BROKEN', `${where}: template is broken`, issues, 'system');
  return {
    name: header.name,
    category: header.category,
    summary: header.summary,
    question: header.question,
    keywords: header.keywords,
    keyParameter: header.key_parameter,
    keyMetric: header.key_metric,
    parameters: header.parameters,
    body,
    ...(source ? { source } : {}),
  };
}

/** Names declared under the body's top-level `variables:` block (two-space indented keys). */
function globalVariableNames(body: string): string[] {
  const block = /^variables:[^\n]*\n((?:[ \t]+[^\n]*\n|\s*\n)*)/m.exec(body)?.[1] ?? '';
  return [...block.matchAll(/^ {2}([a-z][a-z0-9_]*):/gm)].map((found) => found[1] as string);
}

/**
 * Text values must stay plain words inside YAML and CEL: no quotes, colons, hashes, braces or
 * commas that would change the structure of the filled file.
 */
const safeText = /^[\p{L}\p{N}][\p{L}\p{N} .'’&-]{0,59}$/u;

/** Why `value` is not acceptable for `parameter`, or undefined when it is. */
export function checkValue(parameter: TemplateParameter, value: unknown): string | undefined {
  if (parameter.type === 'string') {
    if (typeof value !== 'string') return `expected text, got ${JSON.stringify(value)}`;
    if (parameter.values && !parameter.values.includes(value)) {
      return `"${value}" is not one of: ${parameter.values.join(', ')}`;
    }
    if (!safeText.test(value)) {
      return `"${value}" must be 1–60 letters, digits, spaces, . ' & or - (starting with a letter or digit)`;
    }
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    return `expected a number, got ${JSON.stringify(value)}`;
  if (parameter.type === 'int' && !Number.isInteger(value)) return `${value} is not a whole number`;
  if (
    (parameter.min !== undefined && value < parameter.min) ||
    (parameter.max !== undefined && value > parameter.max)
  ) {
    return `${value} is outside [${parameter.min ?? '-∞'}, ${parameter.max ?? '∞'}]`;
  }
  return undefined;
}

/** Every `{{name}}` placeholder pattern, for filling. */
export const placeholderPattern = placeholder;
