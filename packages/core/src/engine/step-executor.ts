import { type AgentRuntime, remember } from '../agents/agent-runtime';
import type { Decision, Observation } from '../agents/brain';
import { moodStimuli, progressStimulus, relaxMood, shiftMood } from '../agents/emotion';
import { BeliefPositionLog } from '../beliefs/belief-positions';
import {
  collectEnvironmentEvents,
  collectExposures,
  collectInteractions,
  scheduledBridgeEvents,
} from '../environments/bridge';
import type { ToolCallRequest } from '../environments/tool';
import { formatValue } from '../environments/world-actions-environment';
import { prepareRecall } from '../grounding/long-term-memory-embedder';
import { createRandom } from '../random';
import type { ConstraintHit, StateChange } from '../world/world-state';
import { consultGameMaster } from './game-master-phase';
import { buildObservation, groupHits, type StepView, visibleWorld } from './observation-builder';
import type { RunContext } from './run-context';
import type { MessageRecord } from './run-events';
import type { FiredEvent, StepCounts } from './step-types';
import { runPool, type TaskOutcome } from './work-pool';

/**
 * Runs the phases of one synchronous round over a {@link RunContext}: events, dynamics,
 * observations, decisions, actions in agent order, environment ticks, metrics, termination.
 */
export class StepExecutor {
  /** Metric values per completed step. */
  readonly metricHistory: Array<{ step: number; values: Record<string, number> }> = [];
  private readonly firedConditions = new Set<number>();
  private readonly injectedEvents: FiredEvent[] = [];
  /** The belief positions reported so far, for `beliefs-changed`. */
  private readonly beliefPositions = new BeliefPositionLog();

  constructor(private readonly context: RunContext) {}

  /** Queues an operator event for the next step. */
  inject(event: FiredEvent): void {
    this.injectedEvents.push(event);
  }

  /** Fires due events and applies their effects. */
  private fireEvents(step: number): FiredEvent[] {
    const due: FiredEvent[] = [];
    this.context.scenario.events.forEach((event, index) => {
      let source: FiredEvent['source'] | undefined;
      if (event.step === step) source = 'scheduled';
      else if (
        event.when &&
        !this.firedConditions.has(index) &&
        this.context.expression(event.when).evaluate(this.context.scope.global) === true
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
        ...(event.mood ? { mood: event.mood } : {}),
      });
    });
    due.push(...this.injectedEvents.splice(0));
    for (const event of due) {
      this.context.emit('event-fired', {
        step,
        eventType: event.type,
        description: event.description,
        source: event.source,
        affects: event.selectors,
      });
      const changes: StateChange[] = [];
      const hits: ConstraintHit[] = [];
      const targets = event.affects
        ? event.affects.map((id) => this.context.agents.get(id)!)
        : this.context.activeList;
      for (const [target, source] of Object.entries(event.effects)) {
        const expression = this.context.expression(source);
        if (target.startsWith('self.')) {
          const variable = target.slice(5);
          for (const agent of targets) {
            if (agent.status === 'terminated') continue;
            this.context.applyWrites(
              [
                {
                  agentId: agent.spec.id,
                  variable,
                  value: expression.evaluate(this.context.scope.forAgent(agent.view)),
                },
              ],
              changes,
              hits,
            );
          }
        } else {
          this.context.applyWrites(
            [{ variable: target, value: expression.evaluate(this.context.scope.global) }],
            changes,
            hits,
          );
        }
      }
      if (changes.length > 0) this.context.emit('state-changed', { step, cause: 'event', changes });
      this.context.emitHits(hits, 'event');
      for (const agent of targets) {
        if (agent.status === 'terminated') continue;
        remember(agent, `Step ${step}: event ${event.type} — ${event.description}`);
        shiftMood(agent.mood, event.mood ?? moodStimuli.event);
      }
    }
    return due;
  }

  private applyDynamics(step: number): void {
    const changes: StateChange[] = [];
    const hits: ConstraintHit[] = [];
    for (const dynamic of this.context.scenario.dynamics) {
      const to = this.context.expression(dynamic.to);
      const when = dynamic.when ? this.context.expression(dynamic.when) : undefined;
      if (dynamic.set.startsWith('self.')) {
        const variable = dynamic.set.slice(5);
        for (const agent of this.context.activeList) {
          const scope = this.context.scope.forAgent(agent.view);
          if (when && when.evaluate(scope) !== true) continue;
          this.context.applyWrites(
            [{ agentId: agent.spec.id, variable, value: to.evaluate(scope) }],
            changes,
            hits,
          );
        }
      } else if (!when || when.evaluate(this.context.scope.global) === true) {
        this.context.applyWrites(
          [{ variable: dynamic.set, value: to.evaluate(this.context.scope.global) }],
          changes,
          hits,
        );
      }
    }
    if (changes.length > 0) this.context.emit('state-changed', { step, cause: 'dynamics', changes });
    this.context.emitHits(hits, 'dynamics');
  }

  private async decideAll(
    acting: AgentRuntime[],
    observations: Array<Observation | undefined>,
    step: number,
    time?: number,
  ) {
    const outcomes = new Array<TaskOutcome<Decision>>(acting.length);
    const asynchronous: number[] = [];
    const random = acting.map((agent) =>
      createRandom(
        this.context.scenario.seed,
        time === undefined ? ['decide', step, agent.spec.id] : ['decide', step, time, agent.spec.id],
      ),
    );
    acting.forEach((agent, index) => {
      const observation = observations[index];
      if (!observation) return;
      const brain = this.context.brains.get(agent.spec.id)!;
      if (!brain.synchronous) {
        asynchronous.push(index);
        return;
      }
      try {
        const decision = brain.decide(observation, {
          signal: this.context.controller.signal,
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
        (index, signal, _position, restartTimeout) =>
          this.context.brains.get(acting[index]!.spec.id)!.decide(observations[index]!, {
            signal,
            random: random[index]!,
            agent: acting[index]!,
            restartTimeout,
          }),
        {
          limit: this.context.scenario.execution.concurrency,
          timeoutMs: this.context.scenario.execution.decisionTimeoutMs,
          signal: this.context.controller.signal,
        },
      );
      asynchronous.forEach((index, position) => {
        outcomes[index] = results[position]!;
      });
    }
    return outcomes;
  }

  private applyCall(
    agent: AgentRuntime,
    call: ToolCallRequest,
    decision: Decision,
    offered: Set<string>,
    step: number,
    counts: StepCounts,
    time?: number,
  ): void {
    const environment = this.context.toolOwners.get(call.tool);
    if (!environment || !offered.has(call.tool)) {
      counts.failures += 1;
      this.context.fail(
        agent,
        step,
        'invalid-action',
        `tool "${call.tool}" is not available to this agent`,
        call.tool,
      );
      return;
    }
    const outcome = environment.execute(agent, call, this.context.environmentContext());
    if (!outcome.ok) {
      counts.failures += 1;
      this.context.fail(agent, step, 'invalid-action', outcome.result, call.tool);
      return;
    }
    counts.actions[call.tool] = (counts.actions[call.tool] ?? 0) + 1;
    this.context.emit('agent-acted', {
      step,
      agentId: agent.spec.id,
      tool: call.tool,
      arguments: call.arguments,
      ok: true,
      result: outcome.result,
      rationale: decision.rationale,
      source: decision.source,
      changes: outcome.changes,
      ...(time === undefined ? {} : { time }),
    });
    this.context.emitHits(outcome.hits, 'action', agent.spec.id);
    for (const message of outcome.messages) {
      const record: MessageRecord = { ...message, step };
      if (agent.muted) {
        this.context.emit('message-sent', { ...record, muted: true });
        continue;
      }
      counts.messages += 1;
      this.context.messages.send(record);
      this.context.emit('message-sent', record);
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
    for (const metric of this.context.scenario.metrics) {
      let value: unknown;
      try {
        value = this.context.expression(metric.expression).evaluate(this.context.scope.global);
      } catch (error) {
        this.context.emit('run-notice', {
          message: `metric ${metric.name} failed at step ${step}: ${(error as Error).message}`,
        });
        value = Number.NaN;
      }
      values[metric.name] =
        typeof value === 'boolean' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
    }
    return values;
  }

  /**
   * Environments tick (their world writes recorded like any other), beliefs take in what agents
   * read, the bridge swaps last step's events for this step's, interactions reach the graph.
   */
  private tickEnvironments(step: number): void {
    const { context } = this;
    const changes: StateChange[] = [];
    const hits: ConstraintHit[] = [];
    for (const environment of context.environments) {
      const written = environment.tick?.(context.environmentContext());
      if (written) {
        changes.push(...written.changes);
        hits.push(...written.hits);
      }
    }
    if (changes.length > 0) context.emit('state-changed', { step, cause: 'environment', changes });
    context.emitHits(hits, 'environment');
    context.beliefs?.applyExposures(step, collectExposures(context.environments));
    context.bridge.clear();
    context.bridge.collect(collectEnvironmentEvents(context.environments));
    for (const interaction of collectInteractions(context.environments))
      context.graph.recordInteraction(interaction);
  }

  /** Each environment's numbers (`<name>.<metric>`) and the belief aggregates. */
  private environmentMetrics(): Record<string, number> {
    const metrics: Record<string, number> = {};
    for (const environment of this.context.publishing) {
      for (const [name, value] of Object.entries(environment.metrics()))
        metrics[`${environment.name}.${name}`] = value;
    }
    Object.assign(metrics, this.context.beliefs?.metrics() ?? {});
    return metrics;
  }

  /**
   * End of step for moods: progress on goals moves valence, then every mood relaxes toward its
   * baseline. Returns the mean mood of active agents.
   */
  private updateMoods(): { valence: number; arousal: number } {
    const { context } = this;
    let valence = 0;
    let arousal = 0;
    for (const agent of context.activeList) {
      const goals = agent.spec.goals.filter((goal) => goal.maximize ?? goal.minimize);
      if (goals.length > 0) {
        const scope = context.scope.forAgent(agent.view);
        const values = goals.map((goal) => {
          const value = context.expression((goal.maximize ?? goal.minimize) as string).evaluate(scope);
          return typeof value === 'number' ? value : Number(value === true);
        });
        if (agent.lastGoalValues) {
          let progress = 0;
          goals.forEach((goal, index) => {
            const before = agent.lastGoalValues?.[index] ?? 0;
            const change = ((values[index] as number) - before) / Math.max(Math.abs(before), 1);
            progress += (goal.minimize ? -change : change) * goal.weight;
          });
          if (Number.isFinite(progress) && progress !== 0) shiftMood(agent.mood, progressStimulus(progress));
        }
        agent.lastGoalValues = values;
      }
      relaxMood(agent.mood, agent.baselineMood);
      valence += agent.mood.valence;
      arousal += agent.mood.arousal;
    }
    const count = Math.max(context.activeList.length, 1);
    return { valence: Number((valence / count).toFixed(6)), arousal: Number((arousal / count).toFixed(6)) };
  }

  /** Opens a step: announces it, fires due events, applies dynamics. Messages are delivered by the clock. */
  beginStep(step: number): FiredEvent[] {
    this.context.currentStep = step;
    this.context.scope.setStep(step);
    this.context.emit('step-started', { step });
    const fired = this.fireEvents(step);
    this.context.bridge.collect(scheduledBridgeEvents(fired, step));
    this.applyDynamics(step);
    return fired;
  }

  /** Fresh per-step tallies. */
  newCounts(): StepCounts {
    return {
      actions: Object.fromEntries(this.context.scenario.actions.map((action) => [action.name, 0])),
      messages: 0,
      failures: 0,
    };
  }

  /** Lets environments that need it prepare, asynchronously, for the calls about to be applied. */
  private async prepareCalls(
    acting: AgentRuntime[],
    outcomes: Array<TaskOutcome<Decision> | undefined>,
    observations: Array<Observation | undefined>,
  ): Promise<void> {
    const calls: Array<{ agent: AgentRuntime; call: ToolCallRequest }> = [];
    acting.forEach((agent, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok && observations[index])
        for (const call of outcome.value.calls) calls.push({ agent, call });
    });
    const context = this.context.environmentContext();
    for (const environment of this.context.environments)
      if (environment.beforeExecute) await environment.beforeExecute(calls, context);
  }

  /**
   * Lets `acting` agents act once: observations from the current state, decisions through the
   * scheduler, tool calls applied in the given order. `time` (event-driven clock) is recorded on
   * the events. Returns each agent's decision outcome.
   */
  async act(
    step: number,
    acting: AgentRuntime[],
    fired: FiredEvent[],
    counts: StepCounts,
    time?: { window: number; of: ReadonlyMap<string, number> },
  ): Promise<Array<TaskOutcome<Decision> | undefined>> {
    const context = this.context.environmentContext();
    const view: StepView = {
      context,
      environments: this.context.environments,
      activeAgents: this.context.activeList,
      visibleGlobals: Object.entries(this.context.scenario.variables)
        .filter(([, definition]) => definition.visible)
        .map(([name]) => name),
      agentVariables: Object.entries(this.context.scenario.agentVariables)
        .filter(([, definition]) => definition.visible)
        .map(([name]) => name),
      firedEvents: fired.map((event) => ({
        type: event.type,
        description: event.description,
        ...(event.affects ? { affects: new Set(event.affects) } : {}),
      })),
      constraintHits: groupHits(this.context.unseenHits),
      bridge: this.context.bridge,
      ...(this.context.beliefs ? { beliefs: this.context.beliefs } : {}),
    };
    this.context.unseenHits = [];
    for (const environment of this.context.environments)
      if (environment.beforeObserve) await environment.beforeObserve(acting, context);
    // Hybrid recall: the acting agents' new memories and recall queries, embedded in one batch.
    if (acting.some((agent) => agent.longTermMemory?.embedder))
      await prepareRecall(acting, view.firedEvents, context);
    const world = visibleWorld(view);
    const stream = time === undefined ? ['observe', step] : ['observe', step, time.window];
    const observations = acting.map((agent) => {
      try {
        const observation = buildObservation(
          agent,
          view,
          world,
          createRandom(this.context.scenario.seed, [...stream, agent.spec.id]),
        );
        for (const tool of observation.tools)
          if (!this.context.toolOwners.has(tool.name))
            this.context.toolOwners.set(
              tool.name,
              this.context.environments.find((environment) => environment.name === tool.environment)!,
            );
        return observation;
      } catch (error) {
        counts.failures += 1;
        this.context.fail(agent, step, 'error', `observation failed: ${(error as Error).message}`);
        return undefined;
      }
    });

    const outcomes = await this.decideAll(acting, observations, step, time?.window);
    if (this.context.environments.some((environment) => environment.beforeExecute))
      await this.prepareCalls(acting, outcomes, observations);

    acting.forEach((agent, index) => {
      const outcome = outcomes[index];
      const observation = observations[index];
      if (!outcome || !observation) return;
      if (!outcome.ok) {
        counts.failures += 1;
        const message =
          outcome.error instanceof Error ? outcome.error.message : String(outcome.error ?? outcome.reason);
        this.context.fail(agent, step, outcome.reason, message);
        return;
      }
      const offered = new Set(observation.tools.map((tool) => tool.name));
      const at = time?.of.get(agent.spec.id);
      for (const call of outcome.value.calls)
        this.applyCall(agent, call, outcome.value, offered, step, counts, at);
    });
    return outcomes;
  }

  /**
   * Closes a step: environments tick, the game master rules, moods settle, metrics are computed
   * and published, termination conditions are checked. Returns the termination, if any.
   */
  async endStep(
    step: number,
    counts: StepCounts,
    acted: { agents: AgentRuntime[]; outcomes: Array<TaskOutcome<Decision> | undefined> },
    fired: FiredEvent[],
  ): Promise<{ outcome: string; reason: string } | undefined> {
    this.tickEnvironments(step);
    if (this.context.gameMaster)
      await consultGameMaster(this.context, step, acted.agents, acted.outcomes, fired);
    this.context.scope.setActivity(counts.actions, counts.messages, counts.failures);
    const mood = this.updateMoods();
    const metrics = { ...this.computeMetrics(step), ...this.environmentMetrics() };
    this.metricHistory.push({ step, values: metrics });
    this.emitBeliefPositions(step);
    this.context.emit('step-completed', {
      step,
      metrics,
      actions: counts.actions,
      messages: counts.messages,
      failures: counts.failures,
      mood,
    });
    for (const condition of this.context.scenario.termination) {
      if (this.context.expression(condition.when).evaluate(this.context.scope.global) === true) {
        return {
          outcome: condition.outcome,
          reason: condition.description ?? `termination condition \`${condition.when}\` held`,
        };
      }
    }
    return undefined;
  }

  /**
   * Reports the belief positions that changed this step (all of them the first time). Runs without
   * beliefs emit nothing, so their event stream is what it was before beliefs were recorded.
   */
  private emitBeliefPositions(step: number): void {
    const { beliefs } = this.context;
    if (!beliefs) return;
    const positions = this.beliefPositions.changes(beliefs);
    if (positions) this.context.emit('beliefs-changed', { step, positions });
  }

  /** Runs one synchronous round; returns the termination that ended the run, if any. */
  async execute(step: number): Promise<{ outcome: string; reason: string } | undefined> {
    this.context.messages.deliver();
    const fired = this.beginStep(step);
    const acting = this.context.activeList.filter((agent) => agent.status === 'active');
    const counts = this.newCounts();
    const outcomes = await this.act(step, acting, fired, counts);
    return this.endStep(step, counts, { agents: acting, outcomes }, fired);
  }
}
