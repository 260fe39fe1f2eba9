import { type Run, type RunEvent, type RunResult, SandtableError } from '@sandtable/core';
import type { ControlInput, RunRecord, Store, StoredControlInput } from './store-types';

/** Events the store has committed, in sequence order: one step's (with the boundary before it), or the closing ones. */
export interface CommittedBatch {
  runId: string;
  /**
   * `step`: a step with the boundary events before it not yet committed; `boundary`: events
   * between steps committed ahead (the run paused, or was steered while paused); `closing`:
   * `run-completed`, `run-stopped` or `run-failed`.
   */
  kind: 'step' | 'boundary' | 'closing';
  /** The step committed (`kind: 'step'`), else `undefined`. */
  step: number | undefined;
  events: RunEvent[];
}

/** Receives committed batches, in order. */
export type CommittedListener = (batch: CommittedBatch) => void;

/** What a resume gives the recorder: the stored steps to verify and the inputs to re-apply. */
export interface ReplayPlan {
  /** Committed steps (1..`steps`) to re-execute silently. */
  steps: number;
  /** Every stored control input, in order. */
  inputs: StoredControlInput[];
  /** Reads a committed step's stored events. */
  storedEvents: (step: number) => Promise<RunEvent[]>;
  /** Called once the committed steps were re-executed and matched, before the first live step. */
  onLive?: () => void;
  /** Stop after the replayed steps (restore for inspection) instead of going on live. */
  pauseAfter?: boolean;
}

/** Options of {@link RunPersistence}. */
export interface RunPersistenceOptions {
  /** A world snapshot after step 1, every K steps and the last. @defaultValue the run's `options.snapshotEvery`, else 10 */
  snapshotEvery?: number;
  /** Set by resume and restore. */
  replay?: ReplayPlan;
  /** Write nothing at all (restore for inspection). */
  readOnly?: boolean;
}

function withoutWallTime(event: RunEvent): string {
  const { wallTime: _wallTime, ...rest } = event;
  return JSON.stringify(rest);
}

/**
 * Records a core {@link Run} into the store step by step: it buffers every event (and the control
 * inputs applied at each boundary), and when the step completes commits it in one transaction
 * ({@link Store.appendStep}) before the run may go on — only then are the events handed to
 * {@link subscribe} listeners (the server's SSE). A step whose commit fails fails the run
 * (`run-failed`); nothing of it is stored. On resume it first re-executes the committed steps,
 * checking each re-executed event against the stored one (wallTime aside), re-applying the stored
 * inputs at their boundaries, writing and publishing nothing, then goes on live.
 *
 * @example
 * const persistence = new RunPersistence(store, record, run);
 * persistence.subscribe((batch) => sse.publish(batch.events));
 * const result = await persistence.start();
 */
export class RunPersistence {
  readonly runId: string;
  private readonly listeners = new Set<CommittedListener>();
  private buffer: RunEvent[] = [];
  /** Control inputs are stored as they take effect, in order, ahead of the step they precede. */
  private inputWrites: Promise<void> = Promise.resolve();
  private committedSequence: number;
  private committedStep: number;
  private readonly snapshotEvery: number;
  private readonly replay: ReplayPlan | undefined;
  private suppressInputs = false;
  private commitFailure: SandtableError | undefined;
  private droppedStep = false;
  private checkpointRequested = false;
  private markFinished: (() => void) | undefined;
  private readonly finished = new Promise<void>((resolve) => {
    this.markFinished = resolve;
  });
  private divergence: SandtableError | undefined;
  private positioned: (() => void) | undefined;
  /** Resolves once a restore has re-executed its steps and the run is paused after them. */
  readonly ready: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly record: RunRecord,
    readonly run: Run,
    private readonly options: RunPersistenceOptions = {},
  ) {
    this.runId = record.id;
    this.replay = options.replay;
    this.committedSequence = this.replay ? 0 : record.lastSequence;
    this.committedStep = this.replay ? 0 : record.lastStep;
    const every = options.snapshotEvery ?? Number(record.options.snapshotEvery ?? 10);
    this.snapshotEvery = Number.isInteger(every) && every > 0 ? every : 10;
    this.ready = new Promise((resolve) => {
      this.positioned = resolve;
    });
    run.subscribe((event) => this.buffer.push(event));
    run.attach({
      beforeStep: (step) => this.beforeStep(step),
      afterStep: (step) => this.afterStep(step),
      onInput: (input, afterStep) => this.storeInput(input, afterStep),
    });
  }

  /** The last step committed (or, while re-executing, verified). */
  get lastCommittedStep(): number {
    return this.committedStep;
  }

  /** The sequence number of the last committed (or verified) event. */
  get lastCommittedSequence(): number {
    return this.committedSequence;
  }

  /** Listens to committed batches; returns the function that stops listening. */
  subscribe(listener: CommittedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(batch: CommittedBatch): void {
    for (const listener of this.listeners) listener(batch);
  }

  /**
   * Writes an applied input at once (not with the next step): a crash after an operator's
   * request took effect but before the step it precedes was committed must not lose it — resume
   * re-applies it at the same boundary. Re-applied inputs are stored already.
   */
  private storeInput(input: ControlInput, afterStep: number): void {
    if (this.suppressInputs || this.options.readOnly) return;
    if (this.replay && afterStep < this.replay.steps) return;
    const copy = structuredClone(input);
    this.inputWrites = this.inputWrites.then(() =>
      this.store.addControlInputs(this.runId, afterStep, [copy]),
    );
    // Between steps while paused nothing else would commit these events for a while: commit them
    // now (taken from the buffer synchronously, so the next step's events cannot slip in).
    if (input.kind === 'paused' || input.kind === 'resumed' || this.run.status === 'paused') {
      const boundary = this.buffer.splice(0);
      if (boundary.length > 0) {
        this.inputWrites = this.inputWrites.then(async () => {
          await this.store.appendBoundary(this.runId, boundary);
          if (input.kind === 'paused' || input.kind === 'resumed')
            await this.store.updateRun(this.runId, {
              status: input.kind === 'paused' ? 'paused' : 'running',
            });
          this.committedSequence = boundary.at(-1)?.sequence ?? this.committedSequence;
          this.publish({ runId: this.runId, kind: 'boundary', step: undefined, events: boundary });
        });
      }
    }
    // Reported by the next commit, which waits for it.
    this.inputWrites.catch(() => undefined);
  }

  /**
   * Ends the run for now, leaving it resumable: the step in progress finishes and is committed,
   * then `start()` resolves (`checkpointed: true`) without closing the run in the store — its
   * status stays `running` (or `paused`), so the next {@link resumeRun} continues it. For a
   * graceful shutdown. Resolves once `start()` has returned.
   */
  checkpoint(): Promise<void> {
    this.checkpointRequested = true;
    // Between steps (paused, or not started) nothing is in flight: stop now.
    if (this.run.status === 'paused' || this.run.status === 'created') this.run.stop('checkpoint');
    return this.finished;
  }

  private beforeStep(step: number): void {
    if (this.checkpointRequested) {
      // At a boundary nothing is in flight, so stopping here cuts no step short.
      this.run.stop('checkpoint');
      return;
    }
    if (!this.replay) return;
    // Inputs stored for the boundary before this step: re-applied exactly as they were, and
    // not recorded again (they are stored already).
    const due = this.replay.inputs.filter((stored) => stored.afterStep === step - 1);
    if (due.length === 0) return;
    this.suppressInputs = true;
    try {
      for (const stored of due) this.run.applyInput(stored.input);
    } finally {
      this.suppressInputs = false;
    }
  }

  private async afterStep(step: number): Promise<void> {
    if (this.replay && step <= this.replay.steps) {
      await this.verify(step);
      if (step === this.replay.steps) {
        this.replay.onLive?.();
        if (this.replay.pauseAfter) {
          this.run.pause();
          this.positioned?.();
        }
      }
      return;
    }
    if (this.options.readOnly) {
      this.buffer = [];
      return;
    }
    if (this.run.stopRequested) {
      // A stop cancels decisions in flight, so this step is not what an uninterrupted run would
      // have done: it is not stored, and a resume runs it again in full.
      this.buffer = [];
      this.droppedStep = true;
      return;
    }
    const events = this.buffer;
    this.buffer = [];
    const snapshotDue = step === 1 || step % this.snapshotEvery === 0 || step === this.record.totalSteps;
    try {
      await this.inputWrites;
      await this.store.appendStep(this.runId, step, {
        events,
        ...(snapshotDue ? { snapshot: this.run.world.snapshot() } : {}),
      });
    } catch (error) {
      this.commitFailure =
        error instanceof SandtableError
          ? error
          : new SandtableError('STORE_WRITE_FAILED', (error as Error).message, {
              category: 'system',
              cause: error,
            });
      throw this.commitFailure;
    }
    this.committedStep = step;
    this.committedSequence = events.at(-1)?.sequence ?? this.committedSequence;
    this.publish({ runId: this.runId, kind: 'step', step, events });
  }

  private async verify(step: number): Promise<void> {
    const replayed = this.buffer;
    this.buffer = [];
    const stored = await this.replay!.storedEvents(step);
    const length = Math.max(replayed.length, stored.length);
    for (let index = 0; index < length; index++) {
      const again = replayed[index];
      const before = stored[index];
      if (again && before && withoutWallTime(again) === withoutWallTime(before)) continue;
      const describe = (event: RunEvent | undefined) =>
        event ? `${event.sequence} ${event.type} ${withoutWallTime(event).slice(0, 300)}` : '(none)';
      this.divergence = new SandtableError(
        'RESUME_DIVERGED',
        `run ${this.runId}: re-executing step ${step} gave a different event than the stored one — ` +
          `stored ${describe(before)}; re-executed ${describe(again)}. The scenario, seed, model setup or engine ` +
          'version differs from the run that was stored; nothing was written.',
        { category: 'system' },
      );
      throw this.divergence;
    }
    this.committedStep = step;
    this.committedSequence = stored.at(-1)?.sequence ?? this.committedSequence;
  }

  /**
   * Starts the run and records it to its end: marks it `running`, stores its agents, commits each
   * step, then commits the closing events and the final status. Resolves with the run's result;
   * a failed commit or a diverging resume gives a `failed` result (and `error` says why).
   */
  async start(): Promise<RunResult & { error?: SandtableError; checkpointed?: boolean }> {
    try {
      return await this.execute();
    } finally {
      this.markFinished?.();
    }
  }

  private async execute(): Promise<RunResult & { error?: SandtableError; checkpointed?: boolean }> {
    if (!this.options.readOnly) {
      await this.store.updateRun(this.runId, {
        status: 'running',
        ...(this.record.startedAt ? {} : { startedAt: new Date() }),
      });
      if (!this.replay || this.record.lastStep === 0) {
        await this.store.putAgents(
          this.runId,
          this.run.agentList.map((agent, position) => ({
            agentId: agent.spec.id,
            position,
            name: agent.spec.name,
            role: agent.spec.role,
            brain: agent.spec.brain,
          })),
        );
      }
    }
    if (this.replay?.pauseAfter && this.replay.steps === 0) {
      this.run.pause();
      this.positioned?.();
    }
    const result = await this.run.start();
    this.positioned?.();
    const failure = this.divergence ?? this.commitFailure;
    if (this.options.readOnly) return { ...result, ...(failure ? { error: failure } : {}) };
    // After a failed commit or a step cut short by a stop, that step's events are not stored and
    // the closing event is renumbered to follow the last committed one; otherwise the buffer
    // holds exactly the closing events.
    const closing =
      failure || this.droppedStep
        ? this.buffer
            .filter((event) => ['run-failed', 'run-stopped', 'run-completed'].includes(event.type))
            .map((event, index) => ({ ...event, sequence: this.committedSequence + index + 1 }) as RunEvent)
        : this.buffer;
    this.buffer = [];
    if (this.divergence) {
      // A resume that does not match the stored run must not change it.
      return { ...result, error: this.divergence };
    }
    if (this.checkpointRequested && !failure) return { ...result, checkpointed: true };
    await this.store.finishRun(this.runId, {
      events: closing,
      status: result.status,
      outcome: result.outcome,
      reason: result.reason,
      ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
      ...(!failure && result.status === 'failed'
        ? { error: { code: 'ENGINE_FAILED', message: result.reason } }
        : {}),
    });
    this.committedSequence += closing.length;
    this.publish({ runId: this.runId, kind: 'closing', step: undefined, events: closing });
    return { ...result, ...(failure ? { error: failure } : {}) };
  }
}
