import { SandtableError } from '../errors';

/** How one task ended. Failures are data, never exceptions. */
export type TaskOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'error' | 'timeout' | 'cancelled'; error: unknown };

/** Limits for {@link runPool}. */
export interface PoolOptions {
  /** Most tasks in flight at once. */
  limit: number;
  /** Per-task time limit; on expiry the task's signal aborts and its outcome is `timeout`. */
  timeoutMs: number;
  /** Aborting it cancels tasks not yet started and settles in-flight ones as `cancelled` at once. */
  signal: AbortSignal;
}

/** Raised into a task's signal when its time limit passes. */
export class TaskTimeoutError extends SandtableError {
  constructor(timeoutMs: number) {
    super('AGENT_TIMEOUT', `no decision within ${timeoutMs} ms`, { category: 'system' });
    this.name = 'TaskTimeoutError';
  }
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T>)?.then === 'function';
}

/**
 * Runs `work` over `items` with at most `limit` in flight — work-conserving: the moment one task
 * settles the next starts, there are no waves. Outcomes come back in item order whatever the
 * completion order, so what follows is deterministic. A task that returns synchronously costs no
 * timer and no promise. A task that throws, rejects or outlives its timeout yields a failure
 * outcome; the others go on. A task that ignores its abort signal cannot hold the pool: its outcome
 * is settled at the deadline and its late result discarded. `restartTimeout` (the fourth argument
 * of `work`) starts a task's timeout again from now: model brains call it when their request gets
 * an endpoint slot, so queueing behind a busy endpoint does not count against the decision.
 */
export function runPool<Item, Result>(
  items: readonly Item[],
  work: (
    item: Item,
    signal: AbortSignal,
    index: number,
    restartTimeout: () => void,
  ) => Result | Promise<Result>,
  options: PoolOptions,
): Promise<Array<TaskOutcome<Result>>> {
  const outcomes = new Array<TaskOutcome<Result>>(items.length);
  const limit = Math.max(1, options.limit);
  let next = 0;
  let inFlight = 0;
  let settledCount = 0;
  const running = new Map<
    number,
    { controller: AbortController; timer: NodeJS.Timeout; settle: (outcome: TaskOutcome<Result>) => void }
  >();

  return new Promise((resolve) => {
    const finishIfDone = () => {
      if (settledCount === items.length) {
        options.signal.removeEventListener('abort', onAbort);
        resolve(outcomes);
      }
    };
    const record = (index: number, outcome: TaskOutcome<Result>) => {
      if (outcomes[index] !== undefined) return false;
      outcomes[index] = outcome;
      settledCount += 1;
      return true;
    };
    const onAbort = () => {
      for (const task of running.values())
        task.settle({ ok: false, reason: 'cancelled', error: options.signal.reason });
      while (next < items.length) {
        record(next, { ok: false, reason: 'cancelled', error: options.signal.reason });
        next += 1;
      }
      running.clear();
      finishIfDone();
    };
    const pump = () => {
      while (!options.signal.aborted && inFlight < limit && next < items.length) {
        const index = next;
        next += 1;
        const controller = new AbortController();
        const restartTimeout = () => {
          const task = running.get(index);
          if (!task) return;
          clearTimeout(task.timer);
          task.timer = setTimeout(onTimeout, options.timeoutMs);
        };
        let result: Result | Promise<Result>;
        try {
          result = work(
            items[index] as Item,
            AbortSignal.any([controller.signal, options.signal]),
            index,
            restartTimeout,
          );
        } catch (error) {
          record(index, { ok: false, reason: 'error', error });
          continue;
        }
        if (!isPromiseLike(result)) {
          record(index, { ok: true, value: result });
          continue;
        }
        inFlight += 1;
        const settle = (outcome: TaskOutcome<Result>) => {
          const task = running.get(index);
          if (task) {
            clearTimeout(task.timer);
            running.delete(index);
          }
          if (!record(index, outcome)) return;
          inFlight -= 1;
          if (!outcome.ok) controller.abort(outcome.error);
          pump();
          finishIfDone();
        };
        const onTimeout = () => {
          settle({ ok: false, reason: 'timeout', error: new TaskTimeoutError(options.timeoutMs) });
        };
        const timer = setTimeout(onTimeout, options.timeoutMs);
        running.set(index, { controller, timer, settle });
        result.then(
          (value) => settle({ ok: true, value }),
          (error: unknown) =>
            settle({ ok: false, reason: options.signal.aborted ? 'cancelled' : 'error', error }),
        );
      }
    };
    if (options.signal.aborted) {
      onAbort();
      return;
    }
    options.signal.addEventListener('abort', onAbort, { once: true });
    pump();
    finishIfDone();
  });
}
