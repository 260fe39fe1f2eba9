import {
  parseGroundedScenario,
  type Scenario,
  type SweepDefinition,
  type SweepMember,
} from '@sandtable/core';
import type { RunInput, RunRecord, Store, SweepRecord } from '@sandtable/store';
import type { LiveEvents } from '../live/live-events';
import type { Logger } from '../operations/logger';
import { type RunManager, shutdownReasons } from './run-manager';
import { memberResultOf, memberRunEnded, sweepPlanOf } from './sweep-results';

/** Options of {@link SweepCoordinator}. */
export interface SweepCoordinatorOptions {
  store: Store;
  runs: RunManager;
  live: LiveEvents;
  logger: Logger;
  /**
   * How often every driven sweep is looked at again besides the status changes of its members
   * (a change published by another process, a missed one). @defaultValue 1000
   */
  pollMs?: number;
}

/** What creating a sweep takes: the scenario version, the validated definition, the plan's size. */
export interface SweepStart {
  workspaceId: string;
  scenarioId: string;
  scenarioVersion: number;
  name: string;
  definition: SweepDefinition;
  totalRuns: number;
}

/** A sweep this process drives: one look at it at a time (`again` asks for another after it). */
interface DrivenSweep {
  running: boolean;
  again: boolean;
  done: Promise<void>;
  /** The member runs' scenario per parameter setting, parsed once. */
  settings: Map<number, Promise<Scenario>>;
}

/**
 * Runs sweeps through the {@link RunManager}: each member (a parameter setting and a seed) is a
 * stored run, created and submitted when fewer than the sweep's `parallel` members are in
 * flight (the manager's own `maxConcurrentRuns` still applies), so members are ordinary runs:
 * listed, inspected, briefed, compared, stopped. As each member's run ends its result (final
 * metric values) is kept with the membership; when every member has one the sweep is completed.
 *
 * Everything lives in the store: after a restart {@link resumeRunning} picks every running sweep
 * up again — members that were executing resume through the manager, members created but never
 * submitted are submitted, members not created yet are created.
 */
export class SweepCoordinator {
  private readonly options: SweepCoordinatorOptions;
  private readonly driven = new Map<string, DrivenSweep>();
  /** Member run → its sweep, for the status changes that concern a driven sweep. */
  private readonly sweepOfRun = new Map<string, string>();
  private readonly stopListening: () => void;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(options: SweepCoordinatorOptions) {
    this.options = options;
    this.stopListening = options.live.subscribeStatus((change) => {
      const sweepId = this.sweepOfRun.get(change.runId);
      if (!sweepId || !['completed', 'failed', 'stopped'].includes(change.status)) return;
      // After the manager has let go of the run (it publishes the end before it frees the slot).
      setImmediate(() => this.poke(sweepId));
    });
    this.timer = setInterval(() => {
      for (const sweepId of this.driven.keys()) this.poke(sweepId);
    }, options.pollMs ?? 1000);
    this.timer.unref();
  }

  /** Stores a new sweep (status `running`) and starts submitting its members. */
  async create(start: SweepStart): Promise<SweepRecord> {
    const sweep = await this.options.store.createSweep({
      workspaceId: start.workspaceId,
      scenarioId: start.scenarioId,
      scenarioVersion: start.scenarioVersion,
      name: start.name,
      definition: start.definition as unknown as Record<string, unknown>,
      totalRuns: start.totalRuns,
      parallel: start.definition.parallel,
    });
    this.drive(sweep.id);
    return sweep;
  }

  /** Drives every sweep the store holds as running (the last process ended before they did). */
  async resumeRunning(): Promise<string[]> {
    const running = await this.options.store.listSweeps({ status: 'running', limit: 10_000 });
    for (const sweep of [...running].reverse()) this.drive(sweep.id);
    if (running.length > 0)
      this.options.logger.info({ sweeps: running.map((sweep) => sweep.id) }, 'resuming sweeps');
    return running.map((sweep) => sweep.id);
  }

  /**
   * Stops a sweep: it is marked stopped at once (no member is submitted after that), its queued
   * members leave the queue, executing ones stop after their step, created but unsubmitted ones are
   * marked stopped. Members that had ended keep their results. Returns the sweep as stored.
   */
  async stop(sweepId: string, reason: string): Promise<SweepRecord> {
    const { store, runs, logger } = this.options;
    const sweep = await store.updateSweep(sweepId, { status: 'stopped', reason, finishedAt: new Date() });
    // A look in progress may be submitting a member: let it finish, then stop what it started too.
    await this.driven.get(sweepId)?.done;
    for (const member of await store.listSweepMembers(sweepId)) {
      if (member.result) continue;
      const live = runs.info(member.run.id).live;
      const run = (await store.getRun(member.run.id)) ?? member.run;
      try {
        if (memberRunEnded(run))
          await store.setSweepMemberResult(sweepId, member.member, await memberResultOf(store, run));
        else if (live) await runs.stop(run.id, reason);
        else {
          const stopped = await store.updateRun(run.id, {
            status: 'stopped',
            outcome: 'stopped',
            reason,
            finishedAt: new Date(),
          });
          await store.setSweepMemberResult(sweepId, member.member, await memberResultOf(store, stopped));
        }
      } catch (error) {
        logger.warn(
          { sweep: sweepId, runId: run.id, error: (error as Error).message },
          'stopping a sweep member failed',
        );
      }
    }
    this.driven.delete(sweepId);
    return sweep;
  }

  /**
   * Stops driving sweeps (before the run manager shuts down): no member is submitted after this.
   * The sweeps stay `running` in the store, so the next start resumes them.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.stopListening();
    await Promise.all([...this.driven.values()].map((entry) => entry.done));
    this.driven.clear();
  }

  private drive(sweepId: string): void {
    if (this.closed) return;
    if (!this.driven.has(sweepId))
      this.driven.set(sweepId, {
        running: false,
        again: false,
        done: Promise.resolve(),
        settings: new Map(),
      });
    this.poke(sweepId);
  }

  /** Looks at a sweep again: now, or right after the look in progress. */
  private poke(sweepId: string): void {
    const entry = this.driven.get(sweepId);
    if (!entry || this.closed) return;
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.running = true;
    entry.done = (async () => {
      do {
        entry.again = false;
        try {
          await this.advance(sweepId, entry);
        } catch (error) {
          // A store or manager hiccup: the next look tries again.
          this.options.logger.error({ sweep: sweepId, error: (error as Error).message }, 'sweep step failed');
        }
      } while (entry.again && !this.closed);
      entry.running = false;
    })();
  }

  /**
   * One look at a sweep: records the results of members that have ended, resubmits members that
   * nothing executes (created but never submitted, or interrupted while this server was not
   * resuming runs), creates and submits new members up to `parallel` in flight, and completes
   * the sweep once every member has a result.
   */
  private async advance(sweepId: string, entry: DrivenSweep): Promise<void> {
    const { store, runs } = this.options;
    const sweep = await store.getSweep(sweepId);
    if (sweep?.status !== 'running') {
      this.driven.delete(sweepId);
      return;
    }
    let plan: ReturnType<typeof sweepPlanOf>;
    try {
      plan = sweepPlanOf(sweep);
    } catch (error) {
      await this.fail(sweep, `the stored sweep definition does not validate: ${(error as Error).message}`);
      return;
    }
    const members = await store.listSweepMembers(sweepId);
    const created = new Set<number>();
    let inFlight = 0;
    let finished = 0;
    for (const member of members) {
      created.add(member.member);
      this.sweepOfRun.set(member.run.id, sweepId);
      if (member.result) {
        finished += 1;
        this.sweepOfRun.delete(member.run.id);
        continue;
      }
      // Whether the manager holds it, asked before the stored status is read: a run that ends in
      // between is then seen ended, never resubmitted.
      const live = runs.info(member.run.id).live;
      const run = (await store.getRun(member.run.id)) ?? member.run;
      if (memberRunEnded(run)) {
        await store.setSweepMemberResult(sweepId, member.member, await memberResultOf(store, run));
        this.sweepOfRun.delete(run.id);
        finished += 1;
      } else {
        if (!live) {
          if (this.closed) return;
          await this.submit(run);
        }
        inFlight += 1;
      }
    }
    for (const member of plan.plan.members) {
      if (inFlight >= sweep.parallel || this.closed) break;
      if (created.has(member.index)) continue;
      let input: RunInput;
      try {
        input = await this.memberRunInput(sweep, plan.definition, member, entry);
      } catch (error) {
        await this.fail(sweep, `member ${member.index} (seed ${member.seed}): ${(error as Error).message}`);
        return;
      }
      const run = await store.addSweepMember(sweepId, member.index, input);
      this.sweepOfRun.set(run.id, sweepId);
      created.add(member.index);
      await this.submit(run);
      inFlight += 1;
    }
    if (finished === plan.plan.members.length) {
      await store.updateSweep(sweepId, { status: 'completed', finishedAt: new Date() });
      this.driven.delete(sweepId);
      this.options.logger.info({ sweep: sweepId, runs: finished }, 'sweep completed');
    }
  }

  private async submit(run: RunRecord): Promise<void> {
    const paused = run.status === 'paused' || run.reason === shutdownReasons.paused;
    await this.options.runs.submit(run, paused ? { pauseAfterReplay: true } : {});
  }

  /** The stored run of one member: the sweep's scenario version with the member's seed and setting. */
  private async memberRunInput(
    sweep: SweepRecord,
    definition: SweepDefinition,
    member: SweepMember,
    entry: DrivenSweep,
  ): Promise<RunInput> {
    let parsing = entry.settings.get(member.setting);
    if (!parsing) {
      parsing = (async () => {
        const version = await this.options.store.getScenarioVersion(sweep.scenarioId, sweep.scenarioVersion);
        if (!version)
          throw new Error(`scenario ${sweep.scenarioId} version ${sweep.scenarioVersion} is missing`);
        return parseGroundedScenario(version.source, {
          ...(version.origin ? { file: version.origin } : {}),
          ...(definition.steps ? { steps: definition.steps } : {}),
          parameters: member.parameters,
        });
      })();
      entry.settings.set(member.setting, parsing);
    }
    const scenario = await parsing;
    return {
      workspaceId: sweep.workspaceId,
      scenarioId: sweep.scenarioId,
      scenarioVersion: sweep.scenarioVersion,
      name: `${scenario.name} · sweep member ${member.index + 1}/${sweep.totalRuns}`,
      seed: member.seed,
      parameters: scenario.parameters,
      options: definition.steps ? { steps: definition.steps } : {},
      totalSteps: scenario.clock.steps,
    };
  }

  private async fail(sweep: SweepRecord, reason: string): Promise<void> {
    await this.options.store.updateSweep(sweep.id, { status: 'failed', reason, finishedAt: new Date() });
    this.driven.delete(sweep.id);
    this.options.logger.error({ sweep: sweep.id, reason }, 'sweep failed');
  }
}
