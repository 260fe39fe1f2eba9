import { type AgentRuntime, remember } from '../agents/agent-runtime';
import type { Brain, Decision, Observation } from '../agents/brain';
import { RuleBrain } from '../agents/rule-brain';
import type { Environment, EnvironmentContext } from '../environments/environment';
import { MessagingEnvironment } from '../environments/messaging-environment';
import type { ToolCallRequest } from '../environments/tool';
import { formatValue, WorldActionsEnvironment } from '../environments/world-actions-environment';
import { SandtableError } from '../errors';
import { type CompiledExpression, compileExpression } from '../expression';
import { createRandom } from '../random';
import type { Scenario, VariableValue } from '../scenario/scenario';
import { type ConstraintHit, type StateChange, WorldState } from '../world/world-state';
import { EventStream, type RunEventListener } from './event-stream';
import { ExpressionScope } from './expression-scope';
import { MessageBus } from './message-bus';
import { buildObservation, groupHits, type StepView, visibleWorld } from './observation-builder';
import type {
  AgentFailureReason,
  MessageRecord,
  RunEvent,
  RunEventPayloads,
  RunEventType,
} from './run-events';
import { runPool, type TaskOutcome } from './work-pool';

/** Where a run is in its life. */
export type RunStatus = 'created' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

/** How a run ended. */
export interface RunResult {
  status: 'completed' | 'stopped' | 'failed';
  /** `max-steps`, a termination condition's outcome, `stopped` or `failed`. */
  outcome: string;
  reason: string;
  /** Steps that completed. */
  steps: number;
  finalState: ReturnType<WorldState['snapshot']>;
  metrics: Array<{ step: number; values: Record<string, number> }>;
}

/** Options for one run. */
export interface RunOptions {
  /** Chooses a brain per agent; return undefined to use the default (rules). */
  brainFor?: (agent: AgentRuntime, rules: Brain) => Brain | undefined;
  /** Extra environments beside the built-in world actions and messaging. */
  environments?: Environment[];
  /** Notices to emit at start (e.g. why model agents run on rules). */
  notices?: string[];
}

/** An event to inject at the next step boundary. */
export interface InjectedEvent {
  type: string;
  description: string;
  /** Targets (`var` or `self.var`) to expressions, as in scenario events. */
  effects?: Record<string, string>;
  /** Agent ids; everyone when left out. */
  affects?: string[];
}

type Control = () => void;

interface FiredEvent {
  type: string;
  description: string;
  source: 'scheduled' | 'condition' | 'injected';
  effects: Record<string, string>;
  /** Resolved agent ids; everyone when absent. */
  affects?: string[];
  /** The selectors as written, for the event log. */
  selectors: string[];
}

/**
 * One execution of a scenario: synchronous rounds as DESIGN.md lays out, a typed event stream,
 * and control (pause, resume, single-step, stop; mute, pause, resume, terminate an agent; inject
 * a message, an event or a variable value) honoured at step boundaries.
 *
 * @example
 * const run = createEngine().createRun(scenario);
 * run.subscribe((event) => console.log(event.type));
 * const result = await run.start();
 */
export class Run {
  readonly scenario: Scenario;
  readonly world: WorldState;
  private readonly stream = new EventStream();
  private readonly messages: MessageBus;
  private readonly scope: ExpressionScope;
  private readonly agents = new Map<string, AgentRuntime>();
  private readonly order: AgentRuntime[];
  private readonly environments: Environment[];
  private readonly toolOwners = new Map<string, Environment>();
  private readonly brains = new Map<string, Brain>();
  private readonly controller = new AbortController();
  private readonly controls: Control[] = [];
  private readonly injectedEvents: FiredEvent[] = [];
  private readonly firedConditions = new Set<number>();
  private readonly compiled = new Map<string, CompiledExpression>();
  private readonly metricHistory: RunResult['metrics'] = [];
  private readonly notices: string[];
  private activeList: AgentRuntime[] = [];
  /** Hits not yet shown to agents: last step's actions and this step's events and dynamics. */
  private unseenHits: ConstraintHit[] = [];
  private currentStep = 0;
  private runStatus: RunStatus = 'created';
  private pauseRequested = false;
  private singleSteps = 0;
  private wake: (() => void) | undefined;
  private stopReason: string | undefined;
  private inStep = false;

  constructor(scenario: Scenario, options: RunOptions = {}) {
    this.scenario = scenario;
    this.world = new WorldState(scenario);
    this.messages = new MessageBus(scenario.rooms);
    this.order = scenario.agents.map((spec, index) => {
      const runtime: AgentRuntime = {
        spec,
        index,
        view: this.world.agents.get(spec.id)!,
        status: 'active',
        muted: false,
        memory: [],
        failures: 0,
      };
      this.agents.set(spec.id, runtime);
      return runtime;
    });
    this.refreshActive();
    this.scope = new ExpressionScope(scenario, this.world, () => this.activeList.map((agent) => agent.view));
    const worldActions = new WorldActionsEnvironment(scenario.actions);
    this.environments = [worldActions, new MessagingEnvironment(), ...(options.environments ?? [])];
    const context = () => this.environmentContext();
    const rules = new RuleBrain({ actions: worldActions, context });
    for (const agent of this.order) {
      const brain = options.brainFor?.(agent, rules) ?? rules;
      this.brains.set(agent.spec.id, brain);
    }
    this.notices = options.notices ?? [];
  }

  /** The current status. */
  get status(): RunStatus {
    return this.runStatus;
  }

  /** The last step started (0 before the first). */
  get step(): number {
    return this.currentStep;
  }

  /** The agents with their live state, in scenario order. */
  get agentList(): readonly AgentRuntime[] {
    return this.order;
  }

  /** Listens to every event synchronously; returns the function that stops listening. */
  subscribe(listener: RunEventListener): () => void {
    return this.stream.subscribe(listener);
  }

  /** Iterates over the events from now until the run ends. */
  events(): AsyncGenerator<RunEvent, void, undefined> {
    return this.stream.iterate();
  }

  /** Metric values per completed step. */
  get metrics(): RunResult['metrics'] {
    return this.metricHistory;
  }

  private emit<Type extends RunEventType>(type: Type, payload: RunEventPayloads[Type]): void {
    const event = {
      sequence: this.stream.nextSequence(),
      type,
      wallTime: new Date().toISOString(),
      ...payload,
    } as RunEvent;
    this.stream.publish(event);
  }

  private environmentContext(): EnvironmentContext {
    return {
      step: this.currentStep,
      scenario: this.scenario,
      world: this.world,
      scope: this.scope,
      messages: this.messages,
      agents: this.agents,
    };
  }

  private refreshActive(): void {
    this.activeList = this.order.filter((agent) => agent.status !== 'terminated');
    this.scope?.invalidateAgents();
  }

  private expression(source: string): CompiledExpression {
    let compiled = this.compiled.get(source);
    if (!compiled) {
      compiled = compileExpression(source);
      this.compiled.set(source, compiled);
    }
    return compiled;
  }

  // ---- control -------------------------------------------------------------------------------

  private enqueue(control: Control): void {
    if (this.inStep || this.runStatus === 'running') this.controls.push(control);
    else control();
  }

  private drainControls(): void {
    while (this.controls.length > 0) this.controls.shift()?.();
  }

  /** Pauses at the next step boundary. */
  pause(): void {
    if (this.runStatus === 'running' || this.runStatus === 'created') this.pauseRequested = true;
  }

  /** Resumes a paused run. */
  resume(): void {
    this.pauseRequested = false;
    this.singleSteps = 0;
    this.wake?.();
  }

  /** Runs exactly one more step, then pauses again. Pauses first if the run is running. */
  singleStep(): void {
    this.pauseRequested = true;
    this.singleSteps += 1;
    this.wake?.();
  }

  /** Stops the run: in-flight decisions are aborted now, and the run ends after the current step. */
  stop(reason = 'stopped by request'): void {
    if (['completed', 'stopped', 'failed'].includes(this.runStatus)) return;
    this.stopReason ??= reason;
    this.controller.abort(new SandtableError('RUN_STOPPED', reason, { category: 'user' }));
    this.wake?.();
  }

  private agentOrThrow(agentId: string): AgentRuntime {
    const agent = this.agents.get(agentId);
    if (!agent)
      throw new SandtableError('AGENT_NOT_FOUND', `no agent "${agentId}" in this run`, { category: 'user' });
    return agent;
  }

  private controlAgent(agentId: string, control: RunEventPayloads['agent-controlled']['control']): void {
    const agent = this.agentOrThrow(agentId);
    this.enqueue(() => {
      if (agent.status === 'terminated') return;
      if (control === 'muted') agent.muted = true;
      else if (control === 'unmuted') agent.muted = false;
      else if (control === 'paused') agent.status = 'paused';
      else if (control === 'resumed') agent.status = 'active';
      else {
        agent.status = 'terminated';
        this.refreshActive();
      }
      this.emit('agent-controlled', { step: this.currentStep, agentId, control });
    });
  }

  /** Mutes an agent: it still acts, but its messages are not delivered. */
  muteAgent(agentId: string): void {
    this.controlAgent(agentId, 'muted');
  }

  /** Lets a muted agent's messages through again. */
  unmuteAgent(agentId: string): void {
    this.controlAgent(agentId, 'unmuted');
  }

  /** The agent skips its turns until resumed. */
  pauseAgent(agentId: string): void {
    this.controlAgent(agentId, 'paused');
  }

  /** A paused agent takes turns again. */
  resumeAgent(agentId: string): void {
    this.controlAgent(agentId, 'resumed');
  }

  /** Removes an agent for the rest of the run. */
  terminateAgent(agentId: string): void {
    this.controlAgent(agentId, 'terminated');
  }

  /** Sends a message as the operator (a manual override), delivered at the next step. */
  injectMessage(message: { to?: string; room?: string; text: string; from?: string }): void {
    if (message.to !== undefined) this.agentOrThrow(message.to);
    if (message.room !== undefined && !this.messages.rooms.has(message.room)) {
      throw new SandtableError('ROOM_NOT_FOUND', `no room "${message.room}" in this run`, {
        category: 'user',
      });
    }
    this.enqueue(() => {
      const record: MessageRecord = {
        from: message.from ?? 'operator',
        ...(message.to !== undefined ? { to: message.to } : {}),
        ...(message.room !== undefined ? { room: message.room } : {}),
        ...(message.to === undefined && message.room === undefined ? { broadcast: true } : {}),
        text: message.text,
        step: this.currentStep,
      };
      this.messages.send(record);
      this.emit('message-sent', record);
    });
  }

  /** Fires an event at the start of the next step. */
  injectEvent(event: InjectedEvent): void {
    for (const source of Object.values(event.effects ?? {})) this.expression(source);
    for (const agentId of event.affects ?? []) this.agentOrThrow(agentId);
    this.injectedEvents.push({
      type: event.type,
      description: event.description,
      source: 'injected',
      effects: event.effects ?? {},
      ...(event.affects ? { affects: event.affects } : {}),
      selectors: event.affects ?? ['*'],
    });
  }

  /** Sets a variable (clamped like any write) at the next step boundary. */
  setVariable(variable: string, value: VariableValue, agentId?: string): void {
    if (agentId !== undefined) this.agentOrThrow(agentId);
    if (!this.world.definitionOf(variable, agentId)) {
      throw new SandtableError('VARIABLE_NOT_FOUND', `no ${agentId ? 'agent ' : ''}variable "${variable}"`, {
        category: 'user',
      });
    }
    this.enqueue(() => {
      const { change, hit } = this.world.write(variable, value, agentId);
      this.emit('variable-set', { step: this.currentStep, ...(agentId ? { agentId } : {}), variable, value });
      if (change) this.emit('state-changed', { step: this.currentStep, cause: 'control', changes: [change] });
      if (hit) this.emit('constraint-hit', { ...hit, step: this.currentStep, cause: 'control' });
    });
  }

  // ---- the loop ------------------------------------------------------------------------------

  private async gate(): Promise<boolean> {
    while (!this.controller.signal.aborted) {
      this.drainControls();
      if (!this.pauseRequested) return true;
      if (this.singleSteps > 0) {
        this.singleSteps -= 1;
        return true;
      }
      if (this.runStatus !== 'paused') {
        this.runStatus = 'paused';
        this.emit('run-paused', { step: this.currentStep });
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
      if (!this.pauseRequested && !this.controller.signal.aborted) {
        this.runStatus = 'running';
        this.emit('run-resumed', { step: this.currentStep });
      }
    }
    return false;
  }

  /**
   * Runs the scenario to its end (last step, a termination condition, or stop).
   * Resolves with how it ended; never rejects for a failing agent. A failure of the engine itself
   * ends the run with status `failed` and a `run-failed` event.
   */
  async start(): Promise<RunResult> {
    if (this.runStatus !== 'created') {
      throw new SandtableError('RUN_ALREADY_STARTED', 'this run has already been started', {
        category: 'user',
      });
    }
    this.runStatus = 'running';
    const { scenario } = this;
    this.emit('run-started', {
      scenario: scenario.name,
      seed: scenario.seed,
      steps: scenario.clock.steps,
      agents: scenario.agents.length,
      parameters: scenario.parameters,
    });
    for (const message of this.notices) this.emit('run-notice', { message });
    let outcome = 'max-steps';
    let reason = `reached the last step (${scenario.clock.steps})`;
    let completed = 0;
    try {
      for (let step = 1; step <= scenario.clock.steps; step++) {
        // Rule-only steps never wait on I/O; yielding to the event loop here lets signals
        // (Ctrl-C), control requests and output streams through between steps.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!(await this.gate())) break;
        if ((this.runStatus as RunStatus) === 'paused') this.runStatus = 'running';
        const ended = await this.executeStep(step);
        completed = step;
        if (ended) {
          outcome = ended.outcome;
          reason = ended.reason;
          break;
        }
        if (this.controller.signal.aborted) break;
      }
    } catch (error) {
      const failure =
        error instanceof SandtableError
          ? { code: error.code, message: error.message }
          : { code: 'ENGINE_FAILED', message: (error as Error).message };
      this.runStatus = 'failed';
      this.emit('run-failed', { step: this.currentStep, error: failure });
      this.stream.close();
      return this.result('failed', 'failed', failure.message, completed);
    }
    if (this.controller.signal.aborted) {
      this.runStatus = 'stopped';
      const why = this.stopReason ?? 'stopped';
      this.emit('run-stopped', { step: completed, reason: why });
      this.stream.close();
      return this.result('stopped', 'stopped', why, completed);
    }
    this.runStatus = 'completed';
    this.emit('run-completed', { step: completed, outcome, reason });
    this.stream.close();
    return this.result('completed', outcome, reason, completed);
  }

  private result(status: RunResult['status'], outcome: string, reason: string, steps: number): RunResult {
    return { status, outcome, reason, steps, finalState: this.world.snapshot(), metrics: this.metricHistory };
  }

  private applyWrites(
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

  private emitHits(
    hits: ConstraintHit[],
    cause: RunEventPayloads['constraint-hit']['cause'],
    by?: string,
  ): void {
    for (const hit of hits) {
      this.unseenHits.push(hit);
      this.emit('constraint-hit', { ...hit, step: this.currentStep, cause, ...(by ? { by } : {}) });
    }
  }

  /** Fires due events and applies their effects. */
  private fireEvents(step: number): FiredEvent[] {
    const due: FiredEvent[] = [];
    this.scenario.events.forEach((event, index) => {
      let source: FiredEvent['source'] | undefined;
      if (event.step === step) source = 'scheduled';
      else if (
        event.when &&
        !this.firedConditions.has(index) &&
        this.expression(event.when).evaluate(this.scope.global) === true
      ) {
        this.firedConditions.add(index);
        source = 'condition';
      }
      if (!source) return;
      due.push({
        type: event.type,
        description: event.message ? `${event.description} ${event.message}` : event.description,
        source,
        effects: event.effects,
        ...(event.affectsIds ? { affects: event.affectsIds } : {}),
        selectors: event.affects ?? ['*'],
      });
    });
    due.push(...this.injectedEvents.splice(0));
    for (const event of due) {
      this.emit('event-fired', {
        step,
        eventType: event.type,
        description: event.description,
        source: event.source,
        affects: event.selectors,
      });
      const changes: StateChange[] = [];
      const hits: ConstraintHit[] = [];
      const targets = event.affects ? event.affects.map((id) => this.agents.get(id)!) : this.activeList;
      for (const [target, source] of Object.entries(event.effects)) {
        const expression = this.expression(source);
        if (target.startsWith('self.')) {
          const variable = target.slice(5);
          for (const agent of targets) {
            if (agent.status === 'terminated') continue;
            this.applyWrites(
              [
                {
                  agentId: agent.spec.id,
                  variable,
                  value: expression.evaluate(this.scope.forAgent(agent.view)),
                },
              ],
              changes,
              hits,
            );
          }
        } else {
          this.applyWrites(
            [{ variable: target, value: expression.evaluate(this.scope.global) }],
            changes,
            hits,
          );
        }
      }
      if (changes.length > 0) this.emit('state-changed', { step, cause: 'event', changes });
      this.emitHits(hits, 'event');
      for (const agent of targets)
        remember(agent, `Step ${step}: event ${event.type} — ${event.description}`);
    }
    return due;
  }

  private applyDynamics(step: number): void {
    const changes: StateChange[] = [];
    const hits: ConstraintHit[] = [];
    for (const dynamic of this.scenario.dynamics) {
      const to = this.expression(dynamic.to);
      const when = dynamic.when ? this.expression(dynamic.when) : undefined;
      if (dynamic.set.startsWith('self.')) {
        const variable = dynamic.set.slice(5);
        for (const agent of this.activeList) {
          const scope = this.scope.forAgent(agent.view);
          if (when && when.evaluate(scope) !== true) continue;
          this.applyWrites([{ agentId: agent.spec.id, variable, value: to.evaluate(scope) }], changes, hits);
        }
      } else if (!when || when.evaluate(this.scope.global) === true) {
        this.applyWrites([{ variable: dynamic.set, value: to.evaluate(this.scope.global) }], changes, hits);
      }
    }
    if (changes.length > 0) this.emit('state-changed', { step, cause: 'dynamics', changes });
    this.emitHits(hits, 'dynamics');
  }

  private async decideAll(
    acting: AgentRuntime[],
    observations: Array<Observation | undefined>,
    step: number,
  ) {
    const outcomes = new Array<TaskOutcome<Decision>>(acting.length);
    const asynchronous: number[] = [];
    const random = acting.map((agent) => createRandom(this.scenario.seed, ['decide', step, agent.spec.id]));
    acting.forEach((agent, index) => {
      const observation = observations[index];
      if (!observation) return;
      const brain = this.brains.get(agent.spec.id)!;
      if (!brain.synchronous) {
        asynchronous.push(index);
        return;
      }
      try {
        const decision = brain.decide(observation, {
          signal: this.controller.signal,
          random: random[index]!,
          agent,
        });
        outcomes[index] = { ok: true, value: decision as Decision };
      } catch (error) {
        outcomes[index] = { ok: false, reason: 'error', error };
      }
    });
    if (asynchronous.length > 0) {
      const results = await runPool(
        asynchronous,
        (index, signal) =>
          this.brains
            .get(acting[index]!.spec.id)!
            .decide(observations[index]!, { signal, random: random[index]!, agent: acting[index]! }),
        {
          limit: this.scenario.execution.concurrency,
          timeoutMs: this.scenario.execution.decisionTimeoutMs,
          signal: this.controller.signal,
        },
      );
      asynchronous.forEach((index, position) => {
        outcomes[index] = results[position]!;
      });
    }
    return outcomes;
  }

  private fail(
    agent: AgentRuntime,
    step: number,
    reason: AgentFailureReason,
    message: string,
    tool?: string,
  ): void {
    agent.failures += 1;
    this.emit('agent-failed', { step, agentId: agent.spec.id, reason, message, ...(tool ? { tool } : {}) });
    remember(agent, `Step ${step}: ${tool ? `${tool} failed` : 'no decision'} (${message})`);
  }

  private applyCall(
    agent: AgentRuntime,
    call: ToolCallRequest,
    decision: Decision,
    offered: Set<string>,
    step: number,
    counts: { actions: Record<string, number>; messages: number; failures: number },
  ): void {
    const environment = this.toolOwners.get(call.tool);
    if (!environment || !offered.has(call.tool)) {
      counts.failures += 1;
      this.fail(
        agent,
        step,
        'invalid-action',
        `tool "${call.tool}" is not available to this agent`,
        call.tool,
      );
      return;
    }
    const outcome = environment.execute(agent, call, this.environmentContext());
    if (!outcome.ok) {
      counts.failures += 1;
      this.fail(agent, step, 'invalid-action', outcome.result, call.tool);
      return;
    }
    counts.actions[call.tool] = (counts.actions[call.tool] ?? 0) + 1;
    this.emit('agent-acted', {
      step,
      agentId: agent.spec.id,
      tool: call.tool,
      arguments: call.arguments,
      ok: true,
      result: outcome.result,
      rationale: decision.rationale,
      source: decision.source,
      changes: outcome.changes,
    });
    this.emitHits(outcome.hits, 'action', agent.spec.id);
    for (const message of outcome.messages) {
      const record: MessageRecord = { ...message, step };
      if (agent.muted) {
        this.emit('message-sent', { ...record, muted: true });
        continue;
      }
      counts.messages += 1;
      this.messages.send(record);
      this.emit('message-sent', record);
    }
    agent.lastAction = call.tool;
    const args = Object.entries(call.arguments)
      .filter(([name]) => name !== 'text')
      .map(([name, value]) => `${name}=${typeof value === 'number' ? formatValue(value) : String(value)}`)
      .join(', ');
    remember(agent, `Step ${step}: ${call.tool}(${args}) → ${outcome.result}`);
  }

  private computeMetrics(step: number): Record<string, number> {
    const values: Record<string, number> = {};
    for (const metric of this.scenario.metrics) {
      let value: unknown;
      try {
        value = this.expression(metric.expression).evaluate(this.scope.global);
      } catch (error) {
        this.emit('run-notice', {
          message: `metric ${metric.name} failed at step ${step}: ${(error as Error).message}`,
        });
        value = Number.NaN;
      }
      values[metric.name] =
        typeof value === 'boolean' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
    }
    return values;
  }

  /** Runs one step; returns the termination that ended the run, if any. */
  private async executeStep(step: number): Promise<{ outcome: string; reason: string } | undefined> {
    this.inStep = true;
    this.currentStep = step;
    this.scope.setStep(step);
    this.messages.deliver();
    this.emit('step-started', { step });

    const fired = this.fireEvents(step);
    this.applyDynamics(step);

    const acting = this.activeList.filter((agent) => agent.status === 'active');
    const context = this.environmentContext();
    const view: StepView = {
      context,
      environments: this.environments,
      activeAgents: this.activeList,
      visibleGlobals: Object.entries(this.scenario.variables)
        .filter(([, definition]) => definition.visible)
        .map(([name]) => name),
      agentVariables: Object.keys(this.scenario.agentVariables),
      firedEvents: fired.map((event) => ({
        type: event.type,
        description: event.description,
        ...(event.affects ? { affects: new Set(event.affects) } : {}),
      })),
      constraintHits: groupHits(this.unseenHits),
    };
    this.unseenHits = [];
    const world = visibleWorld(view);
    const counts = {
      actions: Object.fromEntries(this.scenario.actions.map((action) => [action.name, 0])),
      messages: 0,
      failures: 0,
    };
    const observations = acting.map((agent) => {
      try {
        const observation = buildObservation(
          agent,
          view,
          world,
          createRandom(this.scenario.seed, ['observe', step, agent.spec.id]),
        );
        for (const tool of observation.tools)
          if (!this.toolOwners.has(tool.name))
            this.toolOwners.set(
              tool.name,
              this.environments.find((environment) => environment.name === tool.environment)!,
            );
        return observation;
      } catch (error) {
        counts.failures += 1;
        this.fail(agent, step, 'error', `observation failed: ${(error as Error).message}`);
        return undefined;
      }
    });

    const outcomes = await this.decideAll(acting, observations, step);

    acting.forEach((agent, index) => {
      const outcome = outcomes[index];
      const observation = observations[index];
      if (!outcome || !observation) return;
      if (!outcome.ok) {
        counts.failures += 1;
        const message =
          outcome.error instanceof Error ? outcome.error.message : String(outcome.error ?? outcome.reason);
        this.fail(agent, step, outcome.reason, message);
        return;
      }
      const offered = new Set(observation.tools.map((tool) => tool.name));
      for (const call of outcome.value.calls)
        this.applyCall(agent, call, outcome.value, offered, step, counts);
    });
    for (const environment of this.environments) environment.tick?.(this.environmentContext());

    this.scope.setActivity(counts.actions, counts.messages, counts.failures);
    const metrics = this.computeMetrics(step);
    this.metricHistory.push({ step, values: metrics });
    this.emit('step-completed', {
      step,
      metrics,
      actions: counts.actions,
      messages: counts.messages,
      failures: counts.failures,
    });
    this.inStep = false;
    for (const condition of this.scenario.termination) {
      if (this.expression(condition.when).evaluate(this.scope.global) === true) {
        return {
          outcome: condition.outcome,
          reason: condition.description ?? `termination condition \`${condition.when}\` held`,
        };
      }
    }
    return undefined;
  }
}
