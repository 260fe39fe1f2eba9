import type { RoomSpec } from '../scenario/scenario';
import type { MessageRecord } from './run-events';

/** Direct messages kept per agent until it reads them. */
const directQueueLimit = 20;
/** Room and broadcast messages kept per channel; older ones are dropped. */
const channelLogLimit = 500;

interface Delivered {
  sequence: number;
  message: MessageRecord;
}

/**
 * Direct, room and broadcast messages. Messages sent are queued and delivered together by
 * {@link deliver} (at the start of a step in synchronous rounds, at each window in the
 * event-driven clock), so every agent acting at the same moment sees the same messages.
 * Room and broadcast messages are shared, bounded logs with a per-agent read cursor — a broadcast
 * to 10,000 agents costs one entry, and an agent that skips turns still finds what it missed.
 */
export class MessageBus {
  private pending: MessageRecord[] = [];
  private readonly direct = new Map<string, MessageRecord[]>();
  private readonly channels = new Map<string, Delivered[]>();
  private readonly cursors = new Map<string, number>();
  private readonly membership = new Map<string, string[]>();
  private sequence = 0;
  readonly rooms: ReadonlyMap<string, RoomSpec>;

  constructor(rooms: RoomSpec[]) {
    this.rooms = new Map(rooms.map((room) => [room.name, room]));
    for (const room of rooms) {
      for (const member of room.members) {
        const list = this.membership.get(member) ?? [];
        list.push(room.name);
        this.membership.set(member, list);
      }
    }
  }

  /** Names of the rooms an agent belongs to. */
  roomsOf(agentId: string): readonly string[] {
    return this.membership.get(agentId) ?? [];
  }

  /** Queues a message for the next delivery. */
  send(message: MessageRecord): void {
    this.pending.push(message);
  }

  /**
   * Delivers everything queued. Returns what was delivered, so a clock can wake the recipients.
   */
  deliver(): MessageRecord[] {
    const delivered = this.pending;
    this.pending = [];
    for (const message of delivered) {
      if (message.to !== undefined) {
        const queue = this.direct.get(message.to) ?? [];
        queue.push(message);
        if (queue.length > directQueueLimit) queue.splice(0, queue.length - directQueueLimit);
        this.direct.set(message.to, queue);
        continue;
      }
      const channel = message.room !== undefined ? `room:${message.room}` : 'broadcast';
      const log = this.channels.get(channel) ?? [];
      this.sequence += 1;
      log.push({ sequence: this.sequence, message });
      if (log.length > channelLogLimit) log.splice(0, log.length - channelLogLimit);
      this.channels.set(channel, log);
    }
    return delivered;
  }

  /** The agent's unread direct messages, without marking them read. */
  peek(agentId: string): MessageRecord[] {
    return [...(this.direct.get(agentId) ?? []), ...this.pending.filter((message) => message.to === agentId)];
  }

  /**
   * What an agent reads now: its unread direct messages, then the room and broadcast messages
   * delivered since it last read (never its own), newest kept when over `limit`. Reading marks
   * them read.
   */
  read(agentId: string, limit = 20): MessageRecord[] {
    const inbox = this.unread(agentId, limit);
    this.direct.delete(agentId);
    this.cursors.set(agentId, this.sequence);
    return inbox;
  }

  /** What {@link read} would return now, without marking anything read. */
  unread(agentId: string, limit = 20): MessageRecord[] {
    const direct = this.direct.get(agentId) ?? [];
    const cursor = this.cursors.get(agentId) ?? 0;
    const shared: Delivered[] = [];
    const room = limit - direct.length;
    for (const name of this.roomsOf(agentId))
      takeNewest(this.channels.get(`room:${name}`), agentId, cursor, shared, room);
    takeNewest(this.channels.get('broadcast'), agentId, cursor, shared, room);
    shared.sort((a, b) => a.sequence - b.sequence);
    const inbox = [...direct, ...shared.slice(-room).map((entry) => entry.message)];
    return inbox.length > limit ? inbox.slice(inbox.length - limit) : inbox;
  }
}

/** Collects up to `room` entries newer than `cursor`, newest first, from one channel's log. */
function takeNewest(
  log: readonly Delivered[] | undefined,
  reader: string,
  cursor: number,
  into: Delivered[],
  room: number,
): void {
  if (!log) return;
  let taken = 0;
  for (let index = log.length - 1; index >= 0 && taken < room; index--) {
    const entry = log[index] as Delivered;
    if (entry.sequence <= cursor) break;
    if (entry.message.from === reader) continue;
    into.push(entry);
    taken += 1;
  }
}
