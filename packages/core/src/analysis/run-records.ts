import type { RunEvent } from '../engine/run-events';
import type { AttemptRecord } from '../model/types';
import type { Scenario, VariableValue } from '../scenario/scenario';

/** One agent at the end of a run, as `final-state.json` holds it. */
export interface FinalAgentState {
  id: string;
  name: string;
  role: string;
  status: string;
  muted?: boolean;
  failures?: number;
  lastAction?: string | null;
  mood?: { valence: number; arousal: number };
  variables?: Record<string, VariableValue>;
}

/** The end of a run, as `final-state.json` holds it. */
export interface FinalState {
  scenario: string;
  seed: number;
  parameters: Record<string, number | boolean | string>;
  status: string;
  outcome?: string;
  reason?: string;
  steps: number;
  globals: Record<string, VariableValue>;
  agents: FinalAgentState[];
}

/**
 * Everything analysis reads of one run: the scenario as run, its event log, its end state and its
 * model calls. Every analysis function takes this (never a folder or a database), so the CLI can
 * fill it from a run folder and the server from the store.
 */
export interface RunRecords {
  runId: string;
  scenario: Scenario;
  /** The run's events in sequence order. */
  events: readonly RunEvent[];
  /** The end state; absent for a run still going or one that left none. */
  finalState?: FinalState;
  /** Every model call attempt (`model-calls.jsonl`); empty for rule-only runs. */
  modelCalls?: readonly AttemptRecord[];
}

/** Number of steps a run completed, from its `step-completed` events. */
export function completedSteps(records: RunRecords): number {
  let last = 0;
  for (const event of records.events) if (event.type === 'step-completed') last = Math.max(last, event.step);
  return last;
}
