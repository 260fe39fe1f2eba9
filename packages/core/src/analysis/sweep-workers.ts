import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SweepMember, SweepPlan } from './sweep-definition';
import {
  type RuleSweepOptions,
  type RunSweepOptions,
  runSweep,
  type SweepExecutor,
  type SweepMemberResult,
  type SweepOutcome,
} from './sweep-runner';

/** What a sweep worker thread starts with (its `workerData`). */
export interface SweepWorkerData {
  /** URL of the worker module the bootstrap imports. */
  entry: string;
  scenarioText: string;
  executorOptions: RuleSweepOptions;
}

/** One member sent to a worker thread. */
export interface SweepWorkerRequest {
  id: number;
  member: SweepMember;
}

/** A worker thread's answer for one member. */
export type SweepWorkerReply =
  | { id: number; ok: true; result: SweepMemberResult }
  | { id: number; ok: false; error: string };

/** Options of {@link SweepWorkerPool}: those of {@link ruleSweepExecutor} plus the pool's. */
export interface SweepWorkerPoolOptions extends RuleSweepOptions {
  /** Worker threads, each running one member at a time. @defaultValue the machine's available cores */
  workers?: number;
  /** Old-generation heap limit of each worker; a member that exceeds it fails, the sweep goes on. */
  maxHeapMb?: number;
  /**
   * The worker module (default: sweep-worker.ts beside this file). Tests pass one that crashes;
   * it must answer {@link SweepWorkerRequest}s as sweep-worker.ts does.
   */
  entry?: URL;
}

interface Job {
  id: number;
  member: SweepMember;
  signal: AbortSignal;
  resolve: (result: SweepMemberResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  /** Set once the slot is out of the pool (crashed, terminated or closed). */
  gone: boolean;
}

const sourceSuffix = new URL(import.meta.url).pathname.match(/\.[cm]?[jt]s$/)?.[0] ?? '.ts';
const bootstrap = new URL('./sweep-worker-bootstrap.mjs', import.meta.url);
const defaultEntry = new URL(`./sweep-worker${sourceSuffix}`, import.meta.url);

/**
 * The default worker count: the cores this process may use, from three up; 1 (run in process) on
 * one or two cores, where V8's own helper threads already take the second core: a 100-run
 * port-strike sweep took 0.91× as long in process as on 2 workers (`npx tsx
 * bench/sweep-parallel.ts`, decision 0016).
 */
export function defaultSweepWorkers(): number {
  const cores = availableParallelism();
  return cores >= 3 ? cores : 1;
}

/**
 * A pool of worker threads that run sweep members with rule agents, one member per thread at a
 * time, so a CPU-bound sweep uses every core ({@link ruleSweepExecutor} runs them all on the
 * calling thread). Each thread parses the scenario with the member's seed and parameters and runs
 * it exactly as the in-thread executor does, so the results are the same. Threads start on demand
 * (never more than members in flight) and are reused. A member that throws fails with the error's
 * message; a thread that crashes (exits, runs out of memory, throws outside a member) fails the
 * member it was running and is replaced for the next. Aborting a member's signal (cancel, time
 * limit) terminates its thread at once: a run that never yields cannot be interrupted otherwise.
 * Call {@link close} when done.
 */
export class SweepWorkerPool {
  /** Threads at most. */
  readonly size: number;
  private readonly data: SweepWorkerData;
  private readonly options: SweepWorkerPoolOptions;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(scenarioText: string, options: SweepWorkerPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? defaultSweepWorkers()));
    this.options = options;
    const executorOptions: RuleSweepOptions = {
      ...(options.file ? { file: options.file } : {}),
      ...(options.steps ? { steps: options.steps } : {}),
      ...(options.worldDirectory ? { worldDirectory: options.worldDirectory } : {}),
    };
    this.data = { entry: (options.entry ?? defaultEntry).href, scenarioText, executorOptions };
  }

  /** Threads alive now (started and not crashed or terminated). */
  get threads(): number {
    return this.slots.size;
  }

  /** The pool as a {@link SweepExecutor} for {@link runSweep}. */
  readonly executor: SweepExecutor = (member, signal) => this.run(member, signal);

  /** Runs one member on a free thread (queued until one is free). */
  run(member: SweepMember, signal: AbortSignal = new AbortController().signal): Promise<SweepMemberResult> {
    if (this.closed) return Promise.reject(new Error('the sweep worker pool is closed'));
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => this.cancel(job);
      const job: Job = {
        id: this.nextId++,
        member,
        signal,
        resolve: (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Terminates every thread; members still queued or running fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the sweep worker pool closed'));
    const slots = [...this.slots];
    for (const slot of slots) this.retire(slot, new Error('the sweep worker pool closed'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((candidate) => !candidate.job);
      if (!slot && this.slots.size < this.size) slot = this.start();
      if (!slot) return;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, member: job.member } satisfies SweepWorkerRequest);
    }
  }

  private start(): Slot {
    const worker = new Worker(bootstrap, {
      workerData: this.data,
      ...(this.options.maxHeapMb
        ? { resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb } }
        : {}),
    });
    const slot: Slot = { worker, gone: false };
    worker.on('message', (reply: SweepWorkerReply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = undefined;
      // An idle thread does not keep the process alive.
      worker.unref();
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new Error(reply.error));
      this.pump();
    });
    worker.on('error', (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.retire(slot, new Error(`worker thread crashed: ${message}`));
    });
    worker.on('exit', (code) => {
      this.retire(slot, new Error(`worker thread exited with code ${code}`));
    });
    this.slots.add(slot);
    return slot;
  }

  /** Takes a slot out of the pool, failing its member, and lets the queue start a replacement. */
  private retire(slot: Slot, error: Error): void {
    if (slot.gone) return;
    slot.gone = true;
    this.slots.delete(slot);
    const job = slot.job;
    slot.job = undefined;
    job?.reject(error);
    if (!this.closed) this.pump();
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.reject(abortError(job.signal));
      return;
    }
    for (const slot of this.slots) {
      if (slot.job !== job) continue;
      this.retire(slot, abortError(job.signal));
      void slot.worker.terminate();
      return;
    }
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}

/** Options of {@link runSweepInWorkers}. */
export type RunSweepInWorkersOptions = SweepWorkerPoolOptions & Omit<RunSweepOptions, 'parallel'>;

/**
 * {@link runSweep} over a {@link SweepWorkerPool}: every member of `plan` runs with rule agents on
 * one of `workers` threads (default: the machine's cores), as many in flight as there are threads.
 * Outcomes come back in member order and equal those of {@link ruleSweepExecutor} for the same plan.
 * The threads are terminated when the sweep ends, or at once when `signal` aborts.
 */
export async function runSweepInWorkers(
  plan: SweepPlan,
  scenarioText: string,
  options: RunSweepInWorkersOptions = {},
): Promise<SweepOutcome[]> {
  const pool = new SweepWorkerPool(scenarioText, options);
  try {
    return await runSweep(plan, pool.executor, {
      parallel: pool.size,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onMember ? { onMember: options.onMember } : {}),
    });
  } finally {
    await pool.close();
  }
}
