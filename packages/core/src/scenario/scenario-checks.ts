import { checkEnvironmentDefinitions } from '../environments/environment-schemas';
import { ExpressionChecker, type ExpressionDeclarations } from '../expression';
import type { ScenarioFile, VariableDefinition } from './scenario-schema';

/** A problem found by a semantic check, located by its path in the file. */
export interface PathIssue {
  path: Array<string | number>;
  message: string;
  /** Point at the key rather than the value (unknown names). */
  atKey?: boolean;
}

/** Tools every agent has, whatever the scenario declares. */
export const builtInToolNames = ['send_message', 'post_to_room', 'broadcast', 'wait'] as const;

/** Names that expressions reserve; variables and parameters may not take them. */
export const reservedNames = ['self', 'step', 'steps', 'agents', 'actions', 'messages', 'failures'] as const;
const reservedAgentFields = ['id', 'name', 'role', 'traits', 'mood'];

/** The CEL type an expression sees for a variable of this definition. */
export function expressionTypeOf(definition: Pick<VariableDefinition, 'type'>): string {
  switch (definition.type) {
    case 'int':
    case 'float':
      return 'double';
    case 'bool':
      return 'bool';
    case 'enum':
    case 'string':
      return 'string';
    case 'list':
      return 'list<dyn>';
    default: {
      const unreachable: never = definition.type;
      return unreachable;
    }
  }
}

function valueMatches(definition: VariableDefinition, value: unknown): boolean {
  switch (definition.type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'enum':
      return typeof value === 'string' && (definition.values ?? []).includes(value);
    case 'string':
      return typeof value === 'string';
    case 'list':
      return Array.isArray(value);
    default: {
      const unreachable: never = definition.type;
      return unreachable;
    }
  }
}

function expectedKind(definition: VariableDefinition): 'number' | 'bool' | undefined {
  if (definition.type === 'int' || definition.type === 'float') return 'number';
  if (definition.type === 'bool') return 'bool';
  return undefined;
}

/** Does `selector` (agent id, population id, `role:<role>` or `*`) name at least one agent? */
export function selectorMatches(selector: string, file: ScenarioFile): boolean {
  if (selector === '*') return true;
  if (selector.startsWith('role:')) return file.agents.some((agent) => agent.role === selector.slice(5));
  return file.agents.some((agent) => agent.id === selector || isPopulationMember(selector, agent));
}

/** Whether `id` is one of the ids a population template expands to (`<id>-0001` …). */
function isPopulationMember(id: string, agent: { id: string; count?: number | undefined }): boolean {
  if (agent.count === undefined || !id.startsWith(`${agent.id}-`)) return false;
  const suffix = id.slice(agent.id.length + 1);
  const width = Math.max(4, String(agent.count).length);
  const index = Number(suffix);
  return suffix.length === width && Number.isInteger(index) && index >= 1 && index <= agent.count;
}

function checkVariables(
  section: 'variables' | 'agent_variables',
  variables: Record<string, VariableDefinition>,
  issues: PathIssue[],
): void {
  for (const [name, definition] of Object.entries(variables)) {
    const path = [section, name];
    if ((reservedNames as readonly string[]).includes(name)) {
      issues.push({
        path,
        atKey: true,
        message: `"${name}" is reserved in expressions; choose another name`,
      });
    }
    if (section === 'agent_variables' && reservedAgentFields.includes(name)) {
      issues.push({ path, atKey: true, message: `"${name}" is a built-in agent field; choose another name` });
    }
    if (definition.min !== undefined && definition.max !== undefined && definition.min > definition.max) {
      issues.push({
        path: [...path, 'min'],
        message: `min (${definition.min}) is greater than max (${definition.max})`,
      });
    }
    if (
      (definition.min !== undefined || definition.max !== undefined) &&
      expectedKind(definition) !== 'number'
    ) {
      issues.push({
        path: [...path, 'type'],
        message: `min/max only apply to int and float, not ${definition.type}`,
      });
    }
    if (definition.type === 'enum' && !definition.values) {
      issues.push({ path: [...path, 'values'], message: 'an enum needs a list of allowed values' });
    }
    if (definition.default !== undefined) {
      if (!valueMatches(definition, definition.default)) {
        const expected =
          definition.type === 'enum' ? `one of ${definition.values?.join(', ')}` : `a ${definition.type}`;
        issues.push({
          path: [...path, 'default'],
          message: `default ${JSON.stringify(definition.default)} is not ${expected}`,
        });
      } else if (typeof definition.default === 'number') {
        if (definition.min !== undefined && definition.default < definition.min) {
          issues.push({
            path: [...path, 'default'],
            message: `default ${definition.default} is below min ${definition.min}`,
          });
        }
        if (definition.max !== undefined && definition.default > definition.max) {
          issues.push({
            path: [...path, 'default'],
            message: `default ${definition.default} is above max ${definition.max}`,
          });
        }
      }
    }
  }
}

/** Builds the name/type declarations for each expression context of a scenario. */
export function expressionContexts(file: ScenarioFile) {
  const agentFields: Record<string, string> = {
    id: 'string',
    name: 'string',
    role: 'string',
    traits: 'map<string, double>',
    mood: 'map<string, double>',
  };
  for (const [name, definition] of Object.entries(file.agent_variables))
    agentFields[name] = expressionTypeOf(definition);
  const global: ExpressionDeclarations = {
    step: 'double',
    steps: 'double',
    agents: 'list<Agent>',
    actions: 'map<string, double>',
    messages: 'double',
    failures: 'double',
  };
  for (const [name, definition] of Object.entries(file.parameters)) {
    global[name] = definition.type === 'bool' ? 'bool' : definition.type === 'string' ? 'string' : 'double';
  }
  for (const [name, definition] of Object.entries(file.variables))
    global[name] = expressionTypeOf(definition);
  const types = { Agent: agentFields };
  const agent: ExpressionDeclarations = { ...global, self: 'Agent' };
  return {
    global: new ExpressionChecker(global, types),
    agent: new ExpressionChecker(agent, types),
    forAction(parameters: Record<string, { type: string }>) {
      const declarations: ExpressionDeclarations = { ...agent };
      for (const [name, parameter] of Object.entries(parameters)) {
        declarations[name] =
          parameter.type === 'agent'
            ? 'Agent'
            : parameter.type === 'string'
              ? 'string'
              : parameter.type === 'boolean'
                ? 'bool'
                : 'double';
      }
      return new ExpressionChecker(declarations, types);
    },
  };
}

/**
 * Checks what the schema cannot: ranges, references between parts of the scenario, and every
 * expression's syntax, names and types. Returns all problems found.
 */
export function checkScenarioFile(file: ScenarioFile): PathIssue[] {
  const issues: PathIssue[] = [];
  checkVariables('variables', file.variables, issues);
  checkVariables('agent_variables', file.agent_variables, issues);
  const contexts = expressionContexts(file);
  const expression = (
    checker: ExpressionChecker,
    source: string | undefined,
    path: Array<string | number>,
    expected?: 'bool' | 'number',
  ) => {
    if (source === undefined) return;
    const problem = checker.check(source, expected);
    if (problem) issues.push({ path, message: `invalid expression \`${source}\`: ${problem}` });
  };
  const checkTarget = (
    target: string,
    path: Array<string | number>,
    agentParameters: string[],
  ): VariableDefinition | undefined => {
    const [head, field] = target.includes('.') ? target.split('.', 2) : [undefined, target];
    if (head === undefined) {
      const definition = file.variables[target];
      if (!definition) {
        const known = Object.keys(file.variables);
        issues.push({
          path,
          atKey: true,
          message: `unknown global variable "${target}"${known.length ? `; known: ${known.join(', ')}` : ''}`,
        });
      }
      return definition;
    }
    if (head !== 'self' && !agentParameters.includes(head)) {
      issues.push({
        path,
        atKey: true,
        message: `"${head}" is neither self nor an agent parameter of this action`,
      });
      return undefined;
    }
    const definition = file.agent_variables[field ?? ''];
    if (!definition) {
      issues.push({ path, atKey: true, message: `unknown agent variable "${field}"` });
    }
    return definition;
  };

  for (const [name, parameter] of Object.entries(file.parameters)) {
    if ((reservedNames as readonly string[]).includes(name) || name in file.variables) {
      issues.push({
        path: ['parameters', name],
        atKey: true,
        message: `"${name}" is already used by a variable or reserved`,
      });
    }
    if (parameter.min !== undefined && parameter.max !== undefined && parameter.min > parameter.max) {
      issues.push({
        path: ['parameters', name, 'min'],
        message: `min (${parameter.min}) is greater than max (${parameter.max})`,
      });
    }
    const numeric = parameter.type === 'int' || parameter.type === 'float';
    const typeOk = numeric
      ? typeof parameter.default === 'number'
      : parameter.type === 'bool'
        ? typeof parameter.default === 'boolean'
        : typeof parameter.default === 'string';
    if (!typeOk) {
      issues.push({ path: ['parameters', name, 'default'], message: `default is not a ${parameter.type}` });
    }
  }

  file.dynamics.forEach((dynamic, index) => {
    const path = ['dynamics', index];
    const perAgent = dynamic.set.startsWith('self.');
    const definition = checkTarget(dynamic.set, [...path, 'set'], []);
    const checker = perAgent ? contexts.agent : contexts.global;
    expression(checker, dynamic.to, [...path, 'to'], definition ? expectedKind(definition) : undefined);
    expression(checker, dynamic.when, [...path, 'when'], 'bool');
  });

  const roles = new Set(file.agents.map((agent) => agent.role));
  const actionNames = new Set<string>();
  file.actions.forEach((action, index) => {
    const path = ['actions', index];
    if (actionNames.has(action.name))
      issues.push({ path: [...path, 'name'], message: `duplicate action "${action.name}"` });
    if ((builtInToolNames as readonly string[]).includes(action.name)) {
      issues.push({
        path: [...path, 'name'],
        message: `"${action.name}" is a built-in tool; choose another name`,
      });
    }
    actionNames.add(action.name);
    for (const [name, parameter] of Object.entries(action.parameters)) {
      if (parameter.min !== undefined && parameter.max !== undefined && parameter.min > parameter.max) {
        issues.push({
          path: [...path, 'parameters', name, 'min'],
          message: `min (${parameter.min}) is greater than max (${parameter.max})`,
        });
      }
    }
    const agentParameters = Object.entries(action.parameters)
      .filter(([, parameter]) => parameter.type === 'agent')
      .map(([name]) => name);
    const checker = contexts.forAction(action.parameters);
    for (const [target, source] of Object.entries(action.effects)) {
      const definition = checkTarget(target, [...path, 'effects', target], agentParameters);
      expression(
        checker,
        source,
        [...path, 'effects', target],
        definition ? expectedKind(definition) : undefined,
      );
    }
    expression(contexts.agent, action.available, [...path, 'available'], 'bool');
    expression(checker, action.utility, [...path, 'utility'], 'number');
    for (const [roleIndex, role] of (action.roles ?? []).entries()) {
      if (!roles.has(role)) {
        issues.push({ path: [...path, 'roles', roleIndex], message: `no agent has role "${role}"` });
      }
    }
  });

  const agentIds = new Set<string>();
  const toolNames = new Set<string>([...actionNames, ...builtInToolNames]);
  file.agents.forEach((agent, index) => {
    const path = ['agents', index];
    if (agentIds.has(agent.id))
      issues.push({ path: [...path, 'id'], message: `duplicate agent id "${agent.id}"` });
    agentIds.add(agent.id);
    for (const [name, value] of Object.entries(agent.variables)) {
      const definition = file.agent_variables[name];
      if (!definition) {
        issues.push({
          path: [...path, 'variables', name],
          atKey: true,
          message: `unknown agent variable "${name}"; declare it under agent_variables`,
        });
        continue;
      }
      const isDistribution = typeof value === 'object' && value !== null && !Array.isArray(value);
      if (isDistribution) {
        if (expectedKind(definition) !== 'number') {
          issues.push({
            path: [...path, 'variables', name],
            message: `a distribution needs a numeric variable, not ${definition.type}`,
          });
        } else if ('min' in value && value.min > value.max) {
          issues.push({
            path: [...path, 'variables', name, 'min'],
            message: `min (${value.min}) is greater than max (${value.max})`,
          });
        }
      } else if (!valueMatches(definition, value)) {
        issues.push({
          path: [...path, 'variables', name],
          message: `${JSON.stringify(value)} is not a valid ${definition.type}`,
        });
      }
    }
    agent.goals.forEach((goal, goalIndex) => {
      expression(contexts.agent, goal.maximize, [...path, 'goals', goalIndex, 'maximize'], 'number');
      expression(contexts.agent, goal.minimize, [...path, 'goals', goalIndex, 'minimize'], 'number');
    });
    (agent.actions ?? []).forEach((name, actionIndex) => {
      if (!toolNames.has(name)) {
        issues.push({ path: [...path, 'actions', actionIndex], message: `unknown action "${name}"` });
      }
    });
  });

  const roomNames = new Set<string>();
  file.rooms.forEach((room, index) => {
    if (roomNames.has(room.name))
      issues.push({ path: ['rooms', index, 'name'], message: `duplicate room "${room.name}"` });
    roomNames.add(room.name);
    room.members.forEach((member, memberIndex) => {
      if (!selectorMatches(member, file)) {
        issues.push({
          path: ['rooms', index, 'members', memberIndex],
          message: `"${member}" matches no agent`,
        });
      }
    });
  });

  file.events.forEach((event, index) => {
    const path = ['events', index];
    if (event.step !== undefined && event.step > file.clock.steps) {
      issues.push({
        path: [...path, 'step'],
        message: `step ${event.step} is after the last step (${file.clock.steps})`,
      });
    }
    expression(contexts.global, event.when, [...path, 'when'], 'bool');
    for (const [target, source] of Object.entries(event.effects)) {
      const definition = checkTarget(target, [...path, 'effects', target], []);
      const checker = target.startsWith('self.') ? contexts.agent : contexts.global;
      expression(
        checker,
        source,
        [...path, 'effects', target],
        definition ? expectedKind(definition) : undefined,
      );
    }
    (event.affects ?? []).forEach((selector, selectorIndex) => {
      if (!selectorMatches(selector, file)) {
        issues.push({ path: [...path, 'affects', selectorIndex], message: `"${selector}" matches no agent` });
      }
    });
  });

  for (const [name, metric] of Object.entries(file.metrics)) {
    const source = typeof metric === 'string' ? metric : metric.expression;
    const path = typeof metric === 'string' ? ['metrics', name] : ['metrics', name, 'expression'];
    const problem = contexts.global.check(source);
    if (problem) issues.push({ path, message: `invalid expression \`${source}\`: ${problem}` });
  }
  for (const issue of checkEnvironmentDefinitions(file.environments, {
    agents: file.agents,
    agentVariables: file.agent_variables,
    takenToolNames: [...builtInToolNames, ...file.actions.map((action) => action.name)],
  })) {
    issues.push({ path: ['environments', ...issue.path], message: issue.message });
  }
  file.termination.forEach((condition, index) => {
    expression(contexts.global, condition.when, ['termination', index, 'when'], 'bool');
  });
  return issues;
}
