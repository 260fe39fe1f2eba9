import type { RunAgent } from '../api/api-types';
import type { StreamStatus } from '../api/run-event-stream';
import type { RunEvent } from '../api/run-event-types';
import {
  applyAgentList,
  applyRunEvents,
  createRunConsoleState,
  type RunConsoleState,
} from './run-console-state';

/** Schedules a callback before the next paint; `requestAnimationFrame` in the browser. */
export type FrameScheduler = (callback: () => void) => void;

const defaultScheduler: FrameScheduler = (callback) =>
  typeof requestAnimationFrame === 'function' ? requestAnimationFrame(callback) : setTimeout(callback, 16);

/**
 * The run console's state container: events from the stream are queued as they arrive and
 * applied together once per animation frame, and subscribers (React, through
 * `useSyncExternalStore`) are told once per frame. With 200 agents a step brings hundreds of
 * events; this keeps rendering to at most one pass per frame however fast they come.
 */
export class RunConsoleStore {
  readonly state: RunConsoleState = createRunConsoleState();
  streamStatus: StreamStatus = 'connecting';
  /** The run's status as the server last reported it (`GET /api/runs/:id`, `GET /api/events`). */
  serverStatus: string | undefined;
  streamDetail: string | undefined;
  private queue: RunEvent[] = [];
  private frameRequested = false;
  private readonly listeners = new Set<() => void>();
  private readonly schedule: FrameScheduler;

  constructor(schedule: FrameScheduler = defaultScheduler) {
    this.schedule = schedule;
  }

  /** Queues events; they are applied at the next frame. */
  enqueue(events: RunEvent[]): void {
    for (const event of events) this.queue.push(event);
    this.requestFrame();
  }

  /** Applies the agent list from the API. */
  setAgents(agents: RunAgent[]): void {
    applyAgentList(this.state, agents);
    this.notify();
  }

  setServerStatus(status: string): void {
    if (status === this.serverStatus) return;
    this.serverStatus = status;
    this.state.version++;
    this.notify();
  }

  setStreamStatus(status: StreamStatus, detail?: string): void {
    this.streamStatus = status;
    this.streamDetail = detail;
    this.state.version++;
    this.notify();
  }

  /** Applies everything queued now (the frame callback, and tests). */
  flush(): void {
    this.frameRequested = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    batch.sort((left, right) => left.sequence - right.sequence);
    applyRunEvents(this.state, batch);
    this.notify();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.state.version;

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.schedule(() => this.flush());
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
