import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTemplate, type ScenarioTemplate, TemplateError } from './scenario-template';

/** The repository's `scenarios/templates/` folder, where the shipped templates live. */
export const defaultTemplateDirectory = fileURLToPath(
  new URL('../../../../../scenarios/templates/', import.meta.url),
);

/** The JSON Schema of the scenario format, next to the templates (for `$schema` comments). */
export const scenarioSchemaFile = fileURLToPath(
  new URL('../../../../../docs/scenario.schema.json', import.meta.url),
);

/** The templates of a folder, by name, in category order. */
export class TemplateCatalogue {
  readonly #templates: Map<string, ScenarioTemplate>;

  constructor(templates: ScenarioTemplate[]) {
    const order = [
      'commodity',
      'logistics',
      'macro',
      'regulatory',
      'disaster',
      'geopolitical',
      'social',
      'market',
    ];
    const sorted = [...templates].sort(
      (a, b) => order.indexOf(a.category) - order.indexOf(b.category) || a.name.localeCompare(b.name),
    );
    this.#templates = new Map();
    for (const template of sorted) {
      if (this.#templates.has(template.name)) {
        throw new TemplateError(
          'TEMPLATE_BROKEN',
          `two templates are called "${template.name}"`,
          [],
          'system',
        );
      }
      this.#templates.set(template.name, template);
    }
  }

  /** Every template, grouped by category. */
  list(): ScenarioTemplate[] {
    return [...this.#templates.values()];
  }

  /** Template names, in listing order. */
  names(): string[] {
    return [...this.#templates.keys()];
  }

  /**
   * The template called `name`.
   * @throws {TemplateError} `TEMPLATE_UNKNOWN` (user) listing the known names
   */
  get(name: string): ScenarioTemplate {
    const template = this.#templates.get(name);
    if (!template) {
      throw new TemplateError(
        'TEMPLATE_UNKNOWN',
        `unknown template "${name}"; known templates: ${this.names().join(', ')}`,
      );
    }
    return template;
  }
}

/**
 * Reads every `*.yaml` template in a folder.
 * @defaultValue directory: {@link defaultTemplateDirectory}
 * @throws {TemplateError} `TEMPLATE_BROKEN` when a file is not a valid template
 */
export async function loadTemplateCatalogue(
  directory: string = defaultTemplateDirectory,
): Promise<TemplateCatalogue> {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.yaml')).sort();
  const templates = await Promise.all(
    files.map(async (file) =>
      parseTemplate(await readFile(join(directory, file), 'utf8'), join(directory, file)),
    ),
  );
  return new TemplateCatalogue(templates);
}
