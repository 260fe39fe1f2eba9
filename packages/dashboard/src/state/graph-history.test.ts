import { describe, expect, it } from 'vitest';
import { sampleRunEvents } from '../__fixtures__/sample-events';
import { GraphHistory, pickStep, shownStep } from './graph-history';

describe('GraphHistory', () => {
  it('keeps interactions and completed steps, skips what it has seen, and notes the end', () => {
    const events = sampleRunEvents();
    const history = new GraphHistory();
    const half = Math.floor(events.length / 2);
    expect(history.apply(events.slice(0, half))).toBe(true);
    // A page read again (an overlapping poll) adds nothing.
    expect(history.apply(events.slice(0, half))).toBe(false);
    history.apply(events);
    expect(history.lastSequence).toBe(events.at(-1)!.sequence);
    expect(history.interactions).toEqual(
      events.filter((event) => event.type === 'message-sent' || event.type === 'agent-acted'),
    );
    expect(history.steps.map((event) => event.step)).toEqual(
      events.filter((event) => event.type === 'step-completed').map((event) => event.step),
    );
    expect(history.lastStep).toBe(history.steps.at(-1)!.step);
    expect(history.ended).toBe(events.some((event) => event.type === 'run-completed'));
    expect(history.version).toBe(2);
  });
});

describe('the step slider', () => {
  it('follows the last step until an earlier one is picked, and follows again at the end', () => {
    expect(shownStep(undefined, 7)).toBe(7);
    expect(shownStep(3, 7)).toBe(3);
    expect(shownStep(9, 7)).toBe(7);
    expect(pickStep(3, 7)).toBe(3);
    expect(pickStep(7, 7)).toBeUndefined();
    expect(shownStep(pickStep(7, 7), 8)).toBe(8);
  });
});
