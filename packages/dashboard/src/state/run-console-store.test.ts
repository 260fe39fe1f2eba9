import { describe, expect, it } from 'vitest';
import { sampleRunEvents } from '../__fixtures__/sample-events';
import { RunConsoleStore } from './run-console-store';

describe('RunConsoleStore', () => {
  it('applies everything that arrived within a frame in one batch, in sequence order', () => {
    const frames: Array<() => void> = [];
    const store = new RunConsoleStore((callback) => frames.push(callback));
    let notifications = 0;
    store.subscribe(() => notifications++);
    const events = sampleRunEvents();
    // Three network chunks before the next frame, the second out of order.
    store.enqueue(events.slice(0, 5));
    store.enqueue(events.slice(10).reverse());
    store.enqueue(events.slice(5, 10));
    expect(frames).toHaveLength(1);
    expect(store.state.eventCount).toBe(0);
    frames[0]?.();
    expect(notifications).toBe(1);
    expect(store.state.eventCount).toBe(events.length);
    expect(store.state.duplicates).toBe(0);
    expect(store.state.status).toBe('completed');
    // A later chunk asks for a new frame.
    store.enqueue(events.slice(0, 1));
    expect(frames).toHaveLength(2);
  });
});
