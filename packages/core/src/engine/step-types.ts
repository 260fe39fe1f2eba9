import type { Mood } from '../agents/emotion';

/** An event due this step, from the scenario or injected by the operator. */
export interface FiredEvent {
  type: string;
  description: string;
  source: 'scheduled' | 'condition' | 'injected';
  effects: Record<string, string>;
  /** Resolved agent ids; everyone when absent. */
  affects?: string[];
  /** The selectors as written, for the event log. */
  selectors: string[];
  /** How the event moves the affected agents' mood; the default stimulus when absent. */
  mood?: Partial<Mood>;
}

/** Per-step tallies that become `step-completed` and the next step's `actions.*` in expressions. */
export interface StepCounts {
  actions: Record<string, number>;
  messages: number;
  failures: number;
}
