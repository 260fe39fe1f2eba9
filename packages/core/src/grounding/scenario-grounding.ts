import { dirname, resolve } from 'node:path';
import type { CassetteEntry } from '../model/cassette';
import { RecordingRouter } from '../model/run-recording';
import type { PathIssue } from '../scenario/scenario-checks';
import { AgentDefinition, type ScenarioFile, ScenarioFileSchema } from '../scenario/scenario-schema';
import { parseSource } from '../scenario/source-map';
import type { PassageIndex } from './document-index';
import type { GroundingWarning } from './grounding-error';
import { DataDefinition, DocumentsDefinition, type MemoryDefinition } from './grounding-schema';
import type { PersonaModelCalls } from './persona-calls';
import { type GeneratedPersona, generatePersonas, personaVariables, plannedRoles } from './persona-generator';
import { personaCallPrefix, writePersonas } from './persona-writer';
import { type BuiltWorld, buildWorld, type DocumentSummary } from './world-builder';
import { identifierOf, snapshotValue, type WorldSnapshot } from './world-snapshot';

/**
 * What grounding attached to a scenario: the frozen snapshot, the document index, the generated
 * personas and every warning. Runs read it; none of them changes it.
 */
export interface ScenarioGrounding {
  snapshot: WorldSnapshot;
  documents: PassageIndex;
  summaries: DocumentSummary[];
  personas: Array<Omit<GeneratedPersona, 'definition'> & { id: string; name: string; role: string }>;
  /** Variables grounding added or set from the data, with their starting values. */
  variables: Record<string, number | string | boolean>;
  warnings: GroundingWarning[];
  /** Passages retrieved into each observation. */
  passagesPerObservation: number;
  /**
   * The model calls that wrote the personas (`personas.writer: model`), in the order they were
   * answered: stored with the run, so replay and resume rebuild the same personas offline.
   */
  personaCalls: CassetteEntry[];
}

/** Personas a model wrote while the world was prepared (`personas.writer: model`). */
export interface PreparedPersonas {
  /** The seed they were generated for; another seed generates them from the data again. */
  seed: number;
  personas: GeneratedPersona[];
  warnings: GroundingWarning[];
  calls: CassetteEntry[];
}

/** A built world waiting to be applied to its scenario file (see {@link applyGrounding}). */
export interface PreparedGrounding {
  world: BuiltWorld;
  passagesPerObservation: number;
  personas?: PreparedPersonas;
}

/** What {@link prepareGrounding} needs to have a model write the personas. */
export interface PersonaWritingOptions {
  /** The seed the scenario is loaded with. @defaultValue the scenario's */
  seed?: number;
  /** Where the persona-writing model comes from; without it `writer: model` falls back to the data, with a warning. */
  personaModels?: PersonaModelCalls;
  signal?: AbortSignal;
}

/**
 * Reads the `data` and `documents` blocks of scenario text and builds the world they name, with
 * paths relative to the scenario file; with `personas.writer: model`, also has the personas
 * written through `writing.personaModels` (see {@link PersonaModelCalls}). Returns undefined when
 * the scenario has neither block (or they are malformed, which validation then reports).
 * @throws an abort of `writing.signal` while personas are written
 */
export async function prepareGrounding(
  text: string,
  file: string,
  baseDirectory = dirname(resolve(file)),
  writing: PersonaWritingOptions = {},
): Promise<PreparedGrounding | undefined> {
  const source = parseSource(text, file);
  if (source.syntaxIssues.length > 0 || typeof source.data !== 'object' || source.data === null)
    return undefined;
  const raw = source.data as Record<string, unknown>;
  const data = raw.data === undefined ? undefined : DataDefinition.safeParse(raw.data);
  const documents = raw.documents === undefined ? undefined : DocumentsDefinition.safeParse(raw.documents);
  if (!data?.success && !documents?.success) return undefined;
  const world = await buildWorld({
    baseDirectory,
    ...(data?.success ? { data: data.data } : {}),
    ...(documents?.success ? { documents: documents.data } : {}),
  });
  const prepared: PreparedGrounding = {
    world,
    passagesPerObservation: documents?.success ? documents.data.passages : 0,
  };
  const personas = await writtenPersonas(raw, world, writing);
  if (personas) prepared.personas = personas;
  return prepared;
}

/**
 * With `personas.writer: model`: the personas generated from the data, rewritten by the model the
 * scenario names (see {@link writePersonas}), with the calls that wrote them. Without a model, or
 * for a persona the model cannot write validly, the data-drawn persona stays and a
 * `WORLD_PERSONA_NOT_WRITTEN` warning says why. Undefined when the scenario does not ask (or is
 * malformed: validation reports it).
 */
async function writtenPersonas(
  raw: Record<string, unknown>,
  world: BuiltWorld,
  writing: PersonaWritingOptions,
): Promise<PreparedPersonas | undefined> {
  const personasBlock = raw.personas as { writer?: unknown } | undefined;
  if (personasBlock?.writer !== 'model') return undefined;
  const parsed = ScenarioFileSchema.safeParse(raw);
  if (!parsed.success || !parsed.data.personas) return undefined;
  const scenarioFile = parsed.data;
  const settings = parsed.data.personas;
  const seed = writing.seed ?? scenarioFile.seed;
  const generated = scenarioPersonas(scenarioFile, world, seed);
  const router = await writing.personaModels?.router(settings.writer_tier);
  if (!router) {
    return {
      seed,
      personas: generated,
      calls: [],
      warnings: [
        {
          code: 'WORLD_PERSONA_NOT_WRITTEN',
          file: 'personas',
          message: `personas.writer is "model" but no model serves "${settings.writer_tier}"; the personas are drawn from the data (configure a model: see \`sandtable doctor\`)`,
        },
      ],
    };
  }
  const recording = new RecordingRouter(router);
  const pinnedTraits = Object.fromEntries(
    Object.entries(settings.roles).flatMap(([role, override]) =>
      override.traits ? [[role, override.traits]] : [],
    ),
  );
  const written = await writePersonas(generated, {
    router: recording,
    target: settings.writer_tier,
    maxAttempts: settings.writer_attempts,
    pinnedTraits,
    ...(writing.signal ? { signal: writing.signal } : {}),
  });
  const order = new Map(
    generated.map((persona, index) => [`${personaCallPrefix}${persona.definition.id}`, index]),
  );
  return {
    seed,
    personas: written.personas,
    // Persona by persona (each one's rounds in order), not in the order the replies came back.
    calls: [...recording.cassette.entries]
      .map((entry, index) => ({ entry, index, persona: order.get(entry.metadata?.agentId ?? '') ?? -1 }))
      .sort((a, b) => a.persona - b.persona || a.index - b.index)
      .map(({ entry }) => entry),
    warnings: written.notes.map((note) => ({
      code: 'WORLD_PERSONA_NOT_WRITTEN',
      file: 'personas',
      message: note,
    })),
  };
}

/** The personas the scenario's `personas` block generates from the world, for a seed. */
function scenarioPersonas(scenarioFile: ScenarioFile, world: BuiltWorld, seed: number): GeneratedPersona[] {
  if (!scenarioFile.personas) return [];
  return generatePersonas(world.snapshot, {
    category: scenarioFile.category,
    seed,
    settings: scenarioFile.personas,
    takenIds: new Set(scenarioFile.agents.map((agent) => agent.id)),
    documentsNaming: (name) => {
      const documents = world.summaries
        .filter((summary) => !['csv', 'xlsx', 'json'].includes(summary.format))
        .map((summary) => summary.document);
      const naming = world.documents.documentsMentioning(name);
      return documents.filter((document) => naming.has(document));
    },
  });
}

function commodityVariables(snapshot: WorldSnapshot) {
  const variables: Record<string, { value: number; description: string }> = {};
  for (const price of Object.values(snapshot.prices)) {
    variables[`price_${identifierOf(price.commodity)}`] = {
      value: price.price,
      description: `${price.commodity} price per ${price.unit ?? 'unit'}${price.currency ? ` in ${price.currency}` : ''}, baseline from ${price.source.file}`,
    };
  }
  for (const item of snapshot.inventory) {
    if (item.onHand === undefined) continue;
    variables[`stock_${identifierOf(item.sku)}`] = {
      value: item.onHand,
      description: `${item.item ?? item.sku} on hand${item.location ? ` in ${item.location}` : ''} (${item.source.file})`,
    };
  }
  return variables;
}

/**
 * Applies a built world to a validated scenario file, before its semantic checks: the snapshot's
 * commodity baselines and stock levels become global variables (`price_cocoa`, `stock_cb_100`)
 * unless the scenario declares them, `data.bind` sets declared variables' starting values,
 * generated personas join the agents (with the agent variables they carry). Problems with
 * bindings are returned as issues on `data.bind`.
 */
export function applyGrounding(
  scenarioFile: ScenarioFile,
  prepared: PreparedGrounding,
  seed: number,
): { grounding: ScenarioGrounding; issues: PathIssue[] } {
  const { world } = prepared;
  const issues: PathIssue[] = [];
  const variables: Record<string, number | string | boolean> = {};
  for (const [name, { value, description }] of Object.entries(commodityVariables(world.snapshot))) {
    if (scenarioFile.variables[name]) continue;
    scenarioFile.variables[name] = { type: 'float', default: value, min: 0, description, visible: true };
    variables[name] = value;
  }
  for (const [name, path] of Object.entries(scenarioFile.data?.bind ?? {})) {
    const definition = scenarioFile.variables[name];
    const value = snapshotValue(world.snapshot, path);
    if (!definition) {
      issues.push({
        path: ['data', 'bind', name],
        message: `binds "${name}", which is not a declared variable`,
      });
    } else if (value === undefined) {
      issues.push({
        path: ['data', 'bind', name],
        message: `"${path}" is not in the world snapshot (collections: prices, inventory, suppliers, customers, contracts)`,
      });
    } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      scenarioFile.variables[name] = { ...definition, default: value };
      variables[name] = value;
    }
  }
  const personas: ScenarioGrounding['personas'] = [];
  const written = prepared.personas?.seed === seed ? prepared.personas : undefined;
  if (scenarioFile.personas) {
    const generated = written?.personas ?? scenarioPersonas(scenarioFile, world, seed);
    for (const [name, definition] of Object.entries(personaVariables)) {
      scenarioFile.agent_variables[name] ??= definition;
    }
    for (const persona of generated) {
      for (const [name, value] of Object.entries(persona.definition.variables)) {
        scenarioFile.agent_variables[name] ??= {
          type: 'float',
          ...(typeof value === 'number' ? { default: value } : {}),
          description: 'sampled for the generated population',
          visible: true,
        };
      }
      const parsed = AgentDefinition.safeParse(persona.definition);
      if (!parsed.success) {
        issues.push({
          path: ['personas', 'roles', persona.definition.role],
          message: `generated ${persona.definition.role} "${persona.definition.id}" is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
        });
        continue;
      }
      scenarioFile.agents.push(parsed.data);
      const { definition, ...report } = persona;
      personas.push({
        id: definition.id,
        name: definition.name ?? definition.id,
        role: definition.role,
        ...report,
      });
    }
  }
  return {
    grounding: {
      snapshot: world.snapshot,
      documents: world.documents,
      summaries: world.summaries,
      personas,
      variables,
      warnings: [...world.warnings, ...(written?.warnings ?? [])],
      passagesPerObservation: prepared.passagesPerObservation,
      personaCalls: written?.calls ?? [],
    },
    issues,
  };
}

/**
 * Validation without the files (`validateScenarioText`, `sandtable validate`): the personas the
 * world will generate are stood in for by one agent per planned role, carrying the persona
 * variables, so the scenario's expressions and role references are checked all the same. The
 * note says so; loading the scenario with {@link loadScenario} generates the real personas.
 */
export function applyOfflinePersonas(scenarioFile: ScenarioFile): { issues: PathIssue[]; notes: string[] } {
  const settings = scenarioFile.personas;
  if (!settings) return { issues: [], notes: [] };
  for (const [name, definition] of Object.entries(personaVariables)) {
    scenarioFile.agent_variables[name] ??= definition;
  }
  const issues: PathIssue[] = [];
  const roles = plannedRoles(scenarioFile.category, settings).map(([role]) => role);
  for (const role of roles) {
    const override = settings.roles[role];
    const parsed = AgentDefinition.safeParse({
      id: `${role}-from-data`,
      name: `${role} (generated from the company data when loaded)`,
      role,
      brain: override?.brain ?? settings.brain,
      ...(override?.goals ? { goals: override.goals } : {}),
      ...(override?.actions ? { actions: override.actions } : {}),
    });
    if (parsed.success) scenarioFile.agents.push(parsed.data);
    else {
      issues.push({
        path: ['personas', 'roles', role],
        message: parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '),
      });
    }
  }
  return {
    issues,
    notes: [
      `personas (${roles.join(', ')}) are generated from the company data when the scenario is loaded; validated here with one stand-in per role`,
    ],
  };
}

/** Whether an agent keeps a long-term memory: the `memory` block decides; without one, model agents do. */
export function wantsLongTermMemory(memory: MemoryDefinition | undefined, brain: string): boolean {
  return memory ? memory.long_term : brain !== 'rules';
}
