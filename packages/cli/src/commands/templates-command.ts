import { loadTemplateCatalogue, type ScenarioTemplate, type TemplateParameter } from '@sandtable/core';
import type { CommandIo } from '../command-io';

/** Options of `sandtable templates`. */
export interface TemplatesOptions {
  /** Print the catalogue as JSON instead of a table. @defaultValue false */
  json?: boolean;
  /** A folder of templates instead of the shipped ones. */
  directory?: string;
}

function describeParameter(name: string, parameter: TemplateParameter): string {
  const range =
    parameter.values !== undefined
      ? ` (${parameter.values.join('|')})`
      : parameter.min !== undefined || parameter.max !== undefined
        ? ` [${parameter.min ?? ''}–${parameter.max ?? ''}]`
        : '';
  return `${name}=${parameter.default}${range}`;
}

function summary(template: ScenarioTemplate) {
  return {
    name: template.name,
    category: template.category,
    summary: template.summary,
    question: template.question,
    keyParameter: template.keyParameter,
    keyMetric: template.keyMetric,
    parameters: template.parameters,
  };
}

/**
 * `sandtable templates [--json]`: lists the scenario templates — name, category, one line, and
 * each parameter with its default and range — grouped by category.
 */
export async function templatesCommand(options: TemplatesOptions, io: CommandIo): Promise<number> {
  const catalogue = await loadTemplateCatalogue(options.directory);
  const templates = catalogue.list();
  if (options.json) {
    io.out(JSON.stringify(templates.map(summary), null, 2));
    return 0;
  }
  let category = '';
  for (const template of templates) {
    if (template.category !== category) {
      category = template.category;
      io.out(`\n${category}`);
    }
    io.out(`  ${template.name.padEnd(24)} ${template.summary}`);
    io.out(
      `  ${''.padEnd(24)} ${Object.entries(template.parameters)
        .map(([name, parameter]) => describeParameter(name, parameter))
        .join(', ')}`,
    );
  }
  io.out(
    `\n${templates.length} templates. Write one: sandtable new --template NAME --set name=value --out FILE, or sandtable new "a sentence"`,
  );
  return 0;
}
