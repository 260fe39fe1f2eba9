import type { RoomSpec } from '../scenario/scenario';
import type { MessageRecord } from './run-events';

/** Direct messages kept per agent until it reads them. */
const directQueueLimit = 20;

/**
 * Direct, room and broadcast messages. Messages sent during step N are delivered when step N+1
 * begins, so every agent of a step observes the same messages (the synchronous-rounds rule).
 * Room and broadcast messages are shared lists, not copied into each inbox, so a broadcast to
 * 10,000 agents costs one entry.
 */
export class MessageBus {
  private pending: MessageRecord[] = [];
  private readonly direct = new Map<string, MessageRecord[]>();
  private roomMessages = new Map<string, MessageRecord[]>();
  private broadcasts: MessageRecord[] = [];
  private readonly membership = new Map<string, string[]>();
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

  /** Queues a message for delivery at the next step. */
  send(message: MessageRecord): void {
    this.pending.push(message);
  }

  /** Delivers everything queued; called when a step begins. */
  deliver(): void {
    const rooms = new Map<string, MessageRecord[]>();
    const broadcasts: MessageRecord[] = [];
    for (const message of this.pending) {
      if (message.to !== undefined) {
        const queue = this.direct.get(message.to) ?? [];
        queue.push(message);
        if (queue.length > directQueueLimit) queue.splice(0, queue.length - directQueueLimit);
        this.direct.set(message.to, queue);
      } else if (message.room !== undefined) {
        const list = rooms.get(message.room) ?? [];
        list.push(message);
        rooms.set(message.room, list);
      } else {
        broadcasts.push(message);
      }
    }
    this.pending = [];
    this.roomMessages = rooms;
    this.broadcasts = broadcasts;
  }

  /** The agent's unread direct messages, without marking them read. */
  peek(agentId: string): MessageRecord[] {
    return [...(this.direct.get(agentId) ?? []), ...this.pending.filter((message) => message.to === agentId)];
  }

  /**
   * What an agent reads this step: its unread direct messages (consumed by reading), messages of
   * its rooms and broadcasts from the previous step, never its own.
   */
  read(agentId: string, limit = 20): MessageRecord[] {
    const direct = this.direct.get(agentId) ?? [];
    this.direct.delete(agentId);
    // Newest first, stopping at the limit: cost stays O(limit) however busy rooms are.
    const shared: MessageRecord[] = [];
    const room = this.roomsOf(agentId);
    for (const name of room) takeNewest(this.roomMessages.get(name), agentId, shared, limit - direct.length);
    takeNewest(this.broadcasts, agentId, shared, limit - direct.length);
    shared.reverse();
    const inbox = [...direct, ...shared];
    return inbox.length > limit ? inbox.slice(inbox.length - limit) : inbox;
  }
}

function takeNewest(
  list: readonly MessageRecord[] | undefined,
  reader: string,
  into: MessageRecord[],
  room: number,
): void {
  if (!list) return;
  for (let index = list.length - 1; index >= 0 && into.length < room; index--) {
    const message = list[index] as MessageRecord;
    if (message.from !== reader) into.push(message);
  }
}
