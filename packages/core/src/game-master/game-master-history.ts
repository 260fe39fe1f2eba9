import type { GameMasterInput, GameMasterUpdate } from '../engine/game-master';
import type { Scenario } from '../scenario/scenario';
import { type ConstraintHit, type StateChange, WorldState } from '../world/world-state';
import { AgentDirectory, describeValue, diffSnapshots, type WorldSnapshot } from './world-delta';

/**
 * One agent's response as the game master reads it. `calls` (tool and arguments) is read when the
 * engine provides it; otherwise the action names and the rationale are all there is.
 */
export type AgentResponse = GameMasterInput['responses'][number] & {
  calls?: ReadonlyArray<{ tool: string; arguments: Record<string, unknown> }>;
};

/** A step as the game master remembers it (seed 004's `StepRecord`): deltas only. */
export interface GameMasterStepRecord {
  step: number;
  /** Every variable that changed over the step: events, dynamics, actions and the ruling. */
  changes: StateChange[];
  /** Events that fired (`world`) and events the game master declared (`game-master`). */
  events: Array<{ type: string; description: string; source: 'world' | 'game-master' }>;
  /** One line per agent, e.g. `Agent A: act(statement="I invest") — "rationale"`. */
  responses: string[];
  reasoning: string;
  /** Hits of the step's own writes and of the game master's ruling. */
  constraintHits: ConstraintHit[];
}

/** What the game master knows when it rules on a step. */
export interface GameMasterStepView {
  step: number;
  /** The world after this step's actions. */
  state: WorldSnapshot;
  /** What changed since the last ruling was applied (this step's events, dynamics and actions). */
  changes: StateChange[];
  /** Hits of this step's events, dynamics and actions (the last ruling's hits are in `history`). */
  constraintHits: ConstraintHit[];
  /** The last steps, oldest first, at most the context window. */
  history: readonly GameMasterStepRecord[];
  /** Events that fired this step. */
  events: ReadonlyArray<{ type: string; description: string }>;
  /** This step's responses, one line per agent. */
  responses: string[];
}

/** A ruling's write, with the agent resolved to its id. */
interface ResolvedWrite {
  agentId?: string;
  variable: string;
  value: unknown;
}

interface PendingStep {
  step: number;
  /** The state the ruling was made on; becomes the state after the ruling once it is applied. */
  state: WorldSnapshot;
  writes: ResolvedWrite[];
  events: GameMasterStepRecord['events'];
  responses: string[];
  reasoning: string;
  stepHits: ConstraintHit[];
}

const rationaleLimit = 300;

/** `Agent A: act(stance="compete", statement="I invest") — "rationale"`, or why there was no decision. */
export function describeResponse(response: AgentResponse): string {
  if (response.failed) return `${response.name}: (no decision: ${response.failed})`;
  const actions =
    response.calls && response.calls.length > 0
      ? response.calls
          .map(
            (call) =>
              `${call.tool}(${Object.entries(call.arguments)
                .map(([name, value]) => `${name}=${describeValue(value)}`)
                .join(', ')})`,
          )
          .join(', ')
      : response.actions.join(', ') || 'nothing';
  const rationale = response.rationale.trim();
  const shown = rationale.length > rationaleLimit ? `${rationale.slice(0, rationaleLimit - 1)}…` : rationale;
  return shown ? `${response.name}: ${actions} — ${JSON.stringify(shown)}` : `${response.name}: ${actions}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The game master's memory of the run (seed 004): a window of step records holding only what
 * changed, the events, the responses, the reasoning and the constraint hits. A ruling's own hits
 * are only known at the next step (the engine applies the ruling after the game master returns),
 * so each record is completed when the next step begins — and its hits appear in that step's
 * prompt, under the step that caused them.
 */
export class GameMasterLedger {
  readonly directory: AgentDirectory;
  private readonly world: WorldState;
  private baseline: WorldSnapshot | undefined;
  private pending: PendingStep | undefined;
  private readonly records: GameMasterStepRecord[] = [];

  /**
   * @param scenario - the scenario being run
   * @param windowSize - how many past steps to keep
   */
  constructor(
    scenario: Scenario,
    private readonly windowSize: number,
  ) {
    this.world = new WorldState(scenario);
    this.directory = new AgentDirectory(scenario);
  }

  /** Completes the previous step's record and describes this step. */
  begin(input: GameMasterInput): GameMasterStepView {
    const state = input.state();
    let stepHits = [...input.constraintHits];
    if (this.pending) {
      const { record, ruled, remaining } = this.complete(this.pending, stepHits);
      stepHits = remaining;
      this.records.push(record);
      if (this.records.length > this.windowSize)
        this.records.splice(0, this.records.length - this.windowSize);
      this.baseline = ruled;
      this.pending = undefined;
    }
    this.baseline ??= this.world.snapshot();
    return {
      step: input.step,
      state,
      changes: diffSnapshots(this.baseline, state),
      constraintHits: stepHits,
      history: this.windowSize === 0 ? [] : [...this.records],
      events: input.events,
      responses: input.responses.map((response) => describeResponse(response)),
    };
  }

  /** Remembers the ruling made on `view`; it becomes a history record when the next step begins. */
  commit(view: GameMasterStepView, input: GameMasterInput, update: GameMasterUpdate): void {
    const writes: ResolvedWrite[] = Object.entries(update.globals ?? {}).map(([variable, value]) => ({
      variable,
      value,
    }));
    for (const [key, variables] of Object.entries(update.agents ?? {})) {
      const agentId = this.directory.resolve(key);
      if (!agentId) continue;
      for (const [variable, value] of Object.entries(variables)) writes.push({ agentId, variable, value });
    }
    this.pending = {
      step: view.step,
      state: view.state,
      writes,
      events: [
        ...input.events.map((event) => ({ ...event, source: 'world' as const })),
        ...(update.events ?? []).map(({ type, description }) => ({
          type,
          description,
          source: 'game-master' as const,
        })),
      ],
      responses: view.responses,
      reasoning: update.reasoning ?? '',
      stepHits: view.constraintHits,
    };
  }

  /** Applies the pending ruling as the engine did (same coercion and clamps) and picks out its hits. */
  private complete(pending: PendingStep, hits: ConstraintHit[]) {
    const remaining = [...hits];
    const rulingHits: ConstraintHit[] = [];
    const ruled = pending.state;
    for (const write of pending.writes) {
      const holder = write.agentId === undefined ? ruled.globals : ruled.agents[write.agentId];
      const definition = this.world.definitionOf(write.variable, write.agentId);
      const current = holder?.[write.variable];
      if (!holder || !definition || current === undefined) continue;
      holder[write.variable] = this.world.coerce(definition, current, write.value).value;
      const index = remaining.findIndex(
        (hit) =>
          hit.agentId === write.agentId &&
          hit.variable === write.variable &&
          sameJson(hit.attempted, write.value),
      );
      if (index >= 0) rulingHits.push(...remaining.splice(index, 1));
    }
    const record: GameMasterStepRecord = {
      step: pending.step,
      changes: diffSnapshots(this.baseline ?? this.world.snapshot(), ruled),
      events: pending.events,
      responses: pending.responses,
      reasoning: pending.reasoning,
      constraintHits: [...pending.stepHits, ...rulingHits],
    };
    return { record, ruled, remaining };
  }
}
