import type { VariableValue } from '../scenario/scenario';
import type { ConstraintHit, StateChange } from '../world/world-state';

/** Why an agent's step produced no applied action. */
export type AgentFailureReason = 'error' | 'timeout' | 'invalid-action' | 'cancelled';

/** Where a decision came from: the rule brain, a model, or a deterministic fallback after a model failed. */
export type DecisionSource = 'rules' | 'model' | 'fallback' | 'scripted';

/** A message between agents, or from the operator. */
export interface MessageRecord {
  from: string;
  /** Direct recipient. */
  to?: string;
  /** Room name for room messages. */
  room?: string;
  broadcast?: boolean;
  text: string;
  step: number;
}

/** The payload of each event type, keyed by its noun-verb name. */
export interface RunEventPayloads {
  'run-started': {
    scenario: string;
    seed: number;
    steps: number;
    agents: number;
    parameters: Record<string, number | boolean | string>;
  };
  'run-notice': { message: string };
  'step-started': { step: number };
  'event-fired': {
    step: number;
    eventType: string;
    description: string;
    source: 'scheduled' | 'condition' | 'injected' | 'game-master';
    affects: string[];
  };
  'state-changed': {
    step: number;
    cause: 'dynamics' | 'event' | 'control' | 'game-master' | 'environment';
    changes: StateChange[];
  };
  'constraint-hit': ConstraintHit & {
    step: number;
    cause: 'dynamics' | 'event' | 'action' | 'control' | 'game-master' | 'environment';
    by?: string;
  };
  'agent-acted': {
    step: number;
    agentId: string;
    tool: string;
    arguments: Record<string, unknown>;
    ok: boolean;
    result: string;
    rationale: string;
    source: DecisionSource;
    changes: StateChange[];
    /** Simulated time of the action (event-driven clock only). */
    time?: number;
  };
  'agent-failed': {
    step: number;
    agentId: string;
    reason: AgentFailureReason;
    message: string;
    tool?: string;
  };
  'message-sent': MessageRecord & { muted?: boolean };
  'agent-controlled': {
    step: number;
    agentId: string;
    control: 'muted' | 'unmuted' | 'paused' | 'resumed' | 'terminated';
  };
  'game-master-reasoned': { step: number; gameMaster: string; reasoning: string };
  'variable-set': { step: number; agentId?: string; variable: string; value: VariableValue };
  /**
   * Belief positions at the end of a step (emitted only when the scenario declares `beliefs`, just
   * before `step-completed`): agent id → topic → position, rounded to 4 decimals, for the positions
   * whose rounded value changed since the run's previous `beliefs-changed`; the first one carries
   * every position. A step where nothing moved emits none.
   */
  'beliefs-changed': { step: number; positions: Record<string, Record<string, number>> };
  'step-completed': {
    step: number;
    metrics: Record<string, number>;
    actions: Record<string, number>;
    messages: number;
    failures: number;
    /** Mean mood of the active agents at the end of the step. */
    mood: { valence: number; arousal: number };
  };
  'run-paused': { step: number };
  'run-resumed': { step: number };
  'run-stopped': { step: number; reason: string };
  'run-completed': { step: number; outcome: string; reason: string };
  'run-failed': { step: number; error: { code: string; message: string } };
}

/** Every event type's name. */
export type RunEventType = keyof RunEventPayloads;

/**
 * One event of a run's stream. `sequence` increases by one per event within a run, starting at 1.
 * `wallTime` is the only wall-clock field: strip it and two runs with the same scenario, seed and
 * model responses produce identical events.
 */
export type RunEvent = {
  [Type in RunEventType]: { sequence: number; type: Type; wallTime: string } & RunEventPayloads[Type];
}[RunEventType];

/** The event of one type. */
export type RunEventOf<Type extends RunEventType> = Extract<RunEvent, { type: Type }>;

/** Names of fields that hold wall-clock time and so differ between otherwise identical runs. */
export const wallClockFields = ['wallTime'] as const;
