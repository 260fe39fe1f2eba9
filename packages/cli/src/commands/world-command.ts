import { stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import {
  type BuiltWorld,
  buildWorld,
  DataDefinition,
  DocumentsDefinition,
  type GeneratedPersona,
  type GroundingWarning,
  generatePersonas,
  isUserError,
  loadScenario,
  type ModelRouter,
  PersonaModelCalls,
  PersonasDefinition,
  resolveModelSetup,
  type Scenario,
  type ScenarioGrounding,
  type WorldSnapshot,
  writePersonas,
} from '@sandtable/core';
import type { CommandIo } from '../command-io';

/** Options of `sandtable world`. */
export interface WorldCommandOptions {
  /** Scenario category the personas are allocated for (folder input). @defaultValue 'custom' */
  category?: string;
  seed?: number;
  json?: boolean;
  /** Have the model (tier `smart`) write a folder's persona texts and traits from the data. */
  writePersonas?: boolean;
  /** Model configuration file for `writePersonas` and scenarios with `personas.writer: model`. */
  modelConfig?: string;
}

/**
 * With `--write-personas`, the configured model (tier `smart`) writes each persona from its data;
 * without a model, or for personas it cannot write validly, the data-drawn ones stay.
 */
async function maybeWritten(
  personas: GeneratedPersona[],
  options: WorldCommandOptions,
  io: CommandIo,
): Promise<GeneratedPersona[]> {
  if (!options.writePersonas) return personas;
  const setup = await resolveModelSetup(options.modelConfig ? { configPath: options.modelConfig } : {});
  if (!setup.router) {
    io.err('note: no model is configured (see `sandtable doctor`); personas are drawn from the data');
    return personas;
  }
  try {
    const written = await writePersonas(personas, { router: setup.router, target: 'smart' });
    for (const note of written.notes) io.err(`note: ${note}`);
    return written.personas;
  } finally {
    setup.router.close();
  }
}

type PersonaLine = Pick<GeneratedPersona, 'source' | 'relationships' | 'thresholds'> & {
  id: string;
  name: string;
  role: string;
  persona?: string;
};

function describeMapping(snapshot: WorldSnapshot, io: CommandIo): void {
  io.out('Tables (check the mapping; correct it in the scenario under data.mapping):');
  if (snapshot.mappings.length === 0) io.out('  (none)');
  for (const mapping of snapshot.mappings) {
    const where = mapping.sheet ? `${mapping.file}#${mapping.sheet}` : mapping.file;
    io.out(`  ${where} → ${mapping.kind}${mapping.source === 'override' ? ' (override)' : ''}`);
    const columns = Object.entries(mapping.columns).map(([field, header]) => `${field} ← "${header}"`);
    if (columns.length > 0) io.out(`    ${columns.join(', ')}`);
    if (mapping.unmapped.length > 0) io.out(`    not used: ${mapping.unmapped.join(', ')}`);
  }
  const prices = Object.values(snapshot.prices);
  if (prices.length > 0) {
    io.out(
      `Commodity baselines: ${prices.map((price) => `${price.commodity} ${price.currency ?? ''} ${price.price.toLocaleString('en-GB')}/${price.unit ?? 'unit'}`.replace('  ', ' ')).join(', ')}`,
    );
  }
  const pinned = Object.fromEntries(
    snapshot.mappings.map((mapping) => [
      mapping.sheet ? `${mapping.file}#${mapping.sheet}` : mapping.file,
      { kind: mapping.kind, columns: mapping.columns },
    ]),
  );
  // JSON is YAML too: the line pastes under `data:` as it is, to pin or correct the mapping.
  if (snapshot.mappings.length > 0) io.out(`  to pin it: mapping: ${JSON.stringify(pinned)}`);
  io.out(
    `Records: ${snapshot.suppliers.length} suppliers, ${snapshot.customers.length} customers, ${snapshot.inventory.length} stock items, ${snapshot.contracts.length} contracts`,
  );
}

function describeRest(
  summaries: BuiltWorld['summaries'],
  personas: PersonaLine[],
  warnings: GroundingWarning[],
  io: CommandIo,
): void {
  io.out('Documents (searchable with search_documents, cited as document p.N or § section):');
  if (summaries.length === 0) io.out('  (none)');
  for (const summary of summaries) {
    const unit = summary.format === 'pdf' ? 'page' : 'section';
    const parts = `${summary.parts} ${unit}${summary.parts === 1 ? '' : 's'}`;
    io.out(
      `  ${summary.document} (${summary.format}, ${parts}, ${summary.passages} passage${summary.passages === 1 ? '' : 's'})`,
    );
  }
  io.out('Personas:');
  if (personas.length === 0) io.out('  (none)');
  for (const persona of personas) {
    const thresholds = Object.entries(persona.thresholds).map(([name, value]) => `${name} ${value}`);
    io.out(
      `  ${persona.id} — ${persona.name} (${persona.role}), from ${persona.source}${thresholds.length > 0 ? `; thresholds: ${thresholds.join(', ')}` : ''}`,
    );
    if (persona.persona) io.out(`      ${persona.persona}`);
  }
  if (warnings.length > 0) {
    io.err(`${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`);
    for (const warning of warnings) io.err(`  ${warning.file}: ${warning.code}: ${warning.message}`);
  }
}

function personaLines(personas: GeneratedPersona[]): PersonaLine[] {
  return personas.map(({ definition, ...rest }) => ({
    id: definition.id,
    name: definition.name ?? definition.id,
    role: definition.role,
    ...(definition.persona ? { persona: definition.persona } : {}),
    ...rest,
  }));
}

/**
 * `sandtable world <folder | scenario>`: builds the world a folder of company files (or a
 * scenario's `data` and `documents`) describes and prints how it was read — each table's inferred
 * kind and column mapping, commodity baselines, documents, the personas it yields, and every file
 * it could not use — so a user can confirm the mapping before running. Exit 1 when the input
 * cannot be found or the scenario is invalid; file problems are warnings.
 */
export async function worldCommand(
  input: string,
  options: WorldCommandOptions,
  io: CommandIo,
): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(input);
  } catch {
    io.err(`${input}: not found`);
    return 1;
  }
  if (!info.isDirectory() && ['.yaml', '.yml', '.json'].includes(extname(input).toLowerCase())) {
    let grounding: ScenarioGrounding | undefined;
    let loaded: Scenario;
    // A scenario with `personas.writer: model` has them written as a run would; others never open a model.
    let router: ModelRouter | undefined;
    const personaModels = new PersonaModelCalls({
      live: async () => {
        router = (await resolveModelSetup(options.modelConfig ? { configPath: options.modelConfig } : {}))
          .router;
        return router;
      },
    });
    try {
      const scenario = await loadScenario(input, {
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        personaModels,
      });
      loaded = scenario;
      grounding = scenario.grounding;
      if (!grounding) {
        io.err(`${input}: the scenario has no data or documents block`);
        return 1;
      }
      if (options.json) {
        io.out(
          JSON.stringify(
            {
              snapshot: grounding.snapshot,
              documents: grounding.summaries,
              personas: grounding.personas,
              variables: grounding.variables,
              warnings: grounding.warnings,
            },
            null,
            2,
          ),
        );
        return 0;
      }
      io.out(`World of "${scenario.name}" (${scenario.category})`);
    } catch (error) {
      if (!isUserError(error)) throw error;
      io.err(error.message);
      return 1;
    } finally {
      router?.close();
    }
    if (options.writePersonas)
      io.err(
        'note: --write-personas previews a folder; a scenario’s personas are written by a model when it sets personas.writer: model',
      );
    const texts = new Map(loaded.agents.map((agent) => [agent.id, agent.persona]));
    describeMapping(grounding.snapshot, io);
    describeRest(
      grounding.summaries,
      grounding.personas.map((persona) => ({ ...persona, persona: texts.get(persona.id) ?? '' })),
      grounding.warnings,
      io,
    );
    return 0;
  }
  const folder = info.isDirectory() ? resolve(input) : dirname(resolve(input));
  const entry = info.isDirectory() ? '.' : basename(input);
  const world = await buildWorld({
    baseDirectory: folder,
    data: DataDefinition.parse({ files: [entry] }),
    documents: DocumentsDefinition.parse({ files: [entry] }),
  });
  const category = options.category ?? 'custom';
  const personas = personaLines(
    await maybeWritten(
      generatePersonas(world.snapshot, {
        category,
        seed: options.seed ?? 1,
        settings: PersonasDefinition.parse({}),
        takenIds: new Set(),
      }),
      options,
      io,
    ),
  );
  if (options.json) {
    io.out(
      JSON.stringify(
        { snapshot: world.snapshot, documents: world.summaries, personas, warnings: world.warnings },
        null,
        2,
      ),
    );
    return 0;
  }
  io.out(`World from ${input} (personas for category ${category})`);
  describeMapping(world.snapshot, io);
  describeRest(world.summaries, personas, world.warnings, io);
  return 0;
}
