import { formatValue } from '../environments/world-actions-environment';
import type { Scenario, VariableValue } from '../scenario/scenario';
import type { ConstraintHit, StateChange, WorldState } from '../world/world-state';

/** A plain copy of the world's variables, as `WorldState.snapshot()` returns it. */
export type WorldSnapshot = ReturnType<WorldState['snapshot']>;

/**
 * Agent names and ids, both ways. The game master's replies name agents (seed 004's keys are
 * names); the engine's events carry ids.
 */
export class AgentDirectory {
  private readonly names = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  constructor(scenario: Pick<Scenario, 'agents'>) {
    for (const agent of scenario.agents) {
      this.names.set(agent.id, agent.name);
      if (!this.ids.has(agent.name)) this.ids.set(agent.name, agent.id);
    }
  }

  /** The agent id for an id or a name; undefined when neither is known. */
  resolve(key: string): string | undefined {
    return this.names.has(key) ? key : this.ids.get(key);
  }

  /** The display name of an agent id (the id itself when unknown). */
  nameOf(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** Every agent's display name, in scenario order. */
  allNames(): string[] {
    return [...this.names.values()];
  }
}

function sameValue(a: VariableValue | undefined, b: VariableValue | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** Every variable whose value differs between two snapshots, globals first, then agents in order. */
export function diffSnapshots(before: WorldSnapshot, after: WorldSnapshot): StateChange[] {
  const changes: StateChange[] = [];
  for (const [variable, to] of Object.entries(after.globals)) {
    const from = before.globals[variable];
    if (from !== undefined && !sameValue(from, to)) changes.push({ variable, from, to });
  }
  for (const [agentId, variables] of Object.entries(after.agents)) {
    const previous = before.agents[agentId];
    if (!previous) continue;
    for (const [variable, to] of Object.entries(variables)) {
      const from = previous[variable];
      if (from !== undefined && !sameValue(from, to)) changes.push({ agentId, variable, from, to });
    }
  }
  return changes;
}

/** A value as the game master and the console show it: numbers short, everything else as JSON. */
export function describeValue(value: unknown): string {
  return formatValue(value);
}

/** A signed numeric difference, e.g. `+100` or `-0.15`. */
export function describeDifference(from: number, to: number): string {
  const difference = Number((to - from).toPrecision(12));
  return `${difference >= 0 ? '+' : ''}${formatValue(difference)}`;
}

/** `economic_strength 1000 → 1100 (+100)`, or `phase "calm" → "crisis"` for other values. */
export function describeChange(change: Pick<StateChange, 'variable' | 'from' | 'to'>): string {
  const { variable, from, to } = change;
  const delta =
    typeof from === 'number' && typeof to === 'number' ? ` (${describeDifference(from, to)})` : '';
  return `${variable} ${describeValue(from)} → ${describeValue(to)}${delta}`;
}

/** `economic_strength +100` (the seed's history form), or `phase → "crisis"` for other values. */
export function describeDelta(change: Pick<StateChange, 'variable' | 'from' | 'to'>): string {
  const { variable, from, to } = change;
  if (typeof from === 'number' && typeof to === 'number')
    return `${variable} ${describeDifference(from, to)}`;
  return `${variable} → ${describeValue(to)}`;
}

const rejectionReasons: Record<Exclude<ConstraintHit['bound'], 'min' | 'max'>, string> = {
  type: 'wrong type',
  enum: 'not an allowed value',
  'not-a-number': 'not a finite number',
};

/** A constraint hit without its owner: `economic_strength attempted -50, clamped to 0`. */
export function describeHitBody(hit: ConstraintHit): string {
  const attempted = describeValue(hit.attempted);
  if (hit.bound === 'min' || hit.bound === 'max')
    return `${hit.variable} attempted ${attempted}, clamped to ${describeValue(hit.clamped)}`;
  return `${hit.variable} attempted ${attempted}, rejected (${rejectionReasons[hit.bound]}); kept ${describeValue(hit.clamped)}`;
}

/**
 * A constraint hit in seed 004's words, without the `Constraint Hit:` prefix:
 * `Agent A economic_strength attempted -50, clamped to 0` (globals are `Global <variable> …`).
 */
export function describeHit(hit: ConstraintHit, agentName?: string): string {
  const owner = hit.agentId === undefined ? 'Global' : (agentName ?? hit.agentId);
  return `${owner} ${describeHitBody(hit)}`;
}

/** What a hit means for what comes next, e.g. `Agent A economic_strength is at its minimum (0): it cannot go lower.` */
export function hitConsequence(hit: ConstraintHit, agentName?: string): string {
  const owner = hit.agentId === undefined ? hit.variable : `${agentName ?? hit.agentId} ${hit.variable}`;
  switch (hit.bound) {
    case 'min':
      return `${owner} is at its minimum (${describeValue(hit.clamped)}): it cannot go lower.`;
    case 'max':
      return `${owner} is at its maximum (${describeValue(hit.clamped)}): it cannot go higher.`;
    case 'type':
    case 'enum':
    case 'not-a-number':
      return `${owner} kept its value (${describeValue(hit.clamped)}); the write was invalid.`;
    default: {
      const unreachable: never = hit.bound;
      return unreachable;
    }
  }
}

/**
 * The hit itself plus its consequence, one entry per hit, for the game master's history:
 * `Constraint Hit: Agent A economic_strength attempted -50, clamped to 0` /
 * `  → Agent A economic_strength is at its minimum (0): it cannot go lower.`
 */
export function hitLines(hit: ConstraintHit, agentName?: string): [string, string] {
  return [`Constraint Hit: ${describeHit(hit, agentName)}`, `  → ${hitConsequence(hit, agentName)}`];
}

/**
 * Keeps the last hit per (agent, variable): a pool that 3,000 agents drained is one line, not
 * 3,000. Order of first appearance is kept.
 */
export function latestHits(hits: readonly ConstraintHit[]): ConstraintHit[] {
  const latest = new Map<string, ConstraintHit>();
  for (const hit of hits) latest.set(`${hit.agentId ?? ''}\u0000${hit.variable}`, hit);
  return [...latest.values()];
}

/** A human form of a variable name: `economic_strength` → `economic strength`. */
export function humanise(name: string): string {
  return name.replace(/_/g, ' ');
}
