import { type AgentRuntime, remember } from '../agents/agent-runtime';
import type { Brain, Observation } from '../agents/brain';
import { baselineMood, describeMood, moodStimuli, shiftMood } from '../agents/emotion';
import { RuleBrain } from '../agents/rule-brain';
import { InteractionGraph } from '../analysis/interaction-graph';
import { BeliefStore } from '../beliefs/belief-store';
import {
  Bridge,
  createEnvironments,
  membershipsOf,
  type PublishingEnvironment,
} from '../environments/bridge';
import type { Environment, EnvironmentContext } from '../environments/environment';
import { environmentToolNames } from '../environments/environment-schemas';
import { MessagingEnvironment } from '../environments/messaging-environment';
import { WorldActionsEnvironment } from '../environments/world-actions-environment';
import { SandtableError } from '../errors';
import { type CompiledExpression, compileExpression } from '../expression';
import type { Scenario, VariableValue } from '../scenario/scenario';
import { type ConstraintHit, type StateChange, WorldState } from '../world/world-state';
import { EventStream } from './event-stream';
import { ExpressionScope } from './expression-scope';
import type { GameMaster } from './game-master';
import { MessageBus } from './message-bus';
import type { AgentFailureReason, RunEvent, RunEventPayloads, RunEventType } from './run-events';

/** What a run is built from besides its scenario. */
export interface RunContextOptions {
  /** Chooses a brain per agent; return undefined to use the default (rules). */
  brainFor?: (agent: AgentRuntime, rules: Brain) => Brain | undefined;
  /** Extra environments beside the built-in world actions and messaging. */
  environments?: Environment[];
  /** The authority that rules on each step after agents act (seed 004). */
  gameMaster?: GameMaster;
}

/**
 * The state one run's parts share — the run facade ({@link Run}) and the step executor — and the
 * few operations they all use: emitting events, compiling expressions, writing state.
 */
export class RunContext {
  readonly world: WorldState;
  readonly stream = new EventStream();
  readonly messages: MessageBus;
  readonly scope: ExpressionScope;
  readonly agents = new Map<string, AgentRuntime>();
  readonly order: AgentRuntime[];
  readonly environments: Environment[];
  readonly toolOwners = new Map<string, Environment>();
  readonly brains = new Map<string, Brain>();
  readonly controller = new AbortController();
  readonly gameMaster: GameMaster | undefined;
  /** The scenario's social, market and economic environments (also in `environments`). */
  readonly publishing: PublishingEnvironment[];
  /** Carries each environment's events to agents outside it, next step. */
  readonly bridge = new Bridge();
  /** Belief positions, confidence and trust, when the scenario declares topics. */
  readonly beliefs: BeliefStore | undefined;
  /** Who messaged, followed, traded with or affected whom. */
  readonly graph: InteractionGraph;
  /** The run's rule brain (also the fallback of model brains). */
  readonly rules: RuleBrain;
  private readonly compiled = new Map<string, CompiledExpression>();
  /** Agents not terminated, in scenario order. */
  activeList: AgentRuntime[] = [];
  /** Hits not yet shown to agents: last step's actions and this step's events and dynamics. */
  unseenHits: ConstraintHit[] = [];
  /** Hits since the game master last ruled: its next ruling must see them (seed 004). */
  gameMasterHits: ConstraintHit[] = [];
  /** The step being run, or the last one run. */
  currentStep = 0;

  constructor(
    readonly scenario: Scenario,
    options: RunContextOptions = {},
  ) {
    this.world = new WorldState(scenario);
    this.gameMaster = options.gameMaster;
    this.messages = new MessageBus(scenario.rooms);
    this.order = scenario.agents.map((spec, index) => {
      const baseline = baselineMood(spec.traits);
      const view = this.world.agents.get(spec.id)!;
      const runtime: AgentRuntime = {
        spec,
        index,
        view,
        status: 'active',
        muted: false,
        memory: [],
        failures: 0,
        mood: { ...baseline },
        baselineMood: baseline,
      };
      view.mood = runtime.mood as unknown as Record<string, number>;
      this.agents.set(spec.id, runtime);
      return runtime;
    });
    this.scope = new ExpressionScope(scenario, this.world, () => this.activeList.map((agent) => agent.view));
    this.refreshActive();
    const worldActions = new WorldActionsEnvironment(scenario.actions);
    this.publishing = createEnvironments(scenario.environments ?? [], scenario, scenario.seed);
    this.environments = [
      worldActions,
      new MessagingEnvironment(),
      ...this.publishing,
      ...(options.environments ?? []),
    ];
    this.beliefs = scenario.beliefs
      ? new BeliefStore(
          scenario.beliefs,
          scenario.agents.map((agent) => ({ id: agent.id, role: agent.role })),
          scenario.seed,
        )
      : undefined;
    const publishedTools = new Set(
      (scenario.environments ?? []).flatMap((definition) => environmentToolNames(definition)),
    );
    this.graph = new InteractionGraph({
      agents: scenario.agents.map((agent) => agent.id),
      rooms: new Map(scenario.rooms.map((room) => [room.name, room.members])),
      ignoreTool: (tool) => publishedTools.has(tool),
    });
    this.stream.subscribe((event) => this.graph.record(event));
    const rules = new RuleBrain({
      actions: worldActions,
      context: () => this.environmentContext(),
      environments: () => this.environments,
    });
    this.rules = rules;
    for (const agent of this.order) this.brains.set(agent.spec.id, options.brainFor?.(agent, rules) ?? rules);
  }

  /** Publishes an event with the next sequence number. */
  emit<Type extends RunEventType>(type: Type, payload: RunEventPayloads[Type]): void {
    const event = {
      sequence: this.stream.nextSequence(),
      type,
      wallTime: new Date().toISOString(),
      ...payload,
    } as RunEvent;
    this.stream.publish(event);
  }

  /** What environments and the rule brain see of the run now. */
  environmentContext(): EnvironmentContext {
    return {
      step: this.currentStep,
      scenario: this.scenario,
      world: this.world,
      scope: this.scope,
      messages: this.messages,
      agents: this.agents,
    };
  }

  /** Recomputes the active list after an agent's status changed. */
  refreshActive(): void {
    this.activeList = this.order.filter((agent) => agent.status !== 'terminated');
    this.scope.invalidateAgents();
  }

  /**
   * What an agent perceives right now, built without side effects (its unread messages are
   * peeked, not consumed), for interviews.
   */
  interviewObservation(agent: AgentRuntime): Observation {
    const context = this.environmentContext();
    const variables: Record<string, VariableValue> = {};
    for (const [name, definition] of Object.entries(this.scenario.agentVariables)) {
      if (definition.visible) variables[name] = agent.view[name] as VariableValue;
    }
    const world: Record<string, VariableValue> = {};
    for (const [name, definition] of Object.entries(this.scenario.variables)) {
      if (definition.visible) world[name] = this.world.globals[name] as VariableValue;
    }
    return {
      step: this.currentStep,
      steps: this.scenario.clock.steps,
      unit: this.scenario.clock.unit,
      scenario: {
        name: this.scenario.name,
        description: this.scenario.description,
        ...(this.scenario.goal ? { goal: this.scenario.goal } : {}),
      },
      self: {
        id: agent.spec.id,
        name: agent.spec.name,
        role: agent.spec.role,
        persona: agent.spec.persona,
        goals: agent.spec.goals,
        traits: agent.spec.traits,
        variables,
        mood: { ...agent.mood, label: describeMood(agent.mood) },
      },
      world,
      inbox: this.messages.peek(agent.spec.id),
      digest: this.bridge.digestFor(agent.spec.id, membershipsOf(agent.spec.id, this.environments)),
      beliefs: this.beliefs?.viewFor(agent.spec.id) ?? {},
      events: [],
      constraintHits: [],
      memory: [...agent.memory],
      tools: this.environments.flatMap((environment) => environment.tools(agent, context)),
      rooms: [...this.messages.roomsOf(agent.spec.id)],
      contacts: [],
      environments: {},
    };
  }

  /** Compiles an expression once per run. */
  expression(source: string): CompiledExpression {
    let compiled = this.compiled.get(source);
    if (!compiled) {
      compiled = compileExpression(source);
      this.compiled.set(source, compiled);
    }
    return compiled;
  }

  /** The agent with this id. @throws {SandtableError} AGENT_NOT_FOUND */
  agentOrThrow(agentId: string): AgentRuntime {
    const agent = this.agents.get(agentId);
    if (!agent)
      throw new SandtableError('AGENT_NOT_FOUND', `no agent "${agentId}" in this run`, { category: 'user' });
    return agent;
  }

  /** Writes values through the world state, collecting changes and hits. */
  applyWrites(
    writes: Array<{ agentId?: string; variable: string; value: unknown }>,
    changes: StateChange[],
    hits: ConstraintHit[],
  ): void {
    for (const write of writes) {
      const { change, hit } = this.world.write(write.variable, write.value, write.agentId);
      if (change) changes.push(change);
      if (hit) hits.push(hit);
    }
  }

  /** Emits constraint hits and keeps them for the next observations. */
  emitHits(hits: ConstraintHit[], cause: RunEventPayloads['constraint-hit']['cause'], by?: string): void {
    for (const hit of hits) {
      if (hit.agentId !== undefined && (hit.bound === 'min' || hit.bound === 'max')) {
        const agent = this.agents.get(hit.agentId);
        if (agent)
          shiftMood(agent.mood, hit.bound === 'min' ? moodStimuli.hitMinimum : moodStimuli.hitMaximum);
      }
      this.unseenHits.push(hit);
      if (this.gameMaster) this.gameMasterHits.push(hit);
      this.emit('constraint-hit', { ...hit, step: this.currentStep, cause, ...(by ? { by } : {}) });
    }
  }

  /** Records a failed agent step: an `agent-failed` event and a memory line. */
  fail(agent: AgentRuntime, step: number, reason: AgentFailureReason, message: string, tool?: string): void {
    agent.failures += 1;
    shiftMood(agent.mood, moodStimuli.failure);
    this.emit('agent-failed', { step, agentId: agent.spec.id, reason, message, ...(tool ? { tool } : {}) });
    remember(agent, `Step ${step}: ${tool ? `${tool} failed` : 'no decision'} (${message})`);
  }
}
