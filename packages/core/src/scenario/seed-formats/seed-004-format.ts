import type { GameMasterDefinitionInput } from '../../game-master/game-master-schema';
import type { PathIssue } from '../scenario-checks';
import {
  AgentIdAllocator,
  actAction,
  baseName,
  type ConversionOptions,
  inferVariable,
  isRecord,
  type NativeScenarioInput,
  type NativeVariable,
  positiveInteger,
  type SeedConversion,
  text,
} from './seed-conversion';

/** Stances seed 004's players choose between (geopolitics and economics). */
const playerStances = ['cooperate', 'compete', 'invest', 'defend', 'negotiate', 'hold'] as const;

const typeNames: Record<string, NativeVariable['type'] | 'dict'> = {
  int: 'int',
  integer: 'int',
  float: 'float',
  number: 'float',
  double: 'float',
  bool: 'bool',
  boolean: 'bool',
  str: 'string',
  string: 'string',
  text: 'string',
  list: 'list',
  array: 'list',
  enum: 'enum',
  dict: 'dict',
  map: 'dict',
  object: 'dict',
};

const knownTopLevel = new Set([
  'name',
  'description',
  'seed',
  'goal',
  'max_steps',
  'engine',
  'global_vars',
  'agent_vars',
  'agents',
  'game_state',
  'orchestrator_message',
]);
const knownEngineKeys = new Set([
  'provider',
  'model',
  'tier',
  'brain',
  'system_prompt',
  'simulation_plan',
  'realism_guidelines',
  'scripted_events',
  'context_window_size',
  'context_window',
  'max_attempts',
  'max_retries',
  'temperature',
  'rules_fallback',
]);
const knownVariableKeys = new Set(['type', 'default', 'min', 'max', 'values', 'description', 'visible']);
const knownAgentKeys = new Set([
  'name',
  'id',
  'role',
  'llm',
  'system_prompt',
  'persona',
  'variables',
  'goals',
  'traits',
]);

/** `provider/model`, a tier or endpoint id, or undefined when the block names no model. */
function brainOf(block: Record<string, unknown>): string | undefined {
  const explicit = text(block.brain) ?? text(block.tier);
  if (explicit) return explicit;
  const provider = text(block.provider);
  const model = text(block.model);
  if (provider && model) return `${provider}/${model}`;
  return model ?? provider;
}

function convertVariables(
  section: 'global_vars' | 'agent_vars',
  block: unknown,
  notes: string[],
  issues: PathIssue[],
): Record<string, NativeVariable> {
  const variables: Record<string, NativeVariable> = {};
  if (block === undefined || block === null) return variables;
  if (!isRecord(block)) {
    issues.push({
      path: [section],
      message: `${section} must be a mapping of variable names to definitions`,
    });
    return variables;
  }
  for (const [name, raw] of Object.entries(block)) {
    const path = [section, name];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      issues.push({
        path,
        atKey: true,
        message: `variable name "${name}" must start with a letter or _ and hold only letters, digits and _`,
      });
      continue;
    }
    if (!isRecord(raw)) {
      const { definition, note } = inferVariable(raw);
      variables[name] = definition;
      notes.push(
        `${section}.${name}: a bare value; declared as ${definition.type}${note ? ` (${note})` : ''}.`,
      );
      continue;
    }
    const declared = text(raw.type)?.toLowerCase();
    const type = declared ? typeNames[declared] : inferVariable(raw.default).definition.type;
    if (!type) {
      issues.push({
        path: [...path, 'type'],
        message: `unknown type "${String(raw.type)}"; expected int, float, bool, str, list, dict or enum`,
      });
      continue;
    }
    for (const key of Object.keys(raw))
      if (!knownVariableKeys.has(key))
        notes.push(`${section}.${name}.${key}: not part of the native format; dropped.`);
    const description = text(raw.description);
    const common = {
      ...(description ? { description } : {}),
      ...(typeof raw.visible === 'boolean' ? { visible: raw.visible } : {}),
    };
    if (type === 'dict') {
      variables[name] = {
        type: 'string',
        ...(raw.default !== undefined ? { default: JSON.stringify(raw.default) } : {}),
        ...common,
      };
      notes.push(`${section}.${name}: dict has no native equivalent; it holds JSON text (type string).`);
      continue;
    }
    const numeric = type === 'int' || type === 'float';
    variables[name] = {
      type,
      ...(raw.default !== undefined ? { default: raw.default as NativeVariable['default'] } : {}),
      ...(numeric && typeof raw.min === 'number' ? { min: raw.min } : {}),
      ...(numeric && typeof raw.max === 'number' ? { max: raw.max } : {}),
      ...(type === 'enum' && Array.isArray(raw.values) ? { values: raw.values.map(String) } : {}),
      ...common,
    };
  }
  return variables;
}

function convertEngine(
  engine: Record<string, unknown>,
  notes: string[],
  issues: PathIssue[],
): { gameMaster: GameMasterDefinitionInput; events: NonNullable<NativeScenarioInput['events']> } {
  for (const key of ['system_prompt', 'simulation_plan'] as const) {
    if (!text(engine[key]))
      issues.push({ path: ['engine'], atKey: true, message: `engine.${key} is required (a non-empty text)` });
  }
  for (const key of Object.keys(engine))
    if (!knownEngineKeys.has(key)) notes.push(`engine.${key}: not part of the game master block; dropped.`);
  const brain = brainOf(engine);
  const contextWindow = engine.context_window_size ?? engine.context_window;
  const maxAttempts = engine.max_attempts ?? engine.max_retries;
  const gameMaster: GameMasterDefinitionInput = {
    ...(brain ? { brain } : {}),
    system_prompt: text(engine.system_prompt) ?? '',
    simulation_plan: text(engine.simulation_plan) ?? '',
    ...(text(engine.realism_guidelines) ? { realism_guidelines: engine.realism_guidelines as string } : {}),
    ...(typeof contextWindow === 'number' ? { context_window: contextWindow } : {}),
    ...(typeof maxAttempts === 'number' ? { max_attempts: maxAttempts } : {}),
    ...(typeof engine.temperature === 'number' ? { temperature: engine.temperature } : {}),
    ...(typeof engine.rules_fallback === 'boolean' ? { rules_fallback: engine.rules_fallback } : {}),
  };
  const events: NonNullable<NativeScenarioInput['events']> = [];
  const scripted = engine.scripted_events;
  if (scripted !== undefined && !Array.isArray(scripted)) {
    issues.push({ path: ['engine', 'scripted_events'], message: 'scripted_events must be a list' });
  }
  (Array.isArray(scripted) ? scripted : []).forEach((event, index) => {
    const path = ['engine', 'scripted_events', index];
    if (!isRecord(event)) {
      issues.push({ path, message: 'a scripted event needs step, type and description' });
      return;
    }
    const step = positiveInteger(event.step);
    const type = text(event.type);
    if (step === undefined)
      issues.push({ path: [...path, 'step'], message: 'step must be a positive whole number' });
    if (!type) issues.push({ path: [...path, 'type'], message: 'type is required' });
    if (step === undefined || !type) return;
    events.push({ step, type, description: text(event.description) ?? type });
  });
  return { gameMaster, events };
}

function convertAgents(
  agents: unknown,
  notes: string[],
  issues: PathIssue[],
): NonNullable<NativeScenarioInput['agents']> {
  if (!Array.isArray(agents) || agents.length === 0) {
    issues.push({ path: agents === undefined ? [] : ['agents'], message: 'agents must be a non-empty list' });
    return [];
  }
  const ids = new AgentIdAllocator();
  const converted: NonNullable<NativeScenarioInput['agents']> = [];
  const dropped = new Set<string>();
  agents.forEach((agent, index) => {
    const path = ['agents', index];
    if (!isRecord(agent)) {
      issues.push({ path, message: 'an agent needs at least a name' });
      return;
    }
    const name = text(agent.name);
    if (!name) {
      issues.push({ path, message: 'an agent needs a name' });
      return;
    }
    for (const key of Object.keys(agent)) if (!knownAgentKeys.has(key)) dropped.add(key);
    const brain = isRecord(agent.llm) ? brainOf(agent.llm) : undefined;
    const persona = text(agent.system_prompt) ?? text(agent.persona);
    if (agent.variables !== undefined && !isRecord(agent.variables))
      issues.push({
        path: [...path, 'variables'],
        message: 'variables must be a mapping of names to values',
      });
    converted.push({
      id: text(agent.id) ?? ids.allocate(name, `agent-${index + 1}`),
      name,
      role: text(agent.role) ?? 'player',
      ...(persona ? { persona } : {}),
      brain: brain ?? 'rules',
      ...(isRecord(agent.variables)
        ? { variables: agent.variables as NonNullable<NativeScenarioInput['agents'][number]['variables']> }
        : {}),
      ...(Array.isArray(agent.goals) ? { goals: agent.goals } : {}),
      ...(isRecord(agent.traits) ? { traits: agent.traits as Record<string, number> } : {}),
    });
  });
  if (dropped.size > 0)
    notes.push(`agents: fields ${[...dropped].join(', ')} are not part of the native format; dropped.`);
  return converted;
}

/**
 * Converts seed 004's scenario YAML (`max_steps`, `engine`, `global_vars`, `agent_vars`,
 * `agents` with `name`, `llm`, `system_prompt`, `variables`) to the native format: `max_steps` →
 * `clock.steps`; `engine` → `game_master` (provider/model → brain `provider/model`) and its
 * `scripted_events` → `events`; `global_vars`/`agent_vars` → `variables`/`agent_variables` (dict →
 * JSON text); each agent gets an id from its name, role `player`, its system prompt as persona, its
 * `llm` as brain (`rules` without one). Agents get one generic `act` action (a stance and a
 * statement, no effects): the game master decides what it does to the world.
 */
export function convertSeed004(data: unknown, options: ConversionOptions = {}): SeedConversion {
  const notes: string[] = [];
  const issues: PathIssue[] = [];
  const source = isRecord(data) ? data : {};
  if (!isRecord(data))
    issues.push({
      path: [],
      message: 'a seed 004 scenario must be a mapping (max_steps, engine, agents, …)',
    });
  const steps = positiveInteger(source.max_steps);
  if (steps === undefined) {
    issues.push({
      path: source.max_steps === undefined ? [] : ['max_steps'],
      message:
        source.max_steps === undefined
          ? 'max_steps is required (the number of steps)'
          : 'max_steps must be a positive whole number',
    });
  }
  for (const key of Object.keys(source))
    if (!knownTopLevel.has(key)) notes.push(`${key}: not part of the seed 004 format; dropped.`);
  if (source.orchestrator_message !== undefined)
    notes.push('orchestrator_message: removed in seed 004 (the game master writes the messages); dropped.');

  const variables = convertVariables('global_vars', source.global_vars, notes, issues);
  if (isRecord(source.game_state)) {
    for (const [name, value] of Object.entries(source.game_state)) {
      const variable = name.replace(/^initial_/, '');
      if (variables[variable]) continue;
      variables[variable] = inferVariable(value).definition;
      notes.push(`game_state.${name}: the old format's state; declared as global variable ${variable}.`);
    }
  }
  const agentVariables = convertVariables('agent_vars', source.agent_vars, notes, issues);

  let gameMaster: GameMasterDefinitionInput | undefined;
  let events: NonNullable<NativeScenarioInput['events']> = [];
  if (isRecord(source.engine)) {
    ({ gameMaster, events } = convertEngine(source.engine, notes, issues));
  } else if (source.engine !== undefined) {
    issues.push({
      path: ['engine'],
      message: 'engine must be a mapping (provider, model, system_prompt, …)',
    });
  } else {
    notes.push('no engine block: the scenario runs without a game master.');
  }
  const agents = convertAgents(source.agents, notes, issues);

  const file: NativeScenarioInput = {
    name: text(source.name) ?? baseName(options.file) ?? 'Converted seed 004 scenario',
    description:
      text(source.description) ??
      'Each step every agent says what it does; the game master rules on the world and writes to each agent.',
    ...(typeof source.seed === 'number' ? { seed: source.seed } : {}),
    ...(text(source.goal) ? { goal: source.goal as string } : {}),
    clock: { steps: steps ?? 1 },
    ...(gameMaster ? { game_master: gameMaster } : {}),
    variables,
    agent_variables: agentVariables,
    actions: [actAction(playerStances)],
    agents,
    events,
  };
  return { file, notes, issues };
}
