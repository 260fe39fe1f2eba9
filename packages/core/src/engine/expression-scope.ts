import type { Scenario } from '../scenario/scenario';
import type { AgentView, WorldState } from '../world/world-state';

/**
 * The names expressions read, kept live: the global scope inherits from the world's global
 * variables (so writes are visible at once without copying), and adds `step`, `steps`, the
 * parameters, last step's activity counts and `agents` (built only when an expression reads it).
 */
export class ExpressionScope {
  readonly global: Record<string, unknown>;
  private agentList: AgentView[] | undefined;

  constructor(
    scenario: Scenario,
    world: WorldState,
    private readonly activeAgents: () => Iterable<AgentView>,
  ) {
    this.global = Object.create(world.globals) as Record<string, unknown>;
    Object.assign(this.global, scenario.parameters, {
      step: 0,
      steps: scenario.clock.steps,
      messages: 0,
      failures: 0,
    });
    this.global.actions = Object.fromEntries(scenario.actions.map((action) => [action.name, 0]));
    Object.defineProperty(this.global, 'agents', {
      enumerable: true,
      get: () => {
        this.agentList ??= [...this.activeAgents()];
        return this.agentList;
      },
    });
  }

  /** Sets the current step number. */
  setStep(step: number): void {
    this.global.step = step;
  }

  /** Records the last step's activity, readable as `actions.<name>`, `messages` and `failures`. */
  setActivity(actions: Record<string, number>, messages: number, failures: number): void {
    this.global.actions = actions;
    this.global.messages = messages;
    this.global.failures = failures;
  }

  /** Forgets the cached `agents` list (after an agent is terminated). */
  invalidateAgents(): void {
    this.agentList = undefined;
  }

  /** A scope where `self` is the given agent. */
  forAgent(self: AgentView, extra?: Record<string, unknown>): Record<string, unknown> {
    const scope = Object.create(this.global) as Record<string, unknown>;
    scope.self = self;
    if (extra) Object.assign(scope, extra);
    return scope;
  }
}
