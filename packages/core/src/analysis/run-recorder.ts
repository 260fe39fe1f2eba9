import type { RunEvent } from '../engine/run-events';

/** A metric's path through a run. */
export interface MetricTrajectory {
  name: string;
  first: number;
  last: number;
  min: { value: number; step: number };
  max: { value: number; step: number };
  /** Step with the largest single-step move, and the move. */
  largestMove?: { step: number; change: number };
}

/**
 * Accumulates what a summary needs from a run's events, in bounded memory (counts and per-step
 * metric values, never the full log): event counts, actions by tool, failures by reason, fired
 * events, constraint hits by variable, messages, metric series.
 */
export class RunRecorder {
  readonly eventCounts: Record<string, number> = {};
  readonly actionCounts: Record<string, number> = {};
  readonly failureReasons: Record<string, number> = {};
  readonly firedEvents: Array<{ step: number; type: string; description: string; source: string }> = [];
  readonly constraintHits: Record<string, { count: number; firstStep: number; bound: string }> = {};
  readonly notices: string[] = [];
  readonly series: Array<{
    step: number;
    metrics: Record<string, number>;
    messages: number;
    failures: number;
    actions: number;
  }> = [];
  messages = 0;
  mutedMessages = 0;
  controls: Array<{ step: number; agentId: string; control: string }> = [];
  ending?: Extract<RunEvent, { type: 'run-completed' | 'run-stopped' | 'run-failed' }>;
  started?: Extract<RunEvent, { type: 'run-started' }>;

  /** Feeds one event; pass this method to `run.subscribe`. */
  readonly record = (event: RunEvent): void => {
    this.eventCounts[event.type] = (this.eventCounts[event.type] ?? 0) + 1;
    switch (event.type) {
      case 'run-started':
        this.started = event;
        break;
      case 'agent-acted':
        this.actionCounts[event.tool] = (this.actionCounts[event.tool] ?? 0) + 1;
        break;
      case 'agent-failed':
        this.failureReasons[event.reason] = (this.failureReasons[event.reason] ?? 0) + 1;
        break;
      case 'event-fired':
        this.firedEvents.push({
          step: event.step,
          type: event.eventType,
          description: event.description,
          source: event.source,
        });
        break;
      case 'constraint-hit': {
        const key = `${event.agentId ? 'agent ' : ''}${event.variable}`;
        const entry = this.constraintHits[key];
        if (entry) entry.count += 1;
        else this.constraintHits[key] = { count: 1, firstStep: event.step, bound: event.bound };
        break;
      }
      case 'message-sent':
        if (event.muted) this.mutedMessages += 1;
        else this.messages += 1;
        break;
      case 'agent-controlled':
        this.controls.push({ step: event.step, agentId: event.agentId, control: event.control });
        break;
      case 'run-notice':
        this.notices.push(event.message);
        break;
      case 'step-completed':
        this.series.push({
          step: event.step,
          metrics: event.metrics,
          messages: event.messages,
          failures: event.failures,
          actions: Object.values(event.actions).reduce((total, count) => total + count, 0),
        });
        break;
      case 'run-completed':
      case 'run-stopped':
      case 'run-failed':
        this.ending = event;
        break;
      default:
        break;
    }
  };

  /** Names of the scenario's metrics, in order. */
  metricNames(): string[] {
    return Object.keys(this.series[0]?.metrics ?? {});
  }

  /** Each metric's first, last, extremes and largest move. */
  trajectories(): MetricTrajectory[] {
    return this.metricNames().map((name) => {
      const points = this.series
        .map((entry) => ({ step: entry.step, value: entry.metrics[name] as number }))
        .filter((point) => Number.isFinite(point.value));
      const first = points[0] ?? { step: 0, value: Number.NaN };
      let min = first;
      let max = first;
      let largestMove: MetricTrajectory['largestMove'];
      points.forEach((point, index) => {
        if (point.value < min.value) min = point;
        if (point.value > max.value) max = point;
        const previous = points[index - 1];
        if (previous) {
          const change = point.value - previous.value;
          if (change !== 0 && (!largestMove || Math.abs(change) > Math.abs(largestMove.change))) {
            largestMove = { step: point.step, change };
          }
        }
      });
      return {
        name,
        first: first.value,
        last: points.at(-1)?.value ?? Number.NaN,
        min: { value: min.value, step: min.step },
        max: { value: max.value, step: max.step },
        ...(largestMove ? { largestMove } : {}),
      };
    });
  }
}
