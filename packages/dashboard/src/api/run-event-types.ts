/**
 * The run events as they arrive over the API's Server-Sent Events stream. This mirrors the wire
 * format the server sends (core's `RunEvent`), written out here because the dashboard talks to the
 * server over HTTP only and imports nothing from the engine.
 */

/** A scalar or list value of a world variable. */
export type VariableValue = number | boolean | string | Array<number | boolean | string>;

/** One variable write: who changed what from which value to which. */
export interface StateChange {
  variable: string;
  agentId?: string;
  from: VariableValue;
  to: VariableValue;
}

/** A write that went past a variable's min or max and was clamped. */
export interface ConstraintHit {
  variable: string;
  agentId?: string;
  attempted: unknown;
  /** The value that was stored (the old value when the write was rejected). */
  clamped: VariableValue;
  bound: string;
}

/** A message between agents, or from the operator. */
export interface MessageRecord {
  from: string;
  to?: string;
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
    source: string;
    affects: string[];
  };
  'state-changed': { step: number; cause: string; changes: StateChange[] };
  'constraint-hit': ConstraintHit & { step: number; cause: string; by?: string };
  'agent-acted': {
    step: number;
    agentId: string;
    tool: string;
    arguments: Record<string, unknown>;
    ok: boolean;
    result: string;
    rationale: string;
    source: string;
    changes: StateChange[];
    time?: number;
  };
  'agent-failed': { step: number; agentId: string; reason: string; message: string; tool?: string };
  'message-sent': MessageRecord & { muted?: boolean };
  'agent-controlled': {
    step: number;
    agentId: string;
    control: 'muted' | 'unmuted' | 'paused' | 'resumed' | 'terminated';
  };
  'game-master-reasoned': { step: number; gameMaster: string; reasoning: string };
  'variable-set': { step: number; agentId?: string; variable: string; value: VariableValue };
  /** Belief positions that moved this step (all of them the first time): agent → topic → position. */
  'beliefs-changed': { step: number; positions: Record<string, Record<string, number>> };
  'step-completed': {
    step: number;
    metrics: Record<string, number>;
    actions: Record<string, number>;
    messages: number;
    failures: number;
    mood?: { valence: number; arousal: number };
  };
  'run-paused': { step: number };
  'run-resumed': { step: number };
  'run-stopped': { step: number; reason: string };
  'run-completed': { step: number; outcome: string; reason: string };
  'run-failed': { step: number; error: { code: string; message: string } };
}

/** Every event type's name. */
export type RunEventType = keyof RunEventPayloads;

/** One event of a run's stream; `sequence` increases by one per event within a run, from 1. */
export type RunEvent = {
  [Type in RunEventType]: { sequence: number; type: Type; wallTime?: string } & RunEventPayloads[Type];
}[RunEventType];

/** The event of one type. */
export type RunEventOf<Type extends RunEventType> = Extract<RunEvent, { type: Type }>;

/** Event types after which a run's stream has nothing more to say. */
export const finalEventTypes: ReadonlySet<string> = new Set(['run-completed', 'run-stopped', 'run-failed']);
