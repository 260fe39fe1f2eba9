import type { AgentRuntime } from '../agents/agent-runtime';
import { type CompiledExpression, compileExpression } from '../expression';
import type { ActionDefinition, ActionParameter } from '../scenario/scenario-schema';
import type { ConstraintHit, StateChange } from '../world/world-state';
import { type ActionOutcome, type Environment, type EnvironmentContext, emptyOutcome } from './environment';
import { type ToolCallRequest, type ToolDefinition, validateToolArguments } from './tool';

interface CompiledAction {
  definition: ActionDefinition;
  tool: ToolDefinition;
  available?: CompiledExpression;
  effects: Array<{ target: string; owner?: string; variable: string; expression: CompiledExpression }>;
}

function parameterSchema(parameter: ActionParameter): Record<string, unknown> {
  const description = parameter.description ? { description: parameter.description } : {};
  switch (parameter.type) {
    case 'number':
    case 'integer':
      return {
        type: parameter.type,
        ...description,
        ...(parameter.min !== undefined ? { minimum: parameter.min } : {}),
        ...(parameter.max !== undefined ? { maximum: parameter.max } : {}),
      };
    case 'string':
      return { type: 'string', ...description, ...(parameter.enum ? { enum: parameter.enum } : {}) };
    case 'boolean':
      return { type: 'boolean', ...description };
    case 'agent':
      return {
        type: 'string',
        description: parameter.description ?? 'Id of an agent',
        'x-sandtable-agent': true,
      };
    default: {
      const unreachable: never = parameter.type;
      return unreachable;
    }
  }
}

/** The `wait` tool: do nothing this step. */
export const waitTool: ToolDefinition = {
  name: 'wait',
  description: 'Do nothing this step.',
  environment: 'world',
  parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
};

/**
 * The scenario's declared actions as tools. Executing one evaluates all its effect expressions
 * against the state before the action, then writes them (clamped) — so an action's effects are
 * simultaneous, while actions of different agents apply one after another in agent order.
 */
export class WorldActionsEnvironment implements Environment {
  readonly name = 'world';
  private readonly actions = new Map<string, CompiledAction>();

  constructor(definitions: ActionDefinition[]) {
    for (const definition of definitions) {
      const required = Object.entries(definition.parameters)
        .filter(([, parameter]) => parameter.default === undefined)
        .map(([name]) => name);
      const tool: ToolDefinition = {
        name: definition.name,
        description: definition.description,
        environment: this.name,
        parameters: {
          type: 'object',
          properties: Object.fromEntries(
            Object.entries(definition.parameters).map(([name, parameter]) => [
              name,
              parameterSchema(parameter),
            ]),
          ),
          required,
          additionalProperties: false,
        },
      };
      this.actions.set(definition.name, {
        definition,
        tool,
        ...(definition.available ? { available: compileExpression(definition.available) } : {}),
        effects: Object.entries(definition.effects).map(([target, source]) => {
          const [owner, variable] = target.includes('.')
            ? (target.split('.', 2) as [string, string])
            : [undefined, target];
          return { target, ...(owner ? { owner } : {}), variable, expression: compileExpression(source) };
        }),
      });
    }
  }

  /** The compiled declaration of an action, for brains that reason about effects. */
  action(name: string): { definition: ActionDefinition; tool: ToolDefinition } | undefined {
    return this.actions.get(name);
  }

  private offered(agent: AgentRuntime, action: CompiledAction, context: EnvironmentContext): boolean {
    const { definition } = action;
    if (agent.spec.actions && !agent.spec.actions.includes(definition.name)) return false;
    if (definition.roles && !definition.roles.includes(agent.spec.role)) return false;
    if (action.available) return action.available.evaluate(context.scope.forAgent(agent.view)) === true;
    return true;
  }

  tools(agent: AgentRuntime, context: EnvironmentContext): ToolDefinition[] {
    const tools: ToolDefinition[] = [];
    for (const action of this.actions.values())
      if (this.offered(agent, action, context)) tools.push(action.tool);
    if (!agent.spec.actions || agent.spec.actions.includes('wait')) tools.push(waitTool);
    return tools;
  }

  /**
   * The expression scope of an action call: the agent as `self`, each parameter by name, and
   * agent-typed parameters as that agent's view (so `to.role` or `to.coins` work).
   */
  argumentScope(
    agent: AgentRuntime,
    name: string,
    args: Record<string, unknown>,
    context: EnvironmentContext,
  ): Record<string, unknown> {
    const extra: Record<string, unknown> = {};
    for (const [parameterName, parameter] of Object.entries(
      this.actions.get(name)?.definition.parameters ?? {},
    )) {
      const value = args[parameterName] ?? parameter.default;
      extra[parameterName] = parameter.type === 'agent' ? context.agents.get(String(value))?.view : value;
    }
    return context.scope.forAgent(agent.view, extra);
  }

  /**
   * Evaluates an action's effects without applying them: the values each target would receive.
   * Used by execution and by the rule brain's look-ahead.
   */
  project(
    agent: AgentRuntime,
    name: string,
    args: Record<string, unknown>,
    context: EnvironmentContext,
  ): Array<{ agentId?: string; variable: string; value: unknown }> {
    const action = this.actions.get(name);
    if (!action) return [];
    const scope = this.argumentScope(agent, name, args, context);
    return action.effects.map((effect) => {
      const agentId =
        effect.owner === undefined
          ? undefined
          : effect.owner === 'self'
            ? agent.spec.id
            : String(args[effect.owner]);
      return {
        ...(agentId !== undefined ? { agentId } : {}),
        variable: effect.variable,
        value: effect.expression.evaluate(scope),
      };
    });
  }

  execute(agent: AgentRuntime, call: ToolCallRequest, context: EnvironmentContext): ActionOutcome {
    if (call.tool === 'wait') return emptyOutcome(true, 'waited');
    const action = this.actions.get(call.tool);
    if (!action) return emptyOutcome(false, `unknown action "${call.tool}"`);
    if (!this.offered(agent, action, context))
      return emptyOutcome(false, `${call.tool} is not available to ${agent.spec.id} now`);
    const problems = validateToolArguments(action.tool, call.arguments, (id) => {
      const target = context.agents.get(id);
      return target !== undefined && target.status !== 'terminated';
    });
    for (const [name, parameter] of Object.entries(action.definition.parameters)) {
      if (parameter.type === 'agent' && call.arguments[name] === agent.spec.id) {
        problems.push(`${call.tool}.${name}: an agent parameter names another agent, not yourself`);
      }
    }
    if (problems.length > 0) return emptyOutcome(false, problems.join('; '));
    const writes = this.project(agent, call.tool, call.arguments, context);
    const changes: StateChange[] = [];
    const hits: ConstraintHit[] = [];
    for (const write of writes) {
      const { change, hit } = context.world.write(write.variable, write.value, write.agentId);
      if (change) changes.push(change);
      if (hit) hits.push(hit);
    }
    const summary = changes.map(
      (change) =>
        `${change.agentId ? `${change.agentId}.` : ''}${change.variable} ${formatValue(change.from)} → ${formatValue(change.to)}`,
    );
    return {
      ok: true,
      result: summary.length > 0 ? summary.join(', ') : 'no change',
      changes,
      hits,
      messages: [],
    };
  }
}

/** Short rendering of a value for logs and summaries. */
export function formatValue(value: unknown): string {
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? String(value)
      : value.toFixed(Math.abs(value) < 10 ? 3 : 1).replace(/\.?0+$/, '');
  return JSON.stringify(value);
}
