import type { Issue } from '../../errors';
import type { Scenario } from '../scenario';
import { validateScenarioText } from '../scenario-loader';
import { checkValue, placeholderPattern, type ScenarioTemplate, TemplateError } from './scenario-template';

/** A value given for a template parameter: from `--set` (text) or from code. */
export type TemplateValue = string | number;

/** A filled template: the scenario text, the values used and the validated scenario. */
export interface FilledTemplate {
  template: ScenarioTemplate;
  /** Every parameter's value, defaults included. */
  values: Record<string, string | number>;
  /** Parameters the caller set (the rest kept their defaults). */
  setParameters: string[];
  /** Native scenario YAML, first line the schema comment when `schemaPath` was given. */
  text: string;
  scenario: Scenario;
}

/** Options of {@link fillTemplate}. */
export interface FillTemplateOptions {
  /** Written in the `$schema` comment on the first line (relative to where the file goes). */
  schemaPath?: string;
  /** Extra comment lines after the header (e.g. what a sentence matcher guessed). */
  notes?: string[];
}

function convert(template: ScenarioTemplate, name: string, raw: TemplateValue): string | number | Issue {
  const parameter = template.parameters[name];
  if (!parameter) {
    return {
      path: `parameters.${name}`,
      message: `template "${template.name}" has no parameter "${name}"; its parameters: ${Object.keys(template.parameters).join(', ')}`,
    };
  }
  let value: string | number = raw;
  if (parameter.type !== 'string' && typeof raw === 'string') {
    value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (Number.isNaN(value)) return { path: `parameters.${name}`, message: `"${raw}" is not a number` };
  }
  if (parameter.type === 'string') value = String(raw).trim();
  const problem = checkValue(parameter, value);
  return problem ? { path: `parameters.${name}`, message: problem } : value;
}

/** Formats a number as a YAML/CEL literal: floats keep a decimal point so CEL reads them as doubles. */
function literal(template: ScenarioTemplate, name: string, value: string | number): string {
  if (typeof value === 'string') return value;
  if (template.parameters[name]?.type === 'float')
    return Number.isInteger(value) ? `${value}.0` : String(value);
  return String(value);
}

/**
 * Fills a template's placeholders with the given values (defaults for the rest) and validates the
 * result as a scenario.
 * @throws {TemplateError} `TEMPLATE_PARAMETER_UNKNOWN` (listing the template's parameters) or
 * `TEMPLATE_PARAMETER_INVALID` (wrong type, outside its bounds, unsafe text), both category user;
 * `TEMPLATE_RESULT_INVALID` when the filled scenario does not validate (e.g. an event step past a
 * shortened clock), with every issue
 * @example
 * const filled = fillTemplate(catalogue.get('port-strike'), { port: 'Rotterdam', duration_days: '21' });
 */
export function fillTemplate(
  template: ScenarioTemplate,
  given: Record<string, TemplateValue> = {},
  options: FillTemplateOptions = {},
): FilledTemplate {
  const values: Record<string, string | number> = {};
  for (const [name, parameter] of Object.entries(template.parameters)) values[name] = parameter.default;
  const unknown: Issue[] = [];
  const invalid: Issue[] = [];
  for (const [name, raw] of Object.entries(given)) {
    const converted = convert(template, name, raw);
    if (typeof converted === 'object') (template.parameters[name] ? invalid : unknown).push(converted);
    else values[name] = converted;
  }
  if (unknown.length > 0) {
    throw new TemplateError(
      'TEMPLATE_PARAMETER_UNKNOWN',
      `unknown parameter for template "${template.name}"`,
      unknown,
    );
  }
  if (invalid.length > 0) {
    throw new TemplateError(
      'TEMPLATE_PARAMETER_INVALID',
      `invalid value for template "${template.name}"`,
      invalid,
    );
  }
  const body = template.body.replace(placeholderPattern, (whole, name: string) =>
    name in values ? literal(template, name, values[name] as string | number) : whole,
  );
  const setParameters = Object.keys(given);
  const header = [
    ...(options.schemaPath ? [`# yaml-language-server: $schema=${options.schemaPath}`] : []),
    `# Written by \`sandtable new\` from template "${template.name}" (${template.category}).`,
    `# Parameters: ${Object.entries(values)
      .map(([name, value]) => `${name}=${value}${setParameters.includes(name) ? '' : ' (default)'}`)
      .join(', ')}`,
    ...(options.notes ?? []).map((note) => `# ${note}`),
  ];
  const text = `${header.join('\n')}\n${body}`;
  const validation = validateScenarioText(text, { file: `template ${template.name}` });
  if (!validation.scenario) {
    throw new TemplateError(
      'TEMPLATE_RESULT_INVALID',
      `template "${template.name}" with ${setParameters.map((name) => `${name}=${values[name]}`).join(', ') || 'its defaults'} does not give a valid scenario`,
      validation.issues,
    );
  }
  return { template, values, setParameters, text, scenario: validation.scenario };
}
