import type { ChatRouter, Run, RunEvent, RunResult } from '@sandtable/core';
import { openRunLeases, type RunLease, type RunLeases, type RunRecord, type Store } from '@sandtable/store';
import { ApiError } from '../http/api-error';
import type { LiveEvents } from '../live/live-events';
import type { Logger } from '../operations/logger';
import { hasEnded } from './stored-run-records';

/** How a run is executing, as the launcher reports it. */
export interface LaunchedRun {
  /** The engine's run: controls and interviews go to it. */
  run: Run;
  /** Settles when the run has ended and its closing events are committed. */
  done: Promise<RunResult>;
  /** True while a resumed run re-executes its committed steps (its events then are not news). */
  replaying(): boolean;
  /**
   * Ends the run here for now, leaving it resumable elsewhere: the step in progress commits and the
   * stored status stays as it was. @defaultValue stop with the shutdown reason
   */
  checkpoint?(): Promise<void>;
}

/** A stored run rebuilt after one of its committed steps, read-only, for an interview. */
export interface RestoredRun {
  /** The engine's run, paused after `step` (or ended there). */
  run: Run;
  step: number;
  /** Stops the rebuilt run; nothing of it is stored. */
  close(): Promise<void>;
}

/** An interview's answer, and the step the agent was asked after. */
export interface InterviewAnswer {
  answer: string;
  source: 'model' | 'rules';
  /** The last step the agent had lived through. */
  step: number;
  /** True when the run was rebuilt from the store for it (not executing here). */
  restored: boolean;
}

/** How to launch a run. */
export interface LaunchOptions {
  /** Pause before the first step (controls then step it one at a time, or resume it). */
  startPaused?: boolean;
  /** Pause right after the committed steps were re-executed (a run the user had paused). */
  pauseAfterReplay?: boolean;
}

/** The stop reasons a graceful shutdown leaves; runs stopped with them resume on the next start. */
export const shutdownReasons = {
  running: 'server shutting down',
  paused: 'server shutting down (run was paused)',
} as const;

/**
 * Starts stored runs with persistence: builds the engine run (fresh, resumed after a crash, or a
 * fork restored to its step), commits each step in one transaction and only then hands its events
 * to `onCommitted`.
 */
export interface RunLauncher {
  launch(
    record: RunRecord,
    onCommitted: (events: readonly RunEvent[]) => void,
    options?: LaunchOptions,
  ): Promise<LaunchedRun>;
  /** The models runs use (shared gate), for the server's own model work. @defaultValue none */
  modelRouter?(): Promise<ChatRouter | undefined>;
  /** Rebuilds a stored run after a committed step without writing anything (interviews). */
  restore?(record: RunRecord, step: number): Promise<RestoredRun>;
}

/** Options of {@link RunManager}. */
export interface RunManagerOptions {
  store: Store;
  live: LiveEvents;
  launcher: RunLauncher;
  logger: Logger;
  /** Runs executing at once; more wait in a FIFO queue. @defaultValue 4 */
  maxConcurrentRuns?: number;
  /** Called for every committed `step-completed` (metrics). */
  onStep?: () => void;
  /** Stored runs rebuilt at once for interviews; more wait their turn. @defaultValue 2 */
  maxConcurrentRestores?: number;
  /**
   * Execution leases, so that of several servers on one database only one executes a run.
   * @defaultValue single-process leases (always granted: an embedded store has one process)
   */
  leases?: RunLeases;
  /**
   * Looks for interrupted runs no process executes (their lease is free) this often and takes
   * them over; off when not set. For servers sharing PostgreSQL.
   */
  resumeScanMs?: number;
}

interface QueuedRun {
  record: RunRecord;
  options: LaunchOptions;
}

interface ActiveRun {
  record: RunRecord;
  /** Settles once the engine run exists (or launching failed). */
  launching?: Promise<unknown>;
  options: LaunchOptions;
  /** The last committed step, as the committed events tell. */
  step: number;
  launched?: LaunchedRun;
  /** Settles once `execute` is over, its final status written (shutdown waits for it). */
  execution?: Promise<void>;
  /** The execution lease, held while the run executes here. */
  lease?: RunLease;
  /** Set once execution is over: a lost lease then is not taken again. */
  ended?: boolean;
}

/**
 * Executes many runs in one process: at most `maxConcurrentRuns` at once, the rest queued first
 * in, first out. Publishes every committed event and every status change to {@link LiveEvents}.
 * Model endpoints are shared between runs through one fair-share router (see
 * {@link FairShareRouter}), so a busy run cannot starve a small one.
 */
export class RunManager {
  readonly maxConcurrentRuns: number;
  private readonly options: RunManagerOptions;
  private readonly queue: QueuedRun[] = [];
  private readonly active = new Map<string, ActiveRun>();
  private closing = false;
  private restoring = 0;
  private readonly restoreWaiters: Array<() => void> = [];
  private readonly leases: RunLeases;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<unknown> | undefined;

  constructor(options: RunManagerOptions) {
    this.options = options;
    this.maxConcurrentRuns = Math.max(1, Math.floor(options.maxConcurrentRuns ?? 4));
    this.leases = options.leases ?? openRunLeases();
    if (options.resumeScanMs !== undefined && options.resumeScanMs > 0) {
      this.scanTimer = setInterval(() => {
        // One scan at a time; a slow one makes the next wait for the following tick.
        this.scanning ??= this.resumeInterrupted()
          .catch((error: unknown) =>
            options.logger.warn({ error: (error as Error).message }, 'resume scan failed'),
          )
          .finally(() => {
            this.scanning = undefined;
          });
      }, options.resumeScanMs);
      this.scanTimer.unref();
    }
  }

  /** Runs waiting for a slot. */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Runs executing now. */
  get activeCount(): number {
    return this.active.size;
  }

  /**
   * The server's configured models, shared with the runs (one fair-share gate), or undefined when
   * none is configured.
   */
  modelRouter(): Promise<ChatRouter | undefined> {
    return this.options.launcher.modelRouter?.() ?? Promise.resolve(undefined);
  }

  /** Executing or queued in this process, and where in the queue (1-based). */
  info(runId: string): { live: boolean; queuePosition?: number } {
    if (this.active.has(runId)) return { live: true };
    const position = this.queue.findIndex((queued) => queued.record.id === runId);
    return position >= 0 ? { live: true, queuePosition: position + 1 } : { live: false };
  }

  /**
   * Queues a stored run (status `created`, `queued`, or `running`/`paused` after a crash) and
   * starts it when a slot is free. Returns the record as stored now (`queued` when it waits).
   */
  async submit(record: RunRecord, options: LaunchOptions = {}): Promise<RunRecord> {
    if (this.closing) throw new ApiError(503, 'SERVER_SHUTTING_DOWN', 'the server is shutting down');
    if (this.active.has(record.id) || this.queue.some((queued) => queued.record.id === record.id))
      return record;
    let current = record;
    if (this.active.size >= this.maxConcurrentRuns && record.status === 'created') {
      current = await this.options.store.updateRun(record.id, { status: 'queued' });
      await this.publishStatus(current);
    }
    this.queue.push({ record: current, options });
    this.pump();
    return (await this.options.store.getRun(record.id)) ?? current;
  }

  /**
   * Resumes every run that was executing (or queued) when the last process ended: `running`,
   * `paused` and `queued` runs (a crash), and runs a graceful shutdown stopped. Runs the user had
   * paused are paused again once their committed steps are re-executed.
   */
  async resumeInterrupted(): Promise<string[]> {
    const runs = await this.options.store.listRuns({
      status: ['running', 'paused', 'queued', 'stopped'],
      limit: 10_000,
    });
    const interrupted = runs.filter(
      (run) =>
        (run.status !== 'stopped' || Object.values<string>(shutdownReasons).includes(run.reason ?? '')) &&
        this.info(run.id).live === false,
    );
    // Oldest first, so the queue keeps its original order.
    const resumed: string[] = [];
    for (const record of [...interrupted].reverse()) {
      if (this.closing) break;
      // A run whose lease another process holds is executing there: leave it to that process.
      const probe = await this.leases.tryAcquire(record.id);
      if (!probe) continue;
      await probe.release();
      const paused = record.status === 'paused' || record.reason === shutdownReasons.paused;
      await this.submit(record, paused ? { pauseAfterReplay: true } : {});
      resumed.push(record.id);
    }
    if (resumed.length > 0) this.options.logger.info({ runs: resumed }, 'resuming interrupted runs');
    return resumed;
  }

  /**
   * The engine run of a run executing here, for a control request.
   * @throws {ApiError} 409 RUN_NOT_LIVE when it is not executing in this process (ended, queued, or
   * elsewhere)
   */
  async liveRun(runId: string): Promise<Run> {
    const entry = this.active.get(runId);
    // A run that has just left the queue is still being built: wait for it rather than refuse.
    if (entry && !entry.launched) await entry.launching?.catch(() => undefined);
    const launched = entry?.launched;
    if (!launched) {
      const queued = this.queue.some((entry) => entry.record.id === runId);
      throw new ApiError(
        409,
        'RUN_NOT_LIVE',
        queued
          ? `run "${runId}" is queued and has not started; only stop applies to it`
          : `run "${runId}" is not executing in this server (it has ended, or runs elsewhere)`,
      );
    }
    return launched.run;
  }

  /**
   * Asks an agent a question without changing the run. A run executing here is asked as it is
   * now; an ended run (completed, stopped, failed) — or any run when `step` is given — is rebuilt
   * from the store after that committed step (default: its last), read-only, and asked there: no
   * event, state change or model call is added to the stored run.
   * @throws {ApiError} 409 RUN_NOT_LIVE for a run executing elsewhere or queued, without `step`;
   * 400 STEP_NOT_COMMITTED; 404 AGENT_NOT_FOUND; 500 RUN_RESTORE_FAILED
   */
  async interview(
    record: RunRecord,
    agentId: string,
    question: string,
    options: { step?: number; signal?: AbortSignal } = {},
  ): Promise<InterviewAnswer> {
    const signal = options.signal ?? new AbortController().signal;
    const entry = this.active.get(record.id);
    if (options.step === undefined && (entry || !hasEnded(record))) {
      const run = await this.liveRun(record.id);
      const answer = await run.interview(agentId, question, signal);
      return { ...answer, step: this.active.get(record.id)?.step ?? record.lastStep, restored: false };
    }
    const step = options.step ?? record.lastStep;
    if (step > record.lastStep) {
      throw new ApiError(
        400,
        'STEP_NOT_COMMITTED',
        `run "${record.id}" has committed steps 1..${record.lastStep}; cannot interview after step ${step}`,
      );
    }
    const roster = await this.options.store.listAgents(record.id);
    if (roster.length > 0 && !roster.some((agent) => agent.agentId === agentId)) {
      throw new ApiError(
        404,
        'AGENT_NOT_FOUND',
        `no agent "${agentId}" in run "${record.id}"; agents include ${roster
          .slice(0, 8)
          .map((agent) => agent.agentId)
          .join(', ')}`,
      );
    }
    const { launcher } = this.options;
    if (!launcher.restore) {
      throw new ApiError(409, 'RUN_NOT_LIVE', `run "${record.id}" is not executing in this server`);
    }
    const release = await this.restoreSlot();
    try {
      signal.throwIfAborted();
      const restored = await launcher.restore(record, step);
      try {
        const answer = await restored.run.interview(agentId, question, signal);
        return { ...answer, step: restored.step, restored: true };
      } finally {
        await restored.close();
      }
    } finally {
      release();
    }
  }

  /** Waits for one of the `maxConcurrentRestores` slots; returns the function that frees it. */
  private async restoreSlot(): Promise<() => void> {
    const limit = Math.max(1, Math.floor(this.options.maxConcurrentRestores ?? 2));
    while (this.restoring >= limit) await new Promise<void>((resolve) => this.restoreWaiters.push(resolve));
    this.restoring += 1;
    return () => {
      this.restoring -= 1;
      this.restoreWaiters.shift()?.();
    };
  }

  /** Stops a run: a queued one leaves the queue and is marked stopped; an executing one stops after its step. */
  async stop(runId: string, reason: string): Promise<void> {
    const position = this.queue.findIndex((queued) => queued.record.id === runId);
    if (position >= 0) {
      this.queue.splice(position, 1);
      const record = await this.options.store.updateRun(runId, {
        status: 'stopped',
        outcome: 'stopped',
        reason,
        finishedAt: new Date(),
      });
      await this.publishStatus(record);
      return;
    }
    (await this.liveRun(runId)).stop(reason);
  }

  private pump(): void {
    while (!this.closing && this.active.size < this.maxConcurrentRuns && this.queue.length > 0) {
      const { record, options } = this.queue.shift() as QueuedRun;
      const entry: ActiveRun = { record, options, step: record.lastStep };
      this.active.set(record.id, entry);
      entry.execution = this.execute(entry).finally(() => {
        this.active.delete(record.id);
        this.pump();
      });
    }
  }

  /**
   * Takes the run's execution lease and checks that the run is still where it was when queued;
   * undefined (the run is left alone) when another process holds the lease, or executed the run
   * meanwhile.
   */
  private async leaseFor(entry: ActiveRun): Promise<RunLease | undefined> {
    const { store, logger } = this.options;
    const runId = entry.record.id;
    const lease = await this.leases.tryAcquire(runId).catch((error: unknown) => {
      logger.error({ runId, error: (error as Error).message }, 'cannot take the run lease');
      return undefined;
    });
    if (!lease) {
      logger.info({ runId }, 'run executes in another process; leaving it there');
      return undefined;
    }
    const current = await store.getRun(runId).catch(() => undefined);
    // Another process that took the run meanwhile wrote events (its start, steps, its end).
    if (
      !current ||
      current.lastSequence !== entry.record.lastSequence ||
      (hasEnded(current) && !hasEnded(entry.record))
    ) {
      await lease.release();
      logger.info(
        { runId, status: current?.status },
        'run changed while queued (executed elsewhere); leaving it',
      );
      return undefined;
    }
    entry.record = current;
    return lease;
  }

  /**
   * The lease's connection ended while the run executes: take the lease again at once (no other
   * process takes a run before its resume scan finds the lease free) or, when another process has
   * it already, end the run here at the step boundary, leaving it resumable.
   */
  private watchLease(entry: ActiveRun, lease: RunLease): void {
    lease.lost.addEventListener(
      'abort',
      () => {
        void (async () => {
          const { logger } = this.options;
          const runId = entry.record.id;
          if (entry.ended) return;
          const again = await this.leases.tryAcquire(runId).catch(() => undefined);
          if (again) {
            if (entry.ended) {
              await again.release();
              return;
            }
            entry.lease = again;
            this.watchLease(entry, again);
            logger.warn({ runId }, 'run lease connection ended; lease taken again');
            return;
          }
          logger.error(
            { runId },
            'run lease lost to another process; ending the run here at the step boundary',
          );
          const launched = entry.launched;
          if (launched?.checkpoint) await launched.checkpoint();
          else launched?.run.stop(shutdownReasons.running);
        })();
      },
      { once: true },
    );
  }

  private async execute(entry: ActiveRun): Promise<void> {
    const lease = await this.leaseFor(entry);
    if (!lease) return;
    entry.lease = lease;
    this.watchLease(entry, lease);
    try {
      await this.executeLeased(entry);
    } finally {
      entry.ended = true;
      await entry.lease.release();
    }
  }

  private async executeLeased(entry: ActiveRun): Promise<void> {
    const { store, live, launcher, logger } = this.options;
    const runId = entry.record.id;
    try {
      const launching = launcher.launch(
        entry.record,
        (events) => {
          void live
            .publish(runId, events)
            .catch((error: unknown) =>
              logger.error({ runId, error: (error as Error).message }, 'publishing live events failed'),
            );
          // Shutting down: the step just committed is the last one this process runs.
          if (this.closing) entry.launched?.run.stop(shutdownReasons.running);
          let status: string | undefined;
          for (const event of events) {
            if (event.type === 'step-completed') {
              this.options.onStep?.();
              entry.step = event.step;
              status ??= 'running';
            } else if (event.type === 'run-started') status = 'running';
          }
          // Status from the events themselves: no store read on the run's path.
          if (status !== undefined) {
            void live
              .publishStatus({
                runId,
                workspace: entry.record.workspaceId,
                status,
                step: entry.step,
              })
              .catch(() => undefined);
          }
        },
        entry.options,
      );
      entry.launching = launching;
      entry.launched = await launching;
      this.watchPauses(entry);
      if (this.closing) entry.launched.run.stop(shutdownReasons.running);
      const result = await entry.launched.done;
      logger.info(
        { runId, status: result.status, outcome: result.outcome, steps: result.steps },
        'run ended',
      );
    } catch (error) {
      logger.error({ runId, error: (error as Error).message }, 'run execution failed');
      const current = await store.getRun(runId);
      if (current && !['completed', 'stopped', 'failed'].includes(current.status) && !this.closing) {
        await store.updateRun(runId, {
          status: 'failed',
          outcome: 'failed',
          reason: (error as Error).message,
          error: { code: 'ENGINE_FAILED', message: (error as Error).message },
          finishedAt: new Date(),
        });
      }
    }
    await this.refreshStatus(runId);
  }

  /**
   * A paused run waits at a step boundary, and boundary events are committed with the next step:
   * so pause and resume are told to the status stream (and the stored status) from the engine's own
   * events, at once. Writes are chained so the stored status follows the order of the events.
   */
  private watchPauses(entry: ActiveRun): void {
    const launched = entry.launched as LaunchedRun;
    const { store, live, logger } = this.options;
    let chain = Promise.resolve();
    const unsubscribe = launched.run.subscribe((event) => {
      if (event.type !== 'run-paused' && event.type !== 'run-resumed') return;
      if (launched.replaying()) return;
      // The shutdown's own pause is not the user's: the stored status stays `running`.
      if (this.closing) return;
      const status = event.type === 'run-paused' ? 'paused' : 'running';
      chain = chain
        .then(async () => {
          const current = await store.getRun(entry.record.id);
          if (!current || ['completed', 'stopped', 'failed'].includes(current.status)) return;
          await store.updateRun(entry.record.id, { status });
          await live.publishStatus({
            runId: entry.record.id,
            workspace: entry.record.workspaceId,
            status,
            step: entry.step,
          });
        })
        .catch((error: unknown) =>
          logger.warn({ runId: entry.record.id, error: (error as Error).message }, 'status update failed'),
        );
    });
    void launched.done.finally(unsubscribe).catch(() => undefined);
  }

  private async refreshStatus(runId: string): Promise<void> {
    const record = await this.options.store.getRun(runId);
    if (record) await this.publishStatus(record);
  }

  private async publishStatus(record: RunRecord): Promise<void> {
    await this.options.live.publishStatus({
      runId: record.id,
      workspace: record.workspaceId,
      status: record.status,
      step: record.lastStep,
      ...(record.outcome ? { outcome: record.outcome } : {}),
    });
  }

  /**
   * Graceful shutdown: no new runs start; each executing run finishes the step in progress, which
   * commits, and stops there (`stopped`, reason `server shutting down`); a paused run stops at
   * once. The next start resumes both from their last committed step (a paused one paused again).
   * A step still unfinished after `deadlineMs` (default 30 s) is cancelled: it is not committed and
   * is redone on resume, its recorded model calls reused. Queued runs stay queued in the store.
   * Then the run leases are closed.
   */
  async shutdown(options: { deadlineMs?: number } = {}): Promise<void> {
    this.closing = true;
    this.queue.length = 0;
    clearInterval(this.scanTimer);
    await this.scanning;
    const deadlineMs = options.deadlineMs ?? 30_000;
    await Promise.all(
      [...this.active.values()].map(async (entry) => {
        // A run still being built is stopped by `execute` as soon as it exists: wait for that.
        if (!entry.launched) await entry.launching?.catch(() => undefined);
        const launched = entry.launched;
        if (!launched) return entry.execution?.catch(() => undefined);
        // A run that pauses before its next commit (or is paused) stops there, marked as paused.
        const stopListening = launched.run.subscribe((event) => {
          if (event.type === 'run-paused') launched.run.stop(shutdownReasons.paused);
        });
        if (launched.run.status === 'paused') launched.run.stop(shutdownReasons.paused);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), deadlineMs);
        });
        const outcome = await Promise.race([launched.done.catch(() => undefined), late]);
        clearTimeout(timer);
        stopListening();
        if (outcome === 'late') {
          this.options.logger.warn(
            { runId: entry.record.id },
            'step did not finish before the shutdown deadline',
          );
          launched.run.stop(shutdownReasons.running);
          await launched.done.catch(() => undefined);
        }
        // Its last status write too, so the store can be closed right after.
        await entry.execution?.catch(() => undefined);
      }),
    );
    // Every run's lease is released by now (with its last status write).
    await this.leases.close();
  }
}
