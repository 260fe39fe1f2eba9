import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { type Issue, ScenarioError } from '../errors';
import type { PersonaModelCalls } from '../grounding/persona-calls';
import {
  applyGrounding,
  applyOfflinePersonas,
  type PreparedGrounding,
  prepareGrounding,
} from '../grounding/scenario-grounding';
import { expandAgents } from './populations';
import type { RoomSpec, Scenario } from './scenario';
import { checkScenarioFile, type PathIssue } from './scenario-checks';
import { type ScenarioFile, ScenarioFileSchema } from './scenario-schema';
import { normaliseScenarioData } from './seed-formats';
import { formatPath, parseSource, type SourceDocument } from './source-map';

/** Overrides applied when loading a scenario. */
export interface LoadScenarioOptions {
  /** Shown in error locations; set automatically by {@link loadScenario}. */
  file?: string;
  /** Replaces the scenario's seed. */
  seed?: number;
  /** Replaces the number of steps. */
  steps?: number;
  /** Replaces the clock mode (`rounds` or `events`). */
  clock?: 'rounds' | 'events';
  /** Parameter overrides (`--set name=value`); strings are converted to the parameter's type. */
  parameters?: Record<string, string | number | boolean>;
  /** The world built from the scenario's `data` and `documents` ({@link loadScenario} builds it). */
  grounding?: PreparedGrounding;
  /**
   * Where the world files' paths are relative to, when not the scenario file's folder (a run
   * folder's copy of the scenario: pass the original scenario's folder).
   */
  worldDirectory?: string;
  /**
   * The model that writes the personas of a scenario with `personas.writer: model` (live, or the
   * run's recorded persona calls on replay and resume). Without it they are drawn from the data,
   * with a `WORLD_PERSONA_NOT_WRITTEN` warning.
   */
  personaModels?: PersonaModelCalls;
}

/** The result of validating a scenario without throwing. */
export interface ScenarioValidation {
  scenario?: Scenario;
  issues: Issue[];
  /** The format the file was written in (seed formats are converted to the native one). */
  format?: string;
  /** What a conversion from a seed format changed or dropped. */
  notes?: string[];
}

type SchemaNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/** Walks the zod schema along `path` to list the field names allowed there. */
function allowedKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  let node = ScenarioFileSchema as unknown as SchemaNode;
  const unwrap = () => {
    while (['default', 'optional', 'pipe', 'prefault', 'nullable'].includes(node._zod.def.type)) {
      node = (node._zod.def.innerType ?? node._zod.def.in) as SchemaNode;
    }
  };
  unwrap();
  for (const segment of path) {
    const def = node._zod.def;
    if (def.type === 'object')
      node = (def.shape as Record<string, SchemaNode>)[String(segment)] as SchemaNode;
    else if (def.type === 'array') node = def.element as SchemaNode;
    else if (def.type === 'record') node = def.valueType as SchemaNode;
    else return [];
    if (!node) return [];
    unwrap();
  }
  if (node._zod.def.type === 'union') {
    const options = node._zod.def.options as SchemaNode[];
    const object = options.find((option) => option._zod.def.type === 'object');
    return object ? Object.keys(object._zod.def.shape as object) : [];
  }
  return node._zod.def.type === 'object' ? Object.keys(node._zod.def.shape as object) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] as number;
}

function zodIssues(error: z.ZodError, source: SourceDocument, file?: string): Issue[] {
  const issues: Issue[] = [];
  for (const issue of error.issues) {
    const path = issue.path as Array<string | number>;
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(path);
      for (const key of issue.keys) {
        const close = allowed.find((candidate) => editDistance(candidate, key) <= 2);
        const hint = close
          ? `; did you mean "${close}"?`
          : key.includes(' ')
            ? '; a comma inside an unquoted value splits it into fields — quote the value'
            : allowed.length
              ? `; expected one of: ${allowed.join(', ')}`
              : '';
        issues.push({
          file,
          ...source.locate([...path, key], { key: true }),
          path: formatPath([...path, key]),
          message: `unknown field "${key}"${hint}`,
        });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' && message.includes('received undefined')) {
      message = `missing required field (${message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`;
    }
    issues.push({ file, ...source.locate(path), path: formatPath(path), message });
  }
  return issues;
}

function locateIssues(pathIssues: PathIssue[], source: SourceDocument, file?: string): Issue[] {
  return pathIssues.map((issue) => ({
    file,
    ...source.locate(issue.path, { key: issue.atKey ?? false }),
    path: formatPath(issue.path),
    message: issue.message,
  }));
}

function resolveSelector(selector: string, scenario: Pick<Scenario, 'agents'>): string[] {
  if (selector === '*') return scenario.agents.map((agent) => agent.id);
  if (selector.startsWith('role:')) {
    const role = selector.slice(5);
    return scenario.agents.filter((agent) => agent.role === role).map((agent) => agent.id);
  }
  return scenario.agents
    .filter((agent) => agent.id === selector || agent.population === selector)
    .map((agent) => agent.id);
}

function applyParameterOverrides(
  file: ScenarioFile,
  overrides: LoadScenarioOptions['parameters'],
  issues: Issue[],
) {
  const values: Record<string, number | boolean | string> = {};
  for (const [name, definition] of Object.entries(file.parameters)) values[name] = definition.default;
  for (const [name, raw] of Object.entries(overrides ?? {})) {
    const definition = file.parameters[name];
    if (!definition) {
      const known = Object.keys(file.parameters);
      issues.push({
        path: `parameters.${name}`,
        message: `unknown parameter "${name}"; ${known.length ? `known: ${known.join(', ')}` : 'this scenario declares none'}`,
      });
      continue;
    }
    let value: number | boolean | string = raw;
    if (definition.type === 'int' || definition.type === 'float') {
      value = typeof raw === 'number' ? raw : Number(raw);
      if (typeof raw === 'string' && (raw.trim() === '' || Number.isNaN(value))) {
        issues.push({ path: `parameters.${name}`, message: `"${raw}" is not a number` });
        continue;
      }
      if (definition.type === 'int' && !Number.isInteger(value)) {
        issues.push({ path: `parameters.${name}`, message: `${raw} is not an integer` });
        continue;
      }
      if (
        (definition.min !== undefined && value < definition.min) ||
        (definition.max !== undefined && value > definition.max)
      ) {
        issues.push({
          path: `parameters.${name}`,
          message: `${value} is outside [${definition.min ?? '-∞'}, ${definition.max ?? '∞'}]`,
        });
        continue;
      }
    } else if (definition.type === 'bool') {
      if (typeof raw === 'boolean') value = raw;
      else if (raw === 'true' || raw === 'false') value = raw === 'true';
      else {
        issues.push({ path: `parameters.${name}`, message: `"${raw}" is not true or false` });
        continue;
      }
    } else {
      value = String(raw);
    }
    values[name] = value;
  }
  return values;
}

/**
 * Validates scenario text (YAML or JSON) and builds the runnable {@link Scenario}, collecting
 * every problem with its file, line and column instead of stopping at the first.
 */
export function validateScenarioText(text: string, options: LoadScenarioOptions = {}): ScenarioValidation {
  const { file } = options;
  const source = parseSource(text, file);
  if (source.syntaxIssues.length > 0) return { issues: source.syntaxIssues };
  if (typeof source.data !== 'object' || source.data === null || Array.isArray(source.data)) {
    return {
      issues: [
        {
          file,
          line: 1,
          column: 1,
          message: 'a scenario must be a mapping of fields (name, clock, agents, …)',
        },
      ],
    };
  }
  const normalised = normaliseScenarioData(source.data, file ? { file } : {});
  if (normalised.issues.length > 0) return { issues: locateIssues(normalised.issues, source, file) };
  const parsed = ScenarioFileSchema.safeParse(normalised.data);
  if (!parsed.success) return { issues: zodIssues(parsed.error, source, file) };
  const scenarioFile = parsed.data;
  // Grounding adds variables and personas before the checks, so they are checked like written ones.
  const grounded = options.grounding
    ? applyGrounding(scenarioFile, options.grounding, options.seed ?? scenarioFile.seed)
    : undefined;
  const offline = grounded ? undefined : applyOfflinePersonas(scenarioFile);
  const issues = locateIssues(checkScenarioFile(scenarioFile), source, file);
  issues.push(...locateIssues(grounded?.issues ?? offline?.issues ?? [], source, file));
  const parameters = applyParameterOverrides(scenarioFile, options.parameters, issues);
  if (options.steps !== undefined && (!Number.isInteger(options.steps) || options.steps < 1)) {
    issues.push({ path: 'clock.steps', message: `steps must be a positive integer, got ${options.steps}` });
  }
  if (issues.length > 0) return { issues };

  const seed = options.seed ?? scenarioFile.seed;
  const agents = expandAgents(scenarioFile, seed);
  const seen = new Set<string>();
  for (const agent of agents) {
    if (seen.has(agent.id)) {
      issues.push({
        file,
        ...source.locate(['agents', agent.definitionIndex, 'id']),
        path: formatPath(['agents', agent.definitionIndex, 'id']),
        message: `agent id "${agent.id}" is produced twice (check population ids)`,
      });
    }
    seen.add(agent.id);
  }
  if (issues.length > 0) return { issues };

  const base = { agents };
  const rooms: RoomSpec[] = scenarioFile.rooms.map((room) => ({
    name: room.name,
    ...(room.description ? { description: room.description } : {}),
    members: [...new Set(room.members.flatMap((selector) => resolveSelector(selector, base)))],
  }));
  const scenario: Scenario = {
    name: scenarioFile.name,
    description: scenarioFile.description,
    category: scenarioFile.category,
    seed,
    ...(scenarioFile.goal ? { goal: scenarioFile.goal } : {}),
    ...(file ? { source: file } : {}),
    clock: {
      steps: options.steps ?? scenarioFile.clock.steps,
      unit: scenarioFile.clock.unit,
      mode: options.clock ?? scenarioFile.clock.mode,
      minInterval: scenarioFile.clock.min_interval,
      heartbeat: scenarioFile.clock.heartbeat,
    },
    execution: {
      concurrency: scenarioFile.execution.concurrency,
      decisionTimeoutMs: scenarioFile.execution.decision_timeout_ms,
      memoryWindow: scenarioFile.execution.memory_window,
    },
    parameterDefinitions: scenarioFile.parameters,
    parameters,
    variables: scenarioFile.variables,
    agentVariables: scenarioFile.agent_variables,
    dynamics: scenarioFile.dynamics,
    actions: scenarioFile.actions,
    agents,
    rooms,
    events: scenarioFile.events.map((event) =>
      event.affects
        ? {
            ...event,
            affectsIds: [...new Set(event.affects.flatMap((selector) => resolveSelector(selector, base)))],
          }
        : event,
    ),
    metrics: Object.entries(scenarioFile.metrics).map(([name, metric]) =>
      typeof metric === 'string' ? { name, expression: metric } : { name, ...metric },
    ),
    termination: scenarioFile.termination,
    environments: scenarioFile.environments,
    ...(scenarioFile.beliefs ? { beliefs: scenarioFile.beliefs } : {}),
    ...(scenarioFile.game_master ? { gameMaster: scenarioFile.game_master } : {}),
    ...(grounded ? { grounding: grounded.grounding } : {}),
    ...(scenarioFile.memory ? { memory: scenarioFile.memory } : {}),
    ...(!grounded && (scenarioFile.data || scenarioFile.documents || scenarioFile.personas)
      ? { worldNotBuilt: true }
      : {}),
    ...(scenarioFile.evaluation ? { evaluation: scenarioFile.evaluation } : {}),
    ...(scenarioFile.brief ? { brief: scenarioFile.brief } : {}),
  };
  return {
    scenario,
    issues: [],
    ...(normalised.format !== 'native' ? { format: normalised.format, notes: normalised.notes } : {}),
    ...(offline?.notes.length
      ? { notes: [...(normalised.format !== 'native' ? normalised.notes : []), ...offline.notes] }
      : {}),
  };
}

/**
 * Validates scenario text and returns the runnable scenario.
 * @throws {ScenarioError} listing every problem, each with its location
 */
export function parseScenario(text: string, options: LoadScenarioOptions = {}): Scenario {
  const { scenario, issues } = validateScenarioText(text, options);
  if (!scenario) throw new ScenarioError(issues);
  return scenario;
}

/**
 * Reads a scenario file (YAML or JSON) and returns the runnable scenario.
 * @throws {ScenarioError} when the file cannot be read or is invalid; every problem names file:line:column
 * @example
 * const scenario = await loadScenario('scenarios/port-strike.yaml', { parameters: { strike_days: 30 } });
 */
export async function loadScenario(
  path: string,
  options: Omit<LoadScenarioOptions, 'file'> = {},
): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ScenarioError([{ file: path, message: `cannot read scenario: ${reason}` }], { cause: error });
  }
  return parseGroundedScenario(text, { ...options, file: path });
}

/**
 * Like {@link parseScenario}, and builds the world the scenario's `data` and `documents` name
 * (paths relative to `options.file`, else to the working directory): use it wherever scenario
 * text is turned into a run.
 * @throws {ScenarioError} when the scenario is invalid; unusable world files are warnings in `scenario.grounding`
 */
export async function parseGroundedScenario(
  text: string,
  options: LoadScenarioOptions = {},
): Promise<Scenario> {
  const grounding = await prepareGrounding(text, options.file ?? 'scenario.yaml', options.worldDirectory, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.personaModels ? { personaModels: options.personaModels } : {}),
  });
  return parseScenario(text, { ...options, ...(grounding ? { grounding } : {}) });
}
