import { finalEventTypes, type RunEvent, type RunEventOf } from '../api/run-event-types';

/**
 * What the graph view keeps of a run's events, read page by page from the history API and then
 * polled while the run goes on: the interactions (messages and actions, for the edges), the
 * completed steps (for the slider and the belief aggregates) and where it stands. Mutated in
 * place; `version` goes up when something was added, which is what the view re-renders on.
 */
export class GraphHistory {
  /** The sequence number of the last event taken in (0 before the first). */
  lastSequence = 0;
  /** `message-sent` and `agent-acted` events, in sequence order. */
  readonly interactions: RunEvent[] = [];
  /** `step-completed` events, in step order. */
  readonly steps: Array<RunEventOf<'step-completed'>> = [];
  /** A final event (completed, stopped, failed) was seen: nothing more will come. */
  ended = false;
  version = 0;

  /** The last completed step (0 before the first). */
  get lastStep(): number {
    return this.steps.at(-1)?.step ?? 0;
  }

  /**
   * Takes in events in sequence order; those at or below {@link lastSequence} are skipped, so a
   * page read twice adds nothing. Returns whether anything new was taken in.
   */
  apply(events: readonly RunEvent[]): boolean {
    let added = false;
    for (const event of events) {
      if (event.sequence <= this.lastSequence) continue;
      this.lastSequence = event.sequence;
      added = true;
      if (event.type === 'message-sent' || event.type === 'agent-acted') this.interactions.push(event);
      else if (event.type === 'step-completed') this.steps.push(event);
      else if (finalEventTypes.has(event.type)) this.ended = true;
    }
    if (added) this.version++;
    return added;
  }
}

/**
 * The step the graph shows: the one picked on the slider, or the last completed one when none
 * is picked (following the run as it goes on); never past the last completed step.
 */
export function shownStep(picked: number | undefined, lastStep: number): number {
  return picked === undefined ? lastStep : Math.max(0, Math.min(picked, lastStep));
}

/** What moving the slider to `value` picks: the last step means "follow the run" again. */
export function pickStep(value: number, lastStep: number): number | undefined {
  return value >= lastStep ? undefined : value;
}
