import type { RunAgent } from '../api/api-types';
import type { RunEvent, VariableValue } from '../api/run-event-types';

/** An agent's standing as the console shows it. */
export type AgentStanding = 'active' | 'muted' | 'paused' | 'terminated';

/** One line of an agent's or a room's conversation: a message, or (for agents) an action taken. */
export interface ConversationEntry {
  sequence: number;
  step: number;
  kind: 'message' | 'action' | 'failure';
  from: string;
  to?: string;
  room?: string;
  broadcast?: boolean;
  text: string;
  /** The message was withheld because its sender was muted. */
  muted?: boolean;
}

/** An agent of the run, built from the agent list and then from events. */
export interface AgentState {
  id: string;
  name: string;
  role: string;
  tier: string;
  standing: AgentStanding;
  lastAction?: string;
  lastStep?: number;
  actions: number;
  failures: number;
  lastFailure?: string;
  variables: Record<string, VariableValue>;
  conversation: ConversationEntry[];
}

/** A world variable's current value and its history, one point per change. */
export interface VariableState {
  name: string;
  value: VariableValue;
  history: Array<{ step: number; value: VariableValue }>;
}

/** One row of the timeline. */
export interface TimelineEntry {
  sequence: number;
  step: number;
  type: RunEvent['type'];
  text: string;
  agentId?: string;
}

/** A completed step's tallies. */
export interface StepSummary {
  step: number;
  metrics: Record<string, number>;
  actions: Record<string, number>;
  messages: number;
  failures: number;
}

/** The run's lifecycle as far as the events have told. */
export type ConsoleRunStatus = 'waiting' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

/**
 * Everything the run console shows, accumulated from the event stream. It is mutated in place by
 * {@link applyRunEvents} (a 200-agent run sends tens of thousands of events; copying arrays per
 * event would cost more than rendering) and `version` goes up once per applied batch, which is
 * what React subscribes to.
 */
export interface RunConsoleState {
  version: number;
  scenario: string;
  seed?: number;
  steps: number;
  status: ConsoleRunStatus;
  /** The step in progress or last completed. */
  step: number;
  outcome?: string;
  error?: string;
  lastSequence: number;
  /** Events received with a sequence already applied (should stay 0: exactly-once delivery). */
  duplicates: number;
  eventCount: number;
  timeline: TimelineEntry[];
  stepSummaries: StepSummary[];
  /** Metric name → one value per completed step, aligned with `stepSummaries`. */
  metricSeries: Map<string, Array<number | null>>;
  variables: Map<string, VariableState>;
  agents: Map<string, AgentState>;
  agentOrder: string[];
  rooms: Map<string, ConversationEntry[]>;
  gameMasterReasoning: Array<{ step: number; gameMaster: string; reasoning: string }>;
  constraintHits: Array<{ sequence: number; step: number; variable: string; agentId?: string; text: string }>;
  notices: string[];
}

/** An empty console state. */
export function createRunConsoleState(): RunConsoleState {
  return {
    version: 0,
    scenario: '',
    steps: 0,
    status: 'waiting',
    step: 0,
    lastSequence: 0,
    duplicates: 0,
    eventCount: 0,
    timeline: [],
    stepSummaries: [],
    metricSeries: new Map(),
    variables: new Map(),
    agents: new Map(),
    agentOrder: [],
    rooms: new Map(),
    gameMasterReasoning: [],
    constraintHits: [],
    notices: [],
  };
}

/** Adds agents known from the API's agent list (tier, name) before or after their first event. */
export function applyAgentList(state: RunConsoleState, agents: RunAgent[]): void {
  for (const agent of agents) {
    const existing = ensureAgent(state, agent.id);
    existing.name = agent.name ?? existing.name;
    existing.role = agent.role ?? existing.role;
    existing.tier = agent.brain ?? existing.tier;
    // Events that arrived before the list are newer than it: only fill in agents still untouched.
    if (existing.actions === 0 && existing.failures === 0 && existing.standing === 'active') {
      if (agent.status === 'paused' || agent.status === 'terminated') existing.standing = agent.status;
      else if (agent.muted) existing.standing = 'muted';
    }
  }
  state.version++;
}

function ensureAgent(state: RunConsoleState, agentId: string): AgentState {
  let agent = state.agents.get(agentId);
  if (!agent) {
    agent = {
      id: agentId,
      name: agentId,
      role: '',
      tier: '',
      standing: 'active',
      actions: 0,
      failures: 0,
      variables: {},
      conversation: [],
    };
    state.agents.set(agentId, agent);
    state.agentOrder.push(agentId);
  }
  return agent;
}

function roomOf(state: RunConsoleState, room: string): ConversationEntry[] {
  let entries = state.rooms.get(room);
  if (!entries) {
    entries = [];
    state.rooms.set(room, entries);
  }
  return entries;
}

function formatValue(value: VariableValue | unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  return String(value);
}

function recordVariable(
  state: RunConsoleState,
  step: number,
  name: string,
  from: VariableValue,
  to: VariableValue,
) {
  let variable = state.variables.get(name);
  if (!variable) {
    variable = { name, value: from, history: [{ step: Math.max(0, step - 1), value: from }] };
    state.variables.set(name, variable);
  }
  variable.value = to;
  const last = variable.history[variable.history.length - 1];
  if (last && last.step === step) last.value = to;
  else variable.history.push({ step, value: to });
}

/**
 * Applies a batch of events in sequence order. Events at or below the last applied sequence are
 * counted in `duplicates` and ignored, so replays after a reconnect cannot double anything.
 */
export function applyRunEvents(state: RunConsoleState, events: readonly RunEvent[]): void {
  for (const event of events) {
    if (event.sequence <= state.lastSequence) {
      state.duplicates++;
      continue;
    }
    state.lastSequence = event.sequence;
    state.eventCount++;
    applyOne(state, event);
  }
  state.version++;
}

function timeline(state: RunConsoleState, event: RunEvent, step: number, text: string, agentId?: string) {
  state.timeline.push({
    sequence: event.sequence,
    step,
    type: event.type,
    text,
    ...(agentId ? { agentId } : {}),
  });
}

function applyOne(state: RunConsoleState, event: RunEvent): void {
  switch (event.type) {
    case 'run-started':
      state.scenario = event.scenario;
      state.seed = event.seed;
      state.steps = event.steps;
      state.status = 'running';
      timeline(state, event, 0, `Run started: ${event.scenario}, seed ${event.seed}, ${event.agents} agents`);
      return;
    case 'run-notice':
      state.notices.push(event.message);
      timeline(state, event, state.step, event.message);
      return;
    case 'step-started':
      state.step = event.step;
      if (state.status === 'waiting') state.status = 'running';
      timeline(state, event, event.step, `Step ${event.step} started`);
      return;
    case 'event-fired':
      timeline(state, event, event.step, `${event.eventType}: ${event.description}`);
      return;
    case 'state-changed':
      for (const change of event.changes) {
        if (change.agentId) {
          const agent = ensureAgent(state, change.agentId);
          agent.variables[change.variable] = change.to;
        } else {
          recordVariable(state, event.step, change.variable, change.from, change.to);
        }
      }
      if (event.cause !== 'environment' || event.changes.some((change) => !change.agentId)) {
        const described = event.changes
          .slice(0, 3)
          .map(
            (change) =>
              `${change.agentId ? `${change.agentId}.` : ''}${change.variable} → ${formatValue(change.to)}`,
          )
          .join(', ');
        const more = event.changes.length > 3 ? ` (+${event.changes.length - 3})` : '';
        timeline(state, event, event.step, `${event.cause}: ${described}${more}`);
      }
      return;
    case 'constraint-hit': {
      const where = `${event.agentId ? `${event.agentId}.` : ''}${event.variable}`;
      const text = `${where}: ${formatValue(event.attempted)} hit ${event.bound}, kept ${formatValue(event.clamped)}${event.by ? ` (by ${event.by})` : ''}`;
      state.constraintHits.push({
        sequence: event.sequence,
        step: event.step,
        variable: event.variable,
        ...(event.agentId ? { agentId: event.agentId } : {}),
        text,
      });
      timeline(state, event, event.step, `Constraint hit: ${text}`, event.agentId);
      return;
    }
    case 'agent-acted': {
      const agent = ensureAgent(state, event.agentId);
      agent.actions++;
      agent.lastAction = event.tool;
      agent.lastStep = event.step;
      for (const change of event.changes) {
        if (change.agentId) ensureAgent(state, change.agentId).variables[change.variable] = change.to;
        else recordVariable(state, event.step, change.variable, change.from, change.to);
      }
      const argumentsText = Object.entries(event.arguments)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(', ');
      const text = `${event.tool}(${argumentsText})${event.ok ? '' : ' — rejected'}${event.rationale ? ` · ${event.rationale}` : ''}`;
      agent.conversation.push({
        sequence: event.sequence,
        step: event.step,
        kind: 'action',
        from: event.agentId,
        text,
      });
      timeline(state, event, event.step, `${event.agentId} ${text}`, event.agentId);
      return;
    }
    case 'agent-failed': {
      const agent = ensureAgent(state, event.agentId);
      agent.failures++;
      agent.lastFailure = `${event.reason}: ${event.message}`;
      agent.lastStep = event.step;
      agent.conversation.push({
        sequence: event.sequence,
        step: event.step,
        kind: 'failure',
        from: event.agentId,
        text: `${event.reason}: ${event.message}`,
      });
      timeline(
        state,
        event,
        event.step,
        `${event.agentId} failed (${event.reason}): ${event.message}`,
        event.agentId,
      );
      return;
    }
    case 'message-sent': {
      const entry: ConversationEntry = {
        sequence: event.sequence,
        step: event.step,
        kind: 'message',
        from: event.from,
        text: event.text,
        ...(event.to ? { to: event.to } : {}),
        ...(event.room ? { room: event.room } : {}),
        ...(event.broadcast ? { broadcast: true } : {}),
        ...(event.muted ? { muted: true } : {}),
      };
      if (state.agents.has(event.from) || event.from !== 'operator')
        ensureAgent(state, event.from).conversation.push(entry);
      if (event.to && event.to !== event.from) ensureAgent(state, event.to).conversation.push(entry);
      if (event.room) roomOf(state, event.room).push(entry);
      if (event.broadcast) roomOf(state, 'broadcast').push(entry);
      const target = event.to ? `→ ${event.to}` : event.room ? `in #${event.room}` : 'to everyone';
      timeline(
        state,
        event,
        event.step,
        `${event.from} ${target}${event.muted ? ' (withheld: sender muted)' : ''}: ${event.text}`,
        event.from,
      );
      return;
    }
    case 'agent-controlled': {
      const agent = ensureAgent(state, event.agentId);
      agent.standing = standingAfter(event.control);
      timeline(state, event, event.step, `${event.agentId} ${event.control}`, event.agentId);
      return;
    }
    case 'game-master-reasoned':
      state.gameMasterReasoning.push({
        step: event.step,
        gameMaster: event.gameMaster,
        reasoning: event.reasoning,
      });
      timeline(state, event, event.step, `Game master: ${event.reasoning}`);
      return;
    case 'variable-set':
      if (event.agentId) ensureAgent(state, event.agentId).variables[event.variable] = event.value;
      else {
        const previous = state.variables.get(event.variable)?.value ?? event.value;
        recordVariable(state, event.step, event.variable, previous, event.value);
      }
      timeline(
        state,
        event,
        event.step,
        `Operator set ${event.agentId ? `${event.agentId}.` : ''}${event.variable} = ${formatValue(event.value)}`,
      );
      return;
    case 'step-completed': {
      state.step = event.step;
      const index = state.stepSummaries.length;
      state.stepSummaries.push({
        step: event.step,
        metrics: event.metrics,
        actions: event.actions,
        messages: event.messages,
        failures: event.failures,
      });
      for (const [name, value] of Object.entries(event.metrics)) {
        let series = state.metricSeries.get(name);
        if (!series) {
          series = new Array<number | null>(index).fill(null);
          state.metricSeries.set(name, series);
        }
        series.push(Number.isFinite(value) ? value : null);
      }
      for (const series of state.metricSeries.values()) if (series.length <= index) series.push(null);
      const metricText = Object.entries(event.metrics)
        .slice(0, 4)
        .map(([name, value]) => `${name} ${formatValue(value)}`)
        .join(', ');
      timeline(
        state,
        event,
        event.step,
        `Step ${event.step} completed: ${event.messages} messages, ${event.failures} failures${metricText ? `; ${metricText}` : ''}`,
      );
      return;
    }
    case 'beliefs-changed':
      // Per-agent positions belong to the graph view; the aggregates arrive with step-completed.
      return;
    case 'run-paused':
      state.status = 'paused';
      timeline(state, event, event.step, `Paused at step ${event.step}`);
      return;
    case 'run-resumed':
      state.status = 'running';
      timeline(state, event, event.step, `Resumed at step ${event.step}`);
      return;
    case 'run-stopped':
      state.status = 'stopped';
      state.outcome = event.reason;
      timeline(state, event, event.step, `Stopped at step ${event.step}: ${event.reason}`);
      return;
    case 'run-completed':
      state.status = 'completed';
      state.outcome = event.outcome;
      timeline(
        state,
        event,
        event.step,
        `Completed at step ${event.step}: ${event.outcome} (${event.reason})`,
      );
      return;
    case 'run-failed':
      state.status = 'failed';
      state.error = `${event.error.code}: ${event.error.message}`;
      timeline(state, event, event.step, `Failed at step ${event.step}: ${state.error}`);
      return;
    default: {
      const unknown: never = event;
      // A newer server may send event types this page does not know yet: show them, do not fail.
      const record = unknown as { type: string; sequence: number; step?: number };
      state.timeline.push({
        sequence: record.sequence,
        step: record.step ?? state.step,
        type: record.type as RunEvent['type'],
        text: record.type,
      });
    }
  }
}

function standingAfter(control: 'muted' | 'unmuted' | 'paused' | 'resumed' | 'terminated'): AgentStanding {
  switch (control) {
    case 'muted':
      return 'muted';
    case 'paused':
      return 'paused';
    case 'terminated':
      return 'terminated';
    case 'unmuted':
    case 'resumed':
      return 'active';
    default: {
      const unknown: never = control;
      return unknown;
    }
  }
}
