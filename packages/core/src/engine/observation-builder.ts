import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import { describeMood, moodStimuli, shiftMood } from '../agents/emotion';
import type { BeliefStore } from '../beliefs/belief-store';
import { type Bridge, membershipsOf } from '../environments/bridge';
import type { Environment, EnvironmentContext } from '../environments/environment';
import type { ToolDefinition } from '../environments/tool';
import type { LongTermMemory, Recollection } from '../grounding/long-term-memory';
import { recallQueryOf } from '../grounding/long-term-memory-embedder';
import type { Random } from '../random';
import type { VariableValue } from '../scenario/scenario';
import type { ConstraintHit } from '../world/world-state';
import type { MessageRecord } from './run-events';

/** Worlds up to this size show every agent as a contact. */
const allContactsLimit = 50;
const sampledContacts = 5;

/** Inputs shared by every observation of a step. */
export interface StepView {
  context: EnvironmentContext;
  environments: readonly Environment[];
  activeAgents: readonly AgentRuntime[];
  visibleGlobals: readonly string[];
  agentVariables: readonly string[];
  /** Events fired this step, with the ids they affect (undefined: everyone). */
  firedEvents: Array<{ type: string; description: string; affects?: ReadonlySet<string> }>;
  /** The cross-environment digest source. */
  bridge?: Bridge;
  /** Beliefs to show, when the scenario tracks them. */
  beliefs?: BeliefStore;
  /** Hits agents have not seen yet, grouped once per step by {@link groupHits}. */
  constraintHits: GroupedHits;
}

/** Constraint hits grouped for observations: the latest per global variable, and per agent. */
export interface GroupedHits {
  global: ConstraintHit[];
  byAgent: Map<string, ConstraintHit[]>;
}

/** Most hits shown to one agent; a clamp repeated by many agents is shown once. */
const hitsPerObservation = 10;

/**
 * Groups a step's hits so each observation costs O(its own hits): global hits keep the latest per
 * variable (a pool that 3,000 agents drained is one hit, not 3,000), agent hits go to their agent.
 */
export function groupHits(hits: readonly ConstraintHit[]): GroupedHits {
  const global = new Map<string, ConstraintHit>();
  const byAgent = new Map<string, ConstraintHit[]>();
  for (const hit of hits) {
    if (hit.agentId === undefined) {
      global.delete(hit.variable);
      global.set(hit.variable, hit);
    } else {
      const list = byAgent.get(hit.agentId) ?? [];
      list.push(hit);
      byAgent.set(hit.agentId, list);
    }
  }
  return { global: [...global.values()], byAgent };
}

/** The visible global variables, computed once per step. */
export function visibleWorld(view: StepView): Record<string, VariableValue> {
  const world: Record<string, VariableValue> = {};
  for (const name of view.visibleGlobals) world[name] = view.context.world.globals[name] as VariableValue;
  return world;
}

/**
 * Builds what one agent perceives at the start of a step. All agents' observations are built from
 * the same state, before anyone acts.
 */
export function buildObservation(
  agent: AgentRuntime,
  view: StepView,
  world: Record<string, VariableValue>,
  random: Random,
): Observation {
  const { context } = view;
  const id = agent.spec.id;
  const variables: Record<string, VariableValue> = {};
  for (const name of view.agentVariables) variables[name] = agent.view[name] as VariableValue;
  const tools: ToolDefinition[] = [];
  const environmentViews: Record<string, Record<string, unknown>> = {};
  for (const environment of view.environments) {
    tools.push(...environment.tools(agent, context));
    const observed = environment.observe?.(agent, context);
    if (observed && Object.keys(observed).length > 0) environmentViews[environment.name] = observed;
  }
  const inbox = context.messages.read(id);
  for (const message of inbox) if (message.to === id) shiftMood(agent.mood, moodStimuli.directMessage);
  const events = view.firedEvents
    .filter((event) => !event.affects || event.affects.has(id))
    .map(({ type, description }) => ({ type, description }));
  const recalled = agent.longTermMemory ? recall(agent, agent.longTermMemory, inbox, events) : undefined;
  const rooms = [...context.messages.roomsOf(id)];
  return {
    step: context.step,
    steps: context.scenario.clock.steps,
    unit: context.scenario.clock.unit,
    scenario: {
      name: context.scenario.name,
      description: context.scenario.description,
      ...(context.scenario.goal ? { goal: context.scenario.goal } : {}),
    },
    self: {
      id,
      name: agent.spec.name,
      role: agent.spec.role,
      persona: agent.spec.persona,
      goals: agent.spec.goals,
      traits: agent.spec.traits,
      variables,
      mood: { valence: agent.mood.valence, arousal: agent.mood.arousal, label: describeMood(agent.mood) },
    },
    world,
    inbox,
    events,
    constraintHits: [...view.constraintHits.global, ...(view.constraintHits.byAgent.get(id) ?? [])].slice(
      -hitsPerObservation,
    ),
    memory: [...agent.memory],
    tools,
    rooms,
    contacts: contactsOf(
      agent,
      view,
      inbox.map((message) => message.from),
      rooms,
      random,
    ),
    environments: environmentViews,
    digest: view.bridge?.digestFor(id, membershipsOf(id, view.environments)) ?? [],
    beliefs: view.beliefs?.viewFor(id) ?? {},
    ...(recalled ? { recalled } : {}),
  };
}

/**
 * Long-term recall for this step: what happens to the agent now (events) and what it wants
 * (goals) is the query, with one place kept for what its new messages recall ({@link recallQueryOf});
 * the messages it reads are archived for later steps, after the query, so a message is never
 * "recalled" in the step it arrives.
 */
function recall(
  agent: AgentRuntime,
  memory: LongTermMemory,
  inbox: readonly MessageRecord[],
  events: ReadonlyArray<{ type: string; description: string }>,
): Recollection | undefined {
  const { situation, also } = recallQueryOf(agent, inbox, events);
  const recollection = memory.recall(situation, also);
  for (const message of inbox) memory.archiveMessage(message.step, message.from, message.text);
  return recollection.entries.length > 0 || recollection.summaries.length > 0 ? recollection : undefined;
}

// Module-level, not a closure: hot paths avoid per-call function objects.
function describe(other: AgentRuntime): Observation['contacts'][number] {
  return { id: other.spec.id, name: other.spec.name, role: other.spec.role };
}

function contactsOf(
  agent: AgentRuntime,
  view: StepView,
  senders: string[],
  rooms: string[],
  random: Random,
): Observation['contacts'] {
  const { agents, messages } = view.context;
  if (view.activeAgents.length <= allContactsLimit) {
    return view.activeAgents.filter((other) => other !== agent).map(describe);
  }
  const ids = new Set<string>(senders);
  for (const room of rooms) {
    const members = messages.rooms.get(room)?.members ?? [];
    for (let draw = 0; draw < sampledContacts && members.length > 1; draw++) ids.add(random.pick(members));
  }
  for (let draw = 0; draw < sampledContacts; draw++) ids.add(random.pick(view.activeAgents).spec.id);
  ids.delete(agent.spec.id);
  const contacts: Observation['contacts'] = [];
  for (const contactId of ids) {
    const other = agents.get(contactId);
    if (other && other.status !== 'terminated') contacts.push(describe(other));
  }
  return contacts;
}
