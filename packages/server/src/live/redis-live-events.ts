import type { RunEvent } from '@sandtable/core';
import { Redis } from 'ioredis';
import { type LiveEvents, LocalListeners, type RunEventsListener, type RunStatusChange } from './live-events';

/** Options of {@link RedisLiveEvents}. */
export interface RedisLiveEventsOptions {
  /** `redis://…` */
  url: string;
  /** Prefix of every channel, so several deployments (or tests) can share one Redis. @defaultValue 'sandtable:' */
  prefix?: string;
}

/**
 * Live events across processes over Redis pub/sub: a run executing in one process (a worker)
 * streams to SSE clients connected to another. Every process, the publisher included, receives
 * through Redis, so all listeners see one order. One pattern subscription covers every run, made
 * before {@link ready} resolves, so a stream that subscribes and then replays from the store
 * misses nothing.
 */
export class RedisLiveEvents implements LiveEvents {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly listeners = new LocalListeners();
  private readonly subscribed: Promise<void>;

  constructor(options: RedisLiveEventsOptions) {
    this.prefix = options.prefix ?? 'sandtable:';
    this.publisher = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(options.url, { lazyConnect: false });
    this.subscriber.on('pmessage', (_pattern: string, channel: string, message: string) =>
      this.receive(channel, message),
    );
    this.subscriber.on('message', (channel: string, message: string) => this.receive(channel, message));
    this.subscribed = Promise.all([
      this.subscriber.psubscribe(`${this.prefix}run:*`),
      this.subscriber.subscribe(`${this.prefix}status`),
    ]).then(() => undefined);
  }

  private receive(channel: string, message: string): void {
    if (channel === `${this.prefix}status`) {
      this.listeners.deliverStatus(JSON.parse(message) as RunStatusChange);
      return;
    }
    const runId = channel.slice(`${this.prefix}run:`.length);
    this.listeners.deliver(runId, JSON.parse(message) as RunEvent[]);
  }

  async publish(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.publisher.publish(`${this.prefix}run:${runId}`, JSON.stringify(events));
  }

  subscribe(runId: string, listener: RunEventsListener): () => void {
    return this.listeners.subscribe(runId, listener);
  }

  async publishStatus(change: RunStatusChange): Promise<void> {
    await this.publisher.publish(`${this.prefix}status`, JSON.stringify(change));
  }

  subscribeStatus(listener: (change: RunStatusChange) => void): () => void {
    return this.listeners.subscribeStatus(listener);
  }

  ready(): Promise<void> {
    return this.subscribed;
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
