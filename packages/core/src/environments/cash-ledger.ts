import type { ActionOutcome, EnvironmentContext } from './environment';
import type { MoneySource } from './environment-schemas';

/** State changes and constraint hits produced outside an action (ticks, resolutions). */
export type EnvironmentWrites = Pick<ActionOutcome, 'changes' | 'hits'>;

/**
 * Money per agent, held either in the environment's own ledger (starting at a fixed amount) or in
 * a numeric agent variable, read and written through the world state so clamps become constraint
 * hits. Spending may not take a balance below 0 (or the variable's min, when higher).
 */
export class CashLedger {
  private readonly balances = new Map<string, number>();

  constructor(private readonly source: MoneySource) {}

  /** The agent's balance now. */
  balance(agentId: string, context: EnvironmentContext): number {
    if (typeof this.source === 'number') return this.balances.get(agentId) ?? this.source;
    const value = context.world.read(this.source.variable, agentId);
    return typeof value === 'number' ? value : 0;
  }

  /** The lowest balance spending may leave. */
  floor(agentId: string, context: EnvironmentContext): number {
    if (typeof this.source === 'number') return 0;
    return Math.max(context.world.definitionOf(this.source.variable, agentId)?.min ?? 0, 0);
  }

  /** Sets a balance, collecting the state change and any constraint hit. */
  set(agentId: string, value: number, context: EnvironmentContext, writes: EnvironmentWrites): void {
    if (typeof this.source === 'number') {
      this.balances.set(agentId, value);
      return;
    }
    const { change, hit } = context.world.write(this.source.variable, value, agentId);
    if (change) writes.changes.push(change);
    if (hit) writes.hits.push(hit);
  }
}
