import type { AgentRuntime } from '../agents/agent-runtime';
import type { BeliefStore } from '../beliefs/belief-store';
import { SandtableError } from '../errors';
import type { Scenario, VariableValue } from '../scenario/scenario';
import type { WorldState } from '../world/world-state';
import { EventClock } from './event-clock';
import type { RunEventListener } from './event-stream';
import { RunContext, type RunContextOptions } from './run-context';
import type { MessageRecord, RunEvent, RunEventPayloads } from './run-events';
import { StepExecutor } from './step-executor';

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
export interface RunOptions extends RunContextOptions {
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
  /** How it moves the affected agents' mood (valence, arousal deltas). */
  mood?: { valence?: number; arousal?: number };
}

/**
 * A control request as it took effect at a step boundary — what exact resume re-applies, in the
 * same order, at the same boundary. `paused`/`resumed` are the pause transitions themselves (they
 * emit events, so a re-execution must reproduce them).
 */
export type ControlInput =
  | { kind: 'agent-control'; agentId: string; control: RunEventPayloads['agent-controlled']['control'] }
  | { kind: 'message'; message: { to?: string; room?: string; text: string; from?: string } }
  | { kind: 'event'; event: InjectedEvent }
  | { kind: 'variable'; variable: string; value: VariableValue; agentId?: string }
  | { kind: 'parameters'; values: Record<string, number | boolean | string> }
  | { kind: 'paused' }
  | { kind: 'resumed' };

/** Hooks for persistence: see {@link Run.attach}. */
export interface RunHooks {
  /** Awaited at the start of each step's boundary, before queued controls apply (replay re-applies recorded inputs here). */
  beforeStep?: (step: number) => void | Promise<void>;
  /**
   * Awaited after step N's `step-completed` was emitted, before the run goes on or ends. A
   * rejection fails the run (`run-failed`), so a step that could not be stored is never followed
   * by another.
   */
  afterStep?: (step: number) => void | Promise<void>;
  /** Called as each control input takes effect; `afterStep` is the last step started (0 before the first). */
  onInput?: (input: ControlInput, afterStep: number) => void;
}

type Control = () => void;

/**
 * One execution of a scenario: synchronous rounds as DESIGN.md lays out, a typed event stream,
 * and control (pause, resume, single-step, stop; mute, pause, resume, terminate an agent; inject
 * a message, an event or a variable value) honoured at step boundaries. The step itself is run by
 * {@link StepExecutor}; both share one {@link RunContext}.
 *
 * @example
 * const run = createEngine().createRun(scenario);
 * run.subscribe((event) => console.log(event.type));
 * const result = await run.start();
 */
export class Run {
  readonly scenario: Scenario;
  private readonly context: RunContext;
  private readonly executor: StepExecutor;
  /** The event-driven clock, when the scenario asks for it. */
  private readonly clock: EventClock | undefined;
  private readonly controls: Control[] = [];
  private readonly notices: string[];
  private runStatus: RunStatus = 'created';
  private pauseRequested = false;
  private singleSteps = 0;
  private wake: (() => void) | undefined;
  private stopReason: string | undefined;
  private inStep = false;
  private hooks: RunHooks = {};

  constructor(scenario: Scenario, options: RunOptions = {}) {
    this.scenario = scenario;
    this.context = new RunContext(scenario, options);
    this.executor = new StepExecutor(this.context);
    this.clock = scenario.clock.mode === 'events' ? new EventClock(this.context, this.executor) : undefined;
    this.notices = options.notices ?? [];
  }

  /**
   * Attaches persistence hooks (before {@link start}). One set per run; a second call replaces it.
   * @throws {SandtableError} RUN_ALREADY_STARTED
   */
  attach(hooks: RunHooks): void {
    if (this.runStatus !== 'created') {
      throw new SandtableError('RUN_ALREADY_STARTED', 'hooks must be attached before the run starts', {
        category: 'user',
      });
    }
    this.hooks = hooks;
  }

  /** True once {@link stop} was called: the step under way may have had decisions cancelled. */
  get stopRequested(): boolean {
    return this.context.controller.signal.aborted;
  }

  /** The sequence number of the last event emitted (0 before the first). */
  get lastSequence(): number {
    return this.context.stream.lastSequence;
  }

  /** The world's variables, live. */
  get world(): WorldState {
    return this.context.world;
  }

  /** The current status. */
  get status(): RunStatus {
    return this.runStatus;
  }

  /** The last step started (0 before the first). */
  get step(): number {
    return this.context.currentStep;
  }

  /** The agents with their live state, in scenario order. */
  get agentList(): readonly AgentRuntime[] {
    return this.context.order;
  }

  /** Listens to every event synchronously; returns the function that stops listening. */
  subscribe(listener: RunEventListener): () => void {
    return this.context.stream.subscribe(listener);
  }

  /** Iterates over the events from now until the run ends. */
  events(): AsyncGenerator<RunEvent, void, undefined> {
    return this.context.stream.iterate();
  }

  /** Every agent's beliefs, when the scenario declares `beliefs` (read-only by convention). */
  get beliefs(): BeliefStore | undefined {
    return this.context.beliefs;
  }

  /** Metric values per completed step. */
  get metrics(): RunResult['metrics'] {
    return this.executor.metricHistory;
  }

  // ---- control -------------------------------------------------------------------------------

  private enqueue(control: Control): void {
    if (this.inStep || this.runStatus === 'running') this.controls.push(control);
    else control();
  }

  private drainControls(): void {
    while (this.controls.length > 0) this.controls.shift()?.();
  }

  /** Who messaged, followed, traded with or affected whom so far: `{ nodes, edges, metadata }`. */
  interactionGraph(): ReturnType<RunContext['graph']['toJSON']> {
    return this.context.graph.toJSON();
  }

  /** Emits a `run-notice` now (budget warnings, setup remarks). */
  notify(message: string): void {
    this.context.emit('run-notice', { message });
  }

  /**
   * Asks an agent a question, now — mid-run or after it — without changing the run: no events,
   * no state changes, no use of the run's randomness, and the agent's unread messages stay unread.
   * Model-backed agents answer through their model; others give the rule brain's factual answer.
   * @throws {SandtableError} AGENT_NOT_FOUND
   */
  async interview(
    agentId: string,
    question: string,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<{ answer: string; source: 'model' | 'rules' }> {
    const agent = this.context.agentOrThrow(agentId);
    const observation = this.context.interviewObservation(agent);
    const brain = this.context.brains.get(agentId);
    let note = '';
    if (brain?.interview && brain !== this.context.rules) {
      try {
        return { answer: await brain.interview(observation, question, signal), source: 'model' };
      } catch (error) {
        if (!(error instanceof SandtableError) || signal.aborted) throw error;
        note = `(model unavailable: ${error.code}) `;
      }
    }
    return { answer: note + this.context.rules.interview(observation, question), source: 'rules' };
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
    this.context.controller.abort(new SandtableError('RUN_STOPPED', reason, { category: 'user' }));
    this.wake?.();
  }

  private controlAgent(agentId: string, control: RunEventPayloads['agent-controlled']['control']): void {
    this.context.agentOrThrow(agentId);
    this.enqueue(() => this.applyInput({ kind: 'agent-control', agentId, control }));
  }

  /**
   * Applies a control input now, exactly as a queued request would at a step boundary, and
   * reports it to the `onInput` hook. Exact resume calls it (from `beforeStep`) with the inputs a
   * stored run recorded; everyone else uses the named methods (mute, inject, …), which validate
   * and queue.
   */
  applyInput(input: ControlInput): void {
    const step = this.context.currentStep;
    switch (input.kind) {
      case 'agent-control': {
        const agent = this.context.agentOrThrow(input.agentId);
        if (agent.status === 'terminated') return;
        const { control } = input;
        if (control === 'muted') agent.muted = true;
        else if (control === 'unmuted') agent.muted = false;
        else if (control === 'paused') agent.status = 'paused';
        else if (control === 'resumed') agent.status = 'active';
        else {
          agent.status = 'terminated';
          this.context.refreshActive();
        }
        this.context.emit('agent-controlled', { step, agentId: input.agentId, control });
        break;
      }
      case 'message': {
        const { message } = input;
        const record: MessageRecord = {
          from: message.from ?? 'operator',
          ...(message.to !== undefined ? { to: message.to } : {}),
          ...(message.room !== undefined ? { room: message.room } : {}),
          ...(message.to === undefined && message.room === undefined ? { broadcast: true } : {}),
          text: message.text,
          step,
        };
        this.context.messages.send(record);
        this.context.emit('message-sent', record);
        break;
      }
      case 'event': {
        const { event } = input;
        this.executor.inject({
          type: event.type,
          description: event.description,
          source: 'injected',
          effects: event.effects ?? {},
          ...(event.affects ? { affects: event.affects } : {}),
          selectors: event.affects ?? ['*'],
          ...(event.mood ? { mood: event.mood } : {}),
        });
        break;
      }
      case 'variable': {
        const { variable, value, agentId } = input;
        const { change, hit } = this.context.world.write(variable, value, agentId);
        this.context.emit('variable-set', { step, ...(agentId ? { agentId } : {}), variable, value });
        if (change) this.context.emit('state-changed', { step, cause: 'control', changes: [change] });
        if (hit) this.context.emit('constraint-hit', { ...hit, step, cause: 'control' });
        break;
      }
      case 'parameters': {
        // Parameters are read by expressions from the global scope; from this boundary on they
        // have the new values (a fork "with changed parameters" keeps the parent's before it).
        Object.assign(this.context.scope.global, input.values);
        const changed = Object.entries(input.values).map(([name, value]) => `${name}=${String(value)}`);
        this.context.emit('run-notice', {
          message: `parameters changed at step ${step}: ${changed.join(', ')}`,
        });
        break;
      }
      case 'paused':
        this.context.emit('run-paused', { step });
        break;
      case 'resumed':
        this.context.emit('run-resumed', { step });
        break;
      default:
        input satisfies never;
    }
    this.hooks.onInput?.(input, step);
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
    if (message.to !== undefined) this.context.agentOrThrow(message.to);
    if (message.room !== undefined && !this.context.messages.rooms.has(message.room)) {
      throw new SandtableError('ROOM_NOT_FOUND', `no room "${message.room}" in this run`, {
        category: 'user',
      });
    }
    this.enqueue(() => this.applyInput({ kind: 'message', message: { ...message } }));
  }

  /** Fires an event at the start of the next step. */
  injectEvent(event: InjectedEvent): void {
    for (const source of Object.values(event.effects ?? {})) this.context.expression(source);
    for (const agentId of event.affects ?? []) this.context.agentOrThrow(agentId);
    // Not queued: the executor keeps injected events for the next step's start itself.
    this.applyInput({ kind: 'event', event: structuredClone(event) });
  }

  /**
   * Changes scenario parameters at the next step boundary: expressions (dynamics, effects,
   * metrics, termination) read the new values from then on. Values must have the parameter's type.
   * @throws {SandtableError} PARAMETER_INVALID naming an unknown parameter or a value of the wrong type
   */
  setParameters(values: Record<string, number | boolean | string>): void {
    for (const [name, value] of Object.entries(values)) {
      const current = this.scenario.parameters[name];
      if (current === undefined || typeof current !== typeof value) {
        throw new SandtableError(
          'PARAMETER_INVALID',
          current === undefined
            ? `no parameter "${name}"; known: ${Object.keys(this.scenario.parameters).join(', ') || '(none)'}`
            : `parameter "${name}" is a ${typeof current}, not a ${typeof value}`,
          { category: 'user' },
        );
      }
    }
    this.enqueue(() => this.applyInput({ kind: 'parameters', values: { ...values } }));
  }

  /** Sets a variable (clamped like any write) at the next step boundary. */
  setVariable(variable: string, value: VariableValue, agentId?: string): void {
    if (agentId !== undefined) this.context.agentOrThrow(agentId);
    if (!this.context.world.definitionOf(variable, agentId)) {
      throw new SandtableError('VARIABLE_NOT_FOUND', `no ${agentId ? 'agent ' : ''}variable "${variable}"`, {
        category: 'user',
      });
    }
    this.enqueue(() =>
      this.applyInput({ kind: 'variable', variable, value, ...(agentId !== undefined ? { agentId } : {}) }),
    );
  }

  // ---- the loop ------------------------------------------------------------------------------

  private async gate(): Promise<boolean> {
    while (!this.context.controller.signal.aborted) {
      this.drainControls();
      if (!this.pauseRequested) return true;
      if (this.singleSteps > 0) {
        this.singleSteps -= 1;
        return true;
      }
      if (this.runStatus !== 'paused') {
        this.runStatus = 'paused';
        this.applyInput({ kind: 'paused' });
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
      if (!this.pauseRequested && !this.context.controller.signal.aborted) {
        this.runStatus = 'running';
        this.applyInput({ kind: 'resumed' });
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
    this.context.emit('run-started', {
      scenario: scenario.name,
      seed: scenario.seed,
      steps: scenario.clock.steps,
      agents: scenario.agents.length,
      parameters: scenario.parameters,
    });
    for (const message of this.notices) this.context.emit('run-notice', { message });
    let outcome = 'max-steps';
    let reason = `reached the last step (${scenario.clock.steps})`;
    let completed = 0;
    try {
      for (let step = 1; step <= scenario.clock.steps; step++) {
        // Rule-only steps never wait on I/O; yielding to the event loop here lets signals
        // (Ctrl-C), control requests and output streams through between steps.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.hooks.beforeStep?.(step);
        if (!(await this.gate())) break;
        if ((this.runStatus as RunStatus) === 'paused') this.runStatus = 'running';
        this.inStep = true;
        const ended = this.clock ? await this.clock.runStep(step) : await this.executor.execute(step);
        this.inStep = false;
        await this.hooks.afterStep?.(step);
        completed = step;
        if (ended) {
          outcome = ended.outcome;
          reason = ended.reason;
          break;
        }
        if (this.context.controller.signal.aborted) break;
      }
    } catch (error) {
      const failure =
        error instanceof SandtableError
          ? { code: error.code, message: error.message }
          : { code: 'ENGINE_FAILED', message: (error as Error).message };
      this.runStatus = 'failed';
      this.context.emit('run-failed', { step: this.context.currentStep, error: failure });
      this.context.stream.close();
      return this.result('failed', 'failed', failure.message, completed);
    }
    if (this.context.controller.signal.aborted) {
      this.runStatus = 'stopped';
      const why = this.stopReason ?? 'stopped';
      this.context.emit('run-stopped', { step: completed, reason: why });
      this.context.stream.close();
      return this.result('stopped', 'stopped', why, completed);
    }
    this.runStatus = 'completed';
    this.context.emit('run-completed', { step: completed, outcome, reason });
    this.context.stream.close();
    return this.result('completed', outcome, reason, completed);
  }

  private result(status: RunResult['status'], outcome: string, reason: string, steps: number): RunResult {
    return {
      status,
      outcome,
      reason,
      steps,
      finalState: this.context.world.snapshot(),
      metrics: this.executor.metricHistory,
    };
  }
}
