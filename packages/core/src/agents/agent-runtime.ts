import type { LongTermMemory } from '../grounding/long-term-memory';
import type { AgentSpec } from '../scenario/scenario';
import type { AgentView } from '../world/world-state';
import type { Mood } from './emotion';

/** Whether an agent takes turns: `paused` agents skip turns until resumed; `terminated` is final. */
export type AgentStatus = 'active' | 'paused' | 'terminated';

/** An agent during a run: its spec, its live variables and what the operator has done to it. */
export interface AgentRuntime {
  spec: AgentSpec;
  /** Position in the scenario; actions apply in this order. */
  index: number;
  view: AgentView;
  status: AgentStatus;
  /** Muted agents still act, but their messages are not delivered. */
  muted: boolean;
  /** Recent memory lines, trimmed to the agent's memory window. */
  memory: string[];
  /** Where lines trimmed from `memory` go, summarised and recallable; absent when off. */
  longTermMemory?: LongTermMemory;
  failures: number;
  lastAction?: string;
  /** Current mood (valence, arousal); the same object expressions read as `self.mood`. */
  mood: Mood;
  /** The mood it relaxes toward. */
  baselineMood: Mood;
  /** Goal values at the end of the last step, for mood from progress. */
  lastGoalValues?: number[];
}

/** Adds a memory line and trims to the window; trimmed lines go to long-term memory when it is on. */
export function remember(agent: AgentRuntime, line: string): void {
  agent.memory.push(line);
  const excess = agent.memory.length - agent.spec.memoryWindow;
  if (excess > 0) {
    const trimmed = agent.memory.splice(0, excess);
    agent.longTermMemory?.archive(trimmed);
  }
}
