import { SandtableError } from '../../errors';
import type { Clock } from '../../model/clock';

interface Timer {
  time: number;
  /** Insertion order: timers due at the same time fire in the order they were set. */
  order: number;
  callback: () => void;
  /** Fires without letting the process settle first (the simulated server's own bookkeeping). */
  internal: boolean;
  cancelled: boolean;
}

/**
 * A discrete-event clock: time stands still while code runs and jumps straight to the next timer
 * when everything is waiting. It implements the router's {@link Clock}, so a `ModelRouter` (its
 * timeouts, backoff, retry-after pauses, hedge delays) and the simulated servers run on it with no
 * sleeping: a run that would take an hour of model time takes as long as its CPU work.
 *
 * {@link run} drives it: before each jump it lets the process settle (every pending microtask and
 * `setImmediate` callback runs), so code that does real asynchronous bookkeeping between model
 * calls — the engine yields with `setImmediate` between steps — sees no time pass. Real timers
 * (`setTimeout`) and real I/O are not part of virtual time: code under test must take its time
 * from this clock.
 *
 * @example
 * const clock = new VirtualClock();
 * const router = new ModelRouter({ clock, endpoints, tiers });
 * const result = await clock.run(() => run.start());
 * console.log(`${clock.now() / 1000} simulated seconds`);
 */
export class VirtualClock implements Clock {
  readonly #heap: Timer[] = [];
  #now: number;
  #order = 0;
  #fired = 0;

  /** @param start - the initial time in epoch milliseconds. @defaultValue 0 */
  constructor(start = 0) {
    this.#now = start;
  }

  /** The current virtual time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Timers fired so far (a measure of simulation work). */
  get firedTimers(): number {
    return this.#fired;
  }

  /** Timers waiting (cancelled ones may still be counted until their time comes). */
  get pendingTimers(): number {
    return this.#heap.length;
  }

  setTimeout(callback: () => void, milliseconds: number): unknown {
    return this.#push(callback, milliseconds, false);
  }

  /**
   * Like {@link setTimeout}, for a simulated server's own bookkeeping: the callback must not
   * resolve anything client code waits on, so the driver fires it without letting the process
   * settle first (much faster for servers with thousands of scheduler iterations).
   */
  setInternalTimeout(callback: () => void, milliseconds: number): unknown {
    return this.#push(callback, milliseconds, true);
  }

  clearTimeout(handle: unknown): void {
    if (handle && typeof handle === 'object' && 'cancelled' in handle) (handle as Timer).cancelled = true;
  }

  /**
   * Runs `work` to completion in virtual time: whenever the process has settled and `work` has not
   * finished, the clock jumps to the earliest timer and fires it.
   * @throws {@link SandtableError} `VIRTUAL_TIME_STALLED` when `work` has not finished, the process
   * has settled and no timer is left (it waits on something outside virtual time); rethrows what
   * `work` throws.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let finished = false;
    const result = work().finally(() => {
      finished = true;
    });
    // A rejection is reported by the `await result` below, not as an unhandled one.
    result.catch(() => undefined);
    while (!finished) {
      await settle();
      if (finished) break;
      // Bookkeeping timers due before the next client-visible one fire back to back.
      let timer = this.#pop();
      while (timer?.internal) {
        this.#fire(timer);
        timer = this.#pop();
      }
      if (!timer) {
        throw new SandtableError(
          'VIRTUAL_TIME_STALLED',
          'the simulated work is waiting, but no virtual timer is left: it waits on real time or real I/O',
          { category: 'system' },
        );
      }
      this.#fire(timer);
    }
    return result;
  }

  #fire(timer: Timer): void {
    this.#now = Math.max(this.#now, timer.time);
    this.#fired += 1;
    timer.callback();
  }

  #push(callback: () => void, milliseconds: number, internal: boolean): Timer {
    const delay = Number.isFinite(milliseconds) ? Math.max(0, milliseconds) : 0;
    const timer: Timer = {
      time: this.#now + delay,
      order: this.#order++,
      callback,
      internal,
      cancelled: false,
    };
    const heap = this.#heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(timer, heap[parent] as Timer)) break;
      heap[index] = heap[parent] as Timer;
      index = parent;
    }
    heap[index] = timer;
    return timer;
  }

  /** The earliest live timer, without removing it. */
  #peek(): Timer | undefined {
    while (this.#heap.length > 0 && (this.#heap[0] as Timer).cancelled) this.#removeTop();
    return this.#heap[0];
  }

  #pop(): Timer | undefined {
    const top = this.#peek();
    if (top) this.#removeTop();
    return top;
  }

  #removeTop(): void {
    const heap = this.#heap;
    const last = heap.pop() as Timer;
    if (heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right] as Timer, heap[left] as Timer) ? right : left;
      if (!earlier(heap[child] as Timer, last)) break;
      heap[index] = heap[child] as Timer;
      index = child;
    }
    heap[index] = last;
  }
}

function earlier(first: Timer, second: Timer): boolean {
  return first.time < second.time || (first.time === second.time && first.order < second.order);
}

/**
 * Waits until the process has settled: every microtask has run and no other `setImmediate`
 * callback is queued (code under test may yield with `setImmediate` between pieces of work).
 */
async function settle(): Promise<void> {
  do {
    await new Promise<void>((resolve) => setImmediate(resolve));
  } while (process.getActiveResourcesInfo().includes('Immediate'));
}
