import type { AgentRuntime } from '../agents/agent-runtime';
import type { Decision } from '../agents/brain';
import { createRandom } from '../random';
import type { RunContext } from './run-context';
import type { MessageRecord, RunEvent } from './run-events';
import type { StepExecutor } from './step-executor';
import type { TaskOutcome } from './work-pool';

/**
 * The event-driven clock (seed 001's second mode). There is no round in which everyone acts: an
 * agent acts when something reaches it — a message, an event that affects it, another agent's
 * action changing its variables — after a seeded reaction delay, never sooner than
 * `min_interval` after its last action, and at least every `heartbeat` when nothing reaches it.
 *
 * Simulated time runs continuously; step k covers [k−1, k). Scheduled events, dynamics, metrics
 * and termination still happen once per step. Within a step, time advances in windows of
 * `min_interval`: every reaction takes at least that long, so nothing an agent does in a window
 * can reach another agent in the same window — the agents due in a window decide concurrently on
 * the window's state and their actions apply in order of (time, agent order). That keeps runs
 * deterministic (same seed and replies, same log) without a barrier across all agents.
 */
export class EventClock {
  private readonly next = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly windowsPerStep: number;

  constructor(
    private readonly context: RunContext,
    private readonly executor: StepExecutor,
  ) {
    const { minInterval, heartbeat } = context.scenario.clock;
    this.windowsPerStep = Math.round(1 / minInterval);
    for (const agent of context.order) {
      const first = createRandom(context.scenario.seed, ['first-activation', agent.spec.id]).next();
      this.next.set(agent.spec.id, first * (heartbeat > 0 ? heartbeat : 1));
    }
  }

  /** When an agent will act next (Infinity: only when something reaches it). */
  nextActivation(agentId: string): number {
    return this.next.get(agentId) ?? Number.POSITIVE_INFINITY;
  }

  /** Something reached the agent at `time`: it reacts after a seeded delay in [min_interval, 2·min_interval). */
  wake(agentId: string, time: number): void {
    const { minInterval } = this.context.scenario.clock;
    const delay =
      minInterval * (1 + createRandom(this.context.scenario.seed, ['reaction', agentId, time]).next());
    const earliest = (this.last.get(agentId) ?? Number.NEGATIVE_INFINITY) + minInterval;
    const at = Math.max(time + delay, earliest);
    if (at < this.nextActivation(agentId)) this.next.set(agentId, at);
  }

  private acted(agentId: string, time: number): void {
    const { heartbeat } = this.context.scenario.clock;
    this.last.set(agentId, time);
    this.next.set(agentId, heartbeat > 0 ? time + heartbeat : Number.POSITIVE_INFINITY);
  }

  private wakeRecipients(delivered: readonly MessageRecord[], time: number): void {
    const rooms = new Set<string>();
    let broadcast = false;
    for (const message of delivered) {
      if (message.to !== undefined) this.wake(message.to, time);
      else if (message.room !== undefined) rooms.add(message.room);
      else broadcast = true;
    }
    for (const room of rooms)
      for (const member of this.context.messages.rooms.get(room)?.members ?? []) this.wake(member, time);
    if (broadcast) for (const agent of this.context.activeList) this.wake(agent.spec.id, time);
  }

  /** Runs one step of simulated time; returns the termination that ended the run, if any. */
  async runStep(step: number): Promise<{ outcome: string; reason: string } | undefined> {
    const { context, executor } = this;
    const start = step - 1;
    const fired = executor.beginStep(step);
    for (const event of fired) {
      for (const agent of event.affects
        ? event.affects
        : context.activeList.map((runtime) => runtime.spec.id)) {
        this.wake(agent, start);
      }
    }
    const counts = executor.newCounts();
    const acted: { agents: AgentRuntime[]; outcomes: Array<TaskOutcome<Decision> | undefined> } = {
      agents: [],
      outcomes: [],
    };
    const width = 1 / this.windowsPerStep;
    for (let window = 0; window < this.windowsPerStep; window++) {
      const from = start + window * width;
      const to = from + width;
      this.wakeRecipients(context.messages.deliver(), from);
      const due = context.activeList
        .filter((agent) => agent.status === 'active' && this.nextActivation(agent.spec.id) < to)
        .map((agent) => ({ agent, time: Math.max(from, this.nextActivation(agent.spec.id)) }))
        .sort((a, b) => a.time - b.time || a.agent.index - b.agent.index);
      if (due.length === 0) continue;
      const times = new Map(due.map((entry) => [entry.agent.spec.id, Number(entry.time.toFixed(6))]));
      // Others' actions that change an agent's variables reach it too.
      const touched: string[] = [];
      const unsubscribe = context.stream.subscribe((event: RunEvent) => {
        if (event.type !== 'agent-acted') return;
        for (const change of event.changes)
          if (change.agentId && change.agentId !== event.agentId) touched.push(change.agentId);
      });
      const agents = due.map((entry) => entry.agent);
      const outcomes = await executor.act(step, agents, window === 0 ? fired : [], counts, {
        window: from,
        of: times,
      });
      unsubscribe();
      for (const entry of due) this.acted(entry.agent.spec.id, entry.time);
      for (const agentId of touched) this.wake(agentId, to);
      acted.agents.push(...agents);
      acted.outcomes.push(...outcomes);
      if (context.controller.signal.aborted) break;
    }
    return executor.endStep(step, counts, acted, fired);
  }
}
