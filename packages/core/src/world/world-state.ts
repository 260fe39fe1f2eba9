import { initialValueOf } from '../scenario/populations';
import type { Scenario, VariableValue } from '../scenario/scenario';
import type { VariableDefinition } from '../scenario/scenario-schema';

/** What a write was clamped or rejected against. */
export type ConstraintBound = 'min' | 'max' | 'type' | 'enum' | 'not-a-number';

/** A write that did not land as asked: clamped to a bound, or rejected. Later steps can see these. */
export interface ConstraintHit {
  /** The agent whose variable it was; absent for global variables. */
  agentId?: string;
  variable: string;
  attempted: unknown;
  /** The value that was stored (the old value when the write was rejected). */
  clamped: VariableValue;
  bound: ConstraintBound;
}

/** One variable's change, recorded as a delta. */
export interface StateChange {
  agentId?: string;
  variable: string;
  from: VariableValue;
  to: VariableValue;
}

/**
 * What expressions see of an agent: its built-in fields and its variables, in one object that the
 * world state writes into directly (no copy per evaluation).
 */
export interface AgentView {
  id: string;
  name: string;
  role: string;
  traits: Record<string, number>;
  /** The agent's mood (`valence`, `arousal`), kept by the engine. */
  mood?: Record<string, number> | undefined;
  [variable: string]: VariableValue | Record<string, number> | undefined;
}

/** The outcome of one write. */
export interface WriteResult {
  change?: StateChange;
  hit?: ConstraintHit;
}

/**
 * The world's typed variables, global and per agent. Every write goes through {@link write}, which
 * coerces and clamps to the declared type and range and reports what happened, so that clamps
 * become constraint hits and changes become deltas.
 */
export class WorldState {
  readonly globals: Record<string, VariableValue> = {};
  readonly agents = new Map<string, AgentView>();
  private readonly globalDefinitions: Record<string, VariableDefinition>;
  private readonly agentDefinitions: Record<string, VariableDefinition>;

  constructor(scenario: Scenario) {
    this.globalDefinitions = scenario.variables;
    this.agentDefinitions = scenario.agentVariables;
    for (const [name, definition] of Object.entries(scenario.variables))
      this.globals[name] = initialValueOf(definition);
    for (const agent of scenario.agents) {
      this.agents.set(agent.id, {
        id: agent.id,
        name: agent.name,
        role: agent.role,
        traits: agent.traits,
        ...structuredClone(agent.variables),
      });
    }
  }

  /** The definition of a variable, global when `agentId` is absent. */
  definitionOf(variable: string, agentId?: string): VariableDefinition | undefined {
    return agentId === undefined ? this.globalDefinitions[variable] : this.agentDefinitions[variable];
  }

  /** Reads a variable; undefined for unknown names or agents. */
  read(variable: string, agentId?: string): VariableValue | undefined {
    if (agentId === undefined) return this.globals[variable];
    return this.agents.get(agentId)?.[variable] as VariableValue | undefined;
  }

  /**
   * Computes what writing `value` would store, without storing it.
   * @returns the stored value and, when the write is clamped or rejected, the hit
   */
  coerce(
    definition: VariableDefinition,
    current: VariableValue,
    value: unknown,
  ): { value: VariableValue; bound?: ConstraintBound } {
    switch (definition.type) {
      case 'int':
      case 'float': {
        const number = typeof value === 'boolean' ? Number(value) : value;
        if (typeof number !== 'number') return { value: current, bound: 'type' };
        if (!Number.isFinite(number)) return { value: current, bound: 'not-a-number' };
        const rounded = definition.type === 'int' ? Math.round(number) : number;
        if (definition.min !== undefined && rounded < definition.min)
          return { value: definition.min, bound: 'min' };
        if (definition.max !== undefined && rounded > definition.max)
          return { value: definition.max, bound: 'max' };
        return { value: rounded };
      }
      case 'bool':
        return typeof value === 'boolean' ? { value } : { value: current, bound: 'type' };
      case 'enum':
        if (typeof value !== 'string') return { value: current, bound: 'type' };
        return definition.values?.includes(value) ? { value } : { value: current, bound: 'enum' };
      case 'string':
        return typeof value === 'string' ? { value } : { value: current, bound: 'type' };
      case 'list':
        return Array.isArray(value) ? { value: value as VariableValue } : { value: current, bound: 'type' };
      default: {
        const unreachable: never = definition.type;
        return unreachable;
      }
    }
  }

  /**
   * Writes a variable, clamping numbers into [min, max] and rejecting values of the wrong type.
   * Unknown variables or agents are reported as a `type` hit and change nothing.
   */
  write(variable: string, value: unknown, agentId?: string): WriteResult {
    const definition = this.definitionOf(variable, agentId);
    const holder: Record<string, unknown> | undefined =
      agentId === undefined ? this.globals : this.agents.get(agentId);
    if (!definition || !holder) {
      return {
        hit: { ...(agentId ? { agentId } : {}), variable, attempted: value, clamped: 0, bound: 'type' },
      };
    }
    const current = holder[variable] as VariableValue;
    const { value: stored, bound } = this.coerce(definition, current, value);
    const result: WriteResult = {};
    if (bound) {
      result.hit = { ...(agentId ? { agentId } : {}), variable, attempted: value, clamped: stored, bound };
    }
    if (!sameValue(current, stored)) {
      holder[variable] = stored;
      result.change = { ...(agentId ? { agentId } : {}), variable, from: current, to: stored };
    }
    return result;
  }

  /** A plain, JSON-safe copy of the whole state. */
  snapshot(): {
    globals: Record<string, VariableValue>;
    agents: Record<string, Record<string, VariableValue>>;
  } {
    const agents: Record<string, Record<string, VariableValue>> = {};
    for (const [id, view] of this.agents) {
      const variables: Record<string, VariableValue> = {};
      for (const name of Object.keys(this.agentDefinitions))
        variables[name] = structuredClone(view[name] as VariableValue);
      agents[id] = variables;
    }
    return { globals: structuredClone(this.globals), agents };
  }
}

function sameValue(a: VariableValue, b: VariableValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}
