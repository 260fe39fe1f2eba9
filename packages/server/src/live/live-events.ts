import type { RunEvent } from '@sandtable/core';

/** A run's status as the home page shows it, published whenever it changes. */
export interface RunStatusChange {
  runId: string;
  workspace: string;
  status: string;
  /** The last committed step. */
  step: number;
  /** Why it ended, when it has. */
  outcome?: string;
}

/** Receives a batch of committed events of one run, in sequence order. */
export type RunEventsListener = (events: readonly RunEvent[]) => void;

/**
 * Where committed events go live. Only events whose step the store has committed are published,
 * so a listener that falls behind can always catch up from the store. Implementations: in-process
 * ({@link InProcessLiveEvents}) and Redis pub/sub across processes ({@link RedisLiveEvents}).
 */
export interface LiveEvents {
  /** Publishes committed events of a run (ascending sequence numbers). */
  publish(runId: string, events: readonly RunEvent[]): Promise<void>;
  /** Listens to one run's events; returns the function that stops listening. */
  subscribe(runId: string, listener: RunEventsListener): () => void;
  /** Publishes a run's status change. */
  publishStatus(change: RunStatusChange): Promise<void>;
  /** Listens to every run's status changes. */
  subscribeStatus(listener: (change: RunStatusChange) => void): () => void;
  /** Ready to deliver (a Redis subscription is established). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Delivers to listeners of this process, synchronously and in order. Listeners must be cheap
 * (the SSE streams only append to a bounded buffer), because publish runs on the run's path.
 */
export class LocalListeners {
  private readonly runs = new Map<string, Set<RunEventsListener>>();
  private readonly statuses = new Set<(change: RunStatusChange) => void>();

  deliver(runId: string, events: readonly RunEvent[]): void {
    for (const listener of this.runs.get(runId) ?? []) listener(events);
  }

  deliverStatus(change: RunStatusChange): void {
    for (const listener of this.statuses) listener(change);
  }

  subscribe(runId: string, listener: RunEventsListener): () => void {
    let set = this.runs.get(runId);
    if (!set) {
      set = new Set();
      this.runs.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.runs.delete(runId);
    };
  }

  subscribeStatus(listener: (change: RunStatusChange) => void): () => void {
    this.statuses.add(listener);
    return () => this.statuses.delete(listener);
  }

  /** Listeners of one run (for tests and metrics). */
  listenerCount(runId: string): number {
    return this.runs.get(runId)?.size ?? 0;
  }
}

/** Live events within one process (the default: `sandtable serve` without `REDIS_URL`). */
export class InProcessLiveEvents implements LiveEvents {
  readonly listeners = new LocalListeners();

  async publish(runId: string, events: readonly RunEvent[]): Promise<void> {
    this.listeners.deliver(runId, events);
  }

  subscribe(runId: string, listener: RunEventsListener): () => void {
    return this.listeners.subscribe(runId, listener);
  }

  async publishStatus(change: RunStatusChange): Promise<void> {
    this.listeners.deliverStatus(change);
  }

  subscribeStatus(listener: (change: RunStatusChange) => void): () => void {
    return this.listeners.subscribeStatus(listener);
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {}
}
