import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  type ChatRouter,
  type FilledTemplate,
  fillTemplate,
  loadTemplateCatalogue,
  resolveModelSetup,
  SandtableError,
  scenarioFromSentence,
  scenarioSchemaFile,
} from '@sandtable/core';
import type { CommandIo } from '../command-io';
import { parseSetOptions } from '../set-options';

/** Options of `sandtable new`. */
export interface NewOptions {
  /** Fill this template instead of reading a description. */
  template?: string;
  /** `name=value` template parameters (repeatable). */
  set?: string[];
  /** Where to write the scenario. @defaultValue standard output */
  out?: string;
  /** Model configuration for the plain-English path. */
  modelConfig?: string;
  /** Use the offline matcher even when a model is configured. @defaultValue false */
  offline?: boolean;
}

function schemaPathFor(out: string | undefined): string {
  const from = out ? dirname(resolve(out)) : process.cwd();
  const path = relative(from, scenarioSchemaFile);
  return path.startsWith('.') ? path : `./${path}`;
}

async function modelRouter(options: NewOptions, io: CommandIo): Promise<ChatRouter | undefined> {
  if (options.offline) return undefined;
  const setup = await resolveModelSetup(options.modelConfig ? { configPath: options.modelConfig } : {});
  if (setup.router && setup.notice) io.err(`note: ${setup.notice}`);
  return setup.router;
}

/**
 * `sandtable new --template NAME [--set k=v…]` or `sandtable new "DESCRIPTION"`: writes a scenario
 * that passes `sandtable validate`. With a description, a configured model (tier `smart`) picks the
 * template and values; without one (or with `--offline`) the deterministic matcher does, and the
 * command prints what it guessed and what it left at defaults. `--set` overrides any value.
 * @throws {SandtableError} `CLI_BAD_OPTION` when neither or both of a description and `--template`
 * are given; template errors (`TEMPLATE_UNKNOWN`, `TEMPLATE_PARAMETER_UNKNOWN`, …) list the valid choices
 */
export async function newCommand(
  description: string | undefined,
  options: NewOptions,
  io: CommandIo,
): Promise<number> {
  const given = description?.trim() ?? '';
  if ((given === '') === (options.template === undefined)) {
    throw new SandtableError(
      'CLI_BAD_OPTION',
      given === ''
        ? 'give a description ("A 3-week strike closes Rotterdam port in March") or --template NAME (see `sandtable templates`)'
        : 'give either a description or --template, not both',
      { category: 'user' },
    );
  }
  const values = parseSetOptions(options.set);
  const catalogue = await loadTemplateCatalogue();
  const schemaPath = schemaPathFor(options.out);
  let filled: FilledTemplate;
  if (options.template !== undefined) {
    filled = fillTemplate(catalogue.get(options.template), values, { schemaPath });
    io.err(`template: ${filled.template.name} (${filled.template.category})`);
  } else {
    const router = await modelRouter(options, io);
    const result = await scenarioFromSentence(given, catalogue, {
      schemaPath,
      ...(router ? { router } : {}),
    });
    for (const line of result.report) io.err(line);
    filled = result.filled;
    if (Object.keys(values).length > 0) {
      const chosen = Object.fromEntries(
        filled.setParameters.map((name) => [name, filled.values[name] as string | number]),
      );
      filled = fillTemplate(
        filled.template,
        { ...chosen, ...values },
        { schemaPath, notes: [`From the description: "${given.slice(0, 200)}"`] },
      );
      io.err(
        `set: ${Object.entries(values)
          .map(([name, value]) => `${name} = ${value}`)
          .join(', ')}`,
      );
    }
  }
  const { scenario } = filled;
  if (options.out) {
    try {
      await writeFile(options.out, filled.text);
    } catch (error) {
      io.err(`${options.out}: cannot write: ${(error as Error).message}`);
      return 1;
    }
  } else {
    io.out(filled.text.trimEnd());
  }
  io.err(
    `${options.out ?? 'stdout'}: valid — "${scenario.name}", ${scenario.agents.length} agents, ${scenario.clock.steps} ${scenario.clock.unit}s. Run it: sandtable run ${options.out ?? 'FILE'}`,
  );
  return 0;
}
