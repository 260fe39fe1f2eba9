import { dirname, resolve } from 'node:path';
import type { PathIssue } from '../scenario/scenario-checks';
import { AgentDefinition, type ScenarioFile } from '../scenario/scenario-schema';
import { parseSource } from '../scenario/source-map';
import type { PassageIndex } from './document-index';
import type { GroundingWarning } from './grounding-error';
import { DataDefinition, DocumentsDefinition, type MemoryDefinition } from './grounding-schema';
import { type GeneratedPersona, generatePersonas, personaVariables, plannedRoles } from './persona-generator';
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
}

/** A built world waiting to be applied to its scenario file (see {@link applyGrounding}). */
export interface PreparedGrounding {
  world: BuiltWorld;
  passagesPerObservation: number;
}

/**
 * Reads the `data` and `documents` blocks of scenario text and builds the world they name, with
 * paths relative to the scenario file. Returns undefined when the scenario has neither block (or
 * they are malformed, which validation then reports).
 */
export async function prepareGrounding(
  text: string,
  file: string,
  baseDirectory = dirname(resolve(file)),
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
  return { world, passagesPerObservation: documents?.success ? documents.data.passages : 0 };
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
  if (scenarioFile.personas) {
    const generated = generatePersonas(world.snapshot, {
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
      warnings: world.warnings,
      passagesPerObservation: prepared.passagesPerObservation,
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
