import { z } from 'zod';
import type { GameMasterUpdate } from '../engine/game-master';
import type { Scenario } from '../scenario/scenario';
import type { VariableDefinition } from '../scenario/scenario-schema';
import { formatPath } from '../scenario/source-map';
import type { AgentDirectory } from './world-delta';

/** The keys every ruling must have (seed 004). */
export const rulingKeys = ['state_updates', 'events', 'agent_messages', 'reasoning'] as const;

/** Which check a reply failed; they run in this order and stop at the first that fails. */
export type RulingCheckStage = 'structure' | 'references' | 'types';

/** The outcome of checking a game master's reply. */
export type RulingCheck =
  | { ok: true; value: GameMasterUpdate }
  | { ok: false; stage: RulingCheckStage; errors: string[] };

const RulingShape = z.object({
  state_updates: z.object({
    global_vars: z.record(z.string(), z.unknown()).nullish(),
    agent_vars: z.record(z.string(), z.record(z.string(), z.unknown())).nullish(),
  }),
  events: z.array(
    z.object({
      type: z.string().min(1),
      description: z.string().min(1),
      affects: z.array(z.string()).nullish(),
      duration: z.number().nullish(),
    }),
  ),
  agent_messages: z.record(z.string(), z.string()),
  reasoning: z.string(),
});

type RulingValue = z.output<typeof RulingShape>;

/** More agents than this are described by one schema for any key, not one property each. */
const agentsListedInSchema = 50;
/** Names listed in an error message. */
const namesInErrors = 20;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, namesInErrors).join(', ');
  return names.length > namesInErrors ? `${shown}, … (${names.length} in all)` : shown || '(none)';
}

function structureErrors(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path as Array<string | number>);
    if (issue.code === 'invalid_type' && issue.message.includes('received undefined'))
      return `missing required key "${path}"`;
    return `${path || 'reply'}: ${issue.message}`;
  });
}

function referenceErrors(ruling: RulingValue, scenario: Scenario, directory: AgentDirectory): string[] {
  const errors: string[] = [];
  const agents = directory.allNames();
  const unknownAgent = (where: string, key: string) =>
    errors.push(`${where}: unknown agent ${JSON.stringify(key)} (agents: ${listNames(agents)})`);
  for (const variable of Object.keys(ruling.state_updates.global_vars ?? {})) {
    if (!(variable in scenario.variables))
      errors.push(
        `state_updates.global_vars: unknown global variable ${JSON.stringify(variable)} (known: ${listNames(Object.keys(scenario.variables))})`,
      );
  }
  for (const [key, variables] of Object.entries(ruling.state_updates.agent_vars ?? {})) {
    if (!directory.resolve(key)) {
      unknownAgent('state_updates.agent_vars', key);
      continue;
    }
    for (const variable of Object.keys(variables)) {
      if (!(variable in scenario.agentVariables))
        errors.push(
          `state_updates.agent_vars[${JSON.stringify(key)}]: unknown agent variable ${JSON.stringify(variable)} (known: ${listNames(Object.keys(scenario.agentVariables))})`,
        );
    }
  }
  ruling.events.forEach((event, index) => {
    for (const key of event.affects ?? []) {
      if (key !== '*' && !directory.resolve(key)) unknownAgent(`events[${index}].affects`, key);
    }
  });
  for (const key of Object.keys(ruling.agent_messages)) {
    if (!directory.resolve(key)) unknownAgent('agent_messages', key);
  }
  return errors;
}

/** Why a value does not fit a variable's declared type, or undefined when it fits. Ranges are not checked. */
export function typeProblem(definition: VariableDefinition, value: unknown): string | undefined {
  const got = JSON.stringify(value) ?? String(value);
  switch (definition.type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value)
        ? undefined
        : `expected an integer, got ${got}`;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `expected a number, got ${got}`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${got}`;
    case 'enum':
      return typeof value === 'string' && (definition.values ?? []).includes(value)
        ? undefined
        : `expected one of ${(definition.values ?? []).map((entry) => JSON.stringify(entry)).join(', ')}, got ${got}`;
    case 'string':
      return typeof value === 'string' ? undefined : `expected a string, got ${got}`;
    case 'list':
      return Array.isArray(value) ? undefined : `expected a list (JSON array), got ${got}`;
    default: {
      const unreachable: never = definition.type;
      return unreachable;
    }
  }
}

function typeErrors(ruling: RulingValue, scenario: Scenario): string[] {
  const errors: string[] = [];
  for (const [variable, value] of Object.entries(ruling.state_updates.global_vars ?? {})) {
    const problem = typeProblem(scenario.variables[variable] as VariableDefinition, value);
    if (problem) errors.push(`state_updates.global_vars.${variable}: ${problem}`);
  }
  for (const [key, variables] of Object.entries(ruling.state_updates.agent_vars ?? {})) {
    for (const [variable, value] of Object.entries(variables)) {
      const problem = typeProblem(scenario.agentVariables[variable] as VariableDefinition, value);
      if (problem) errors.push(`state_updates.agent_vars[${JSON.stringify(key)}].${variable}: ${problem}`);
    }
  }
  return errors;
}

/**
 * Checks a game master's reply in seed 004's order — JSON structure (the four required keys and
 * their shapes), then references (agents by name or id, variables that exist), then types (per
 * declared variable type) — and stops at the first stage that fails, listing all its errors.
 * Ranges are deliberately not checked: out-of-range values go through, the engine clamps them
 * and reports constraint hits, which the game master sees next step.
 */
export function checkRuling(value: unknown, scenario: Scenario, directory: AgentDirectory): RulingCheck {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      stage: 'structure',
      errors: [`the reply must be a JSON object with the keys ${rulingKeys.join(', ')}`],
    };
  }
  const parsed = RulingShape.safeParse(value);
  if (!parsed.success) return { ok: false, stage: 'structure', errors: structureErrors(parsed.error) };
  const ruling = parsed.data;
  const references = referenceErrors(ruling, scenario, directory);
  if (references.length > 0) return { ok: false, stage: 'references', errors: references };
  const types = typeErrors(ruling, scenario);
  if (types.length > 0) return { ok: false, stage: 'types', errors: types };

  const update: GameMasterUpdate = { reasoning: ruling.reasoning };
  const globals = ruling.state_updates.global_vars ?? {};
  if (Object.keys(globals).length > 0) update.globals = globals;
  const agents = Object.fromEntries(
    Object.entries(ruling.state_updates.agent_vars ?? {}).filter(
      ([, variables]) => Object.keys(variables).length > 0,
    ),
  );
  if (Object.keys(agents).length > 0) update.agents = agents;
  if (ruling.events.length > 0) {
    update.events = ruling.events.map((event) => ({
      type: event.type,
      description: event.description,
      ...(event.affects ? { affects: event.affects } : {}),
      ...(typeof event.duration === 'number' ? { duration: event.duration } : {}),
    }));
  }
  if (Object.keys(ruling.agent_messages).length > 0) update.messages = ruling.agent_messages;
  return { ok: true, value: update };
}

function variableSchema(definition: VariableDefinition): Record<string, unknown> {
  const description = definition.description ? { description: definition.description } : {};
  switch (definition.type) {
    case 'int':
      return { type: 'integer', ...description };
    case 'float':
      return { type: 'number', ...description };
    case 'bool':
      return { type: 'boolean', ...description };
    case 'enum':
      return { type: 'string', enum: definition.values ?? [], ...description };
    case 'string':
      return { type: 'string', ...description };
    case 'list':
      return { type: 'array', ...description };
    default: {
      const unreachable: never = definition.type;
      return unreachable;
    }
  }
}

function variablesSchema(definitions: Record<string, VariableDefinition>): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(definitions).map(([name, definition]) => [name, variableSchema(definition)]),
    ),
    additionalProperties: false,
  };
}

/** An object keyed by agent name: one property per agent in small worlds, any key in large ones. */
function byAgentSchema(
  names: readonly string[],
  valueSchema: Record<string, unknown>,
): Record<string, unknown> {
  if (names.length > agentsListedInSchema) return { type: 'object', additionalProperties: valueSchema };
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, valueSchema])),
    additionalProperties: false,
  };
}

/**
 * The JSON Schema of a ruling for this scenario, sent as the response format (providers that
 * decode against a schema follow it; the others get it in the prompt and the checks above).
 */
export function rulingJsonSchema(scenario: Scenario, directory: AgentDirectory): Record<string, unknown> {
  const names = directory.allNames();
  const agentName =
    names.length > agentsListedInSchema ? { type: 'string' } : { type: 'string', enum: [...names, '*'] };
  return {
    type: 'object',
    properties: {
      state_updates: {
        type: 'object',
        properties: {
          global_vars: variablesSchema(scenario.variables),
          agent_vars: byAgentSchema(names, variablesSchema(scenario.agentVariables)),
        },
        required: ['global_vars', 'agent_vars'],
      },
      events: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            description: { type: 'string' },
            affects: { type: 'array', items: agentName },
            duration: { type: 'integer', minimum: 1 },
          },
          required: ['type', 'description'],
        },
      },
      agent_messages: byAgentSchema(names, { type: 'string' }),
      reasoning: { type: 'string' },
    },
    required: [...rulingKeys],
  };
}
