import { faker } from '@faker-js/faker/locale/en';
import { createRandom, deriveSeed } from '../random';
import type { AgentSpec, VariableValue } from './scenario';
import type { AgentDefinition, ScenarioFile, VariableDefinition } from './scenario-schema';

function defaultValue(definition: VariableDefinition): VariableValue {
  if (definition.default !== undefined) return definition.default;
  switch (definition.type) {
    case 'int':
    case 'float':
      return definition.min !== undefined && definition.min > 0 ? definition.min : 0;
    case 'bool':
      return false;
    case 'enum':
      return definition.values?.[0] ?? '';
    case 'string':
      return '';
    case 'list':
      return [];
    default: {
      const unreachable: never = definition.type;
      return unreachable;
    }
  }
}

/** The initial value of a variable when nothing overrides it. */
export { defaultValue as initialValueOf };

function clampToDefinition(definition: VariableDefinition, value: number): number {
  let result = definition.type === 'int' ? Math.round(value) : value;
  if (definition.min !== undefined) result = Math.max(definition.min, result);
  if (definition.max !== undefined) result = Math.min(definition.max, result);
  return result;
}

/**
 * Expands agent definitions into concrete agents. A definition with `count: N` becomes N agents
 * with ids `<id>-0001…`, distinct names drawn from a seeded name generator, traits jittered by
 * `jitter`, and variables drawn from their distributions. The same seed always gives the same
 * agents.
 */
export function expandAgents(file: ScenarioFile, seed: number): AgentSpec[] {
  const agents: AgentSpec[] = [];
  const usedNames = new Set<string>();
  file.agents.forEach((definition, definitionIndex) => {
    if (definition.count === undefined) {
      agents.push(
        buildAgent(file, definition, definitionIndex, definition.id, definition.name ?? definition.id, seed),
      );
      usedNames.add(definition.name ?? definition.id);
      return;
    }
    faker.seed(deriveSeed(seed, ['names', definition.id]));
    const width = Math.max(4, String(definition.count).length);
    for (let index = 1; index <= definition.count; index++) {
      let name = faker.person.fullName();
      for (let attempt = 2; usedNames.has(name); attempt++)
        name = `${faker.person.fullName()}${attempt > 5 ? ` ${attempt}` : ''}`;
      usedNames.add(name);
      const id = `${definition.id}-${String(index).padStart(width, '0')}`;
      agents.push(buildAgent(file, definition, definitionIndex, id, name, seed, definition.id));
    }
  });
  return agents;
}

function buildAgent(
  file: ScenarioFile,
  definition: AgentDefinition,
  definitionIndex: number,
  id: string,
  name: string,
  seed: number,
  population?: string,
): AgentSpec {
  const random = createRandom(seed, ['agent', id]);
  const traits: Record<string, number> = {};
  for (const [trait, value] of Object.entries(definition.traits)) {
    const jittered = population ? value + (random.next() * 2 - 1) * definition.jitter : value;
    traits[trait] = Math.min(1, Math.max(0, jittered));
  }
  const variables: Record<string, VariableValue> = {};
  for (const [variable, variableDefinition] of Object.entries(file.agent_variables)) {
    const override = definition.variables[variable];
    if (override === undefined) {
      variables[variable] = defaultValue(variableDefinition);
    } else if (typeof override === 'object' && override !== null && !Array.isArray(override)) {
      const drawn =
        'mean' in override
          ? random.normal(override.mean, override.sd)
          : override.min + random.next() * (override.max - override.min);
      variables[variable] = clampToDefinition(variableDefinition, drawn);
    } else {
      variables[variable] = override;
    }
  }
  return {
    id,
    name,
    role: definition.role,
    persona: definition.persona ?? '',
    goals: definition.goals,
    traits,
    brain: definition.brain,
    variables,
    ...(definition.actions ? { actions: definition.actions } : {}),
    memoryWindow: definition.memory_window ?? file.execution.memory_window,
    ...(population ? { population } : {}),
    definitionIndex,
  };
}
