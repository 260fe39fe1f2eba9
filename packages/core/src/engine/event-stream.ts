import type { RunEvent } from './run-events';

/** Receives every event synchronously, in order. */
export type RunEventListener = (event: RunEvent) => void;

/**
 * A run's event stream: synchronous listeners (cheap, used by writers) and async iterators (each
 * with its own queue, so a slow consumer never blocks the run or another consumer). Iterators end
 * when the stream closes.
 */
export class EventStream {
  private readonly listeners = new Set<RunEventListener>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;
  private sequence = 0;

  /** The sequence number of the last event published. */
  get lastSequence(): number {
    return this.sequence;
  }

  /** Delivers the event to every listener, in subscription order. */
  publish(event: RunEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Next sequence number; the run uses it to build events. */
  nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends every iterator after it has drained its queue. */
  close(): void {
    this.closed = true;
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
    this.listeners.clear();
  }

  /** Iterates over events published from now on until the run ends. */
  async *iterate(): AsyncGenerator<RunEvent, void, undefined> {
    if (this.closed) return;
    let queue: RunEvent[] = [];
    let head = 0;
    let wake: (() => void) | undefined;
    let done = false;
    const unsubscribe = this.subscribe((event) => {
      queue.push(event);
      wake?.();
    });
    const onClose = () => {
      done = true;
      wake?.();
    };
    this.closeListeners.add(onClose);
    try {
      while (true) {
        while (head < queue.length) {
          const event = queue[head] as RunEvent;
          head += 1;
          yield event;
        }
        queue = [];
        head = 0;
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      this.closeListeners.delete(onClose);
    }
  }
}
