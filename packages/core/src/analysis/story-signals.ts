import type { RunEvent } from '../engine/run-events';
import { formatValue } from '../environments/world-actions-environment';
import type { MetricSeries, RunMetrics } from './run-metrics';
import type { RunRecords } from './run-records';

/** What kind of turning point a signal is. */
export type StorySignalKind =
  | 'event-fired'
  | 'largest-move'
  | 'threshold-crossing'
  | 'first-occurrence'
  | 'constraint-hit'
  | 'burst'
  | 'position-flip'
  | 'run-ended';

/** A turning point of a run, found deterministically from its events and metrics. */
export interface StorySignal {
  kind: StorySignalKind;
  step: number;
  /** One sentence a reader understands; its numbers come straight from the run's metrics. */
  text: string;
  metric?: string;
  agentId?: string;
  /** The metric's value after the move or crossing. */
  value?: number;
  /** The size of the move. */
  change?: number;
  /** Sequence numbers of the events that show it (at most {@link maxEvidence}). */
  evidence: number[];
  /** How much the signal matters, in [0, 1], for choosing what a bounded digest keeps. */
  salience: number;
}

/** Options of {@link detectStorySignals}. */
export interface StorySignalOptions {
  /** Metric levels whose crossing is a turning point (the scenario's `brief.thresholds`). */
  thresholds?: Record<string, number | number[]>;
  /** Metrics to look at for moves and crossings. @defaultValue every non-built-in metric */
  metrics?: string[];
}

/** Evidence kept per signal: enough to follow, never the whole log. */
export const maxEvidence = 5;

/** A burst is a step with at least this many events of a kind… */
const burstMinimum = 3;
/** …and more than this many times the run's mean per step. */
const burstFactor = 2.5;
/** A stated stance flips when its sign changes and it is at least this far from 0. */
const flipMinimum = 0.1;

function stepEvidence(events: readonly RunEvent[]): Map<number, number> {
  const completed = new Map<number, number>();
  for (const event of events) if (event.type === 'step-completed') completed.set(event.step, event.sequence);
  return completed;
}

function signed(value: number): string {
  return `${value > 0 ? '+' : ''}${formatValue(value)}`;
}

function range(series: MetricSeries): number {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const value of series.values) {
    if (!Number.isFinite(value)) continue;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return high > low ? high - low : 0;
}

/**
 * Finds a run's turning points, each with its step and the sequence numbers of the events that
 * show it: fired events; each metric's largest single-step move; threshold crossings (declared
 * thresholds, and a belief mean crossing 0); first occurrences (the first failure, the first use
 * of a tool no one used at step 1, the first message of a room); constraint hits per variable;
 * bursts of messages or failures (a step with ≥ 3 and more than 2.5× the run's mean per step);
 * agents whose stated stance on a topic changed sign (posts with a `stance` argument); how the run
 * ended. Sorted by step, then kind. Deterministic: the same records give the same signals.
 */
export function detectStorySignals(
  records: RunRecords,
  metrics: RunMetrics,
  options: StorySignalOptions = {},
): StorySignal[] {
  const signals: StorySignal[] = [];
  const completed = stepEvidence(records.events);
  const evidenceAt = (step: number, extra: number[] = []) =>
    [...extra, ...(completed.has(step) ? [completed.get(step) as number] : [])].slice(0, maxEvidence);
  const watched = new Set(
    options.metrics ?? metrics.series.filter((series) => series.origin !== 'built-in').map((s) => s.name),
  );
  const firedByStep = new Map<number, number[]>();
  const seenTools = new Set<string>();
  const seenRooms = new Set<string>();
  let firstFailure = false;
  const constraintFirst = new Map<
    string,
    { step: number; sequences: number[]; count: number; bound: string }
  >();
  const stances = new Map<string, { sign: number; stance: number; step: number; sequence: number }>();
  const flips: StorySignal[] = [];

  for (const event of records.events) {
    switch (event.type) {
      case 'event-fired': {
        const list = firedByStep.get(event.step) ?? [];
        list.push(event.sequence);
        firedByStep.set(event.step, list);
        signals.push({
          kind: 'event-fired',
          step: event.step,
          text: `${event.eventType}: ${event.description}`,
          evidence: [event.sequence],
          salience: 0.9,
        });
        break;
      }
      case 'agent-acted': {
        if (!seenTools.has(event.tool)) {
          seenTools.add(event.tool);
          if (event.step > 1)
            signals.push({
              kind: 'first-occurrence',
              step: event.step,
              agentId: event.agentId,
              text: `first ${event.tool} (by ${event.agentId})`,
              evidence: [event.sequence],
              salience: 0.45,
            });
        }
        const topic = event.arguments.topic;
        const stance = event.arguments.stance;
        if (typeof topic === 'string' && typeof stance === 'number' && Math.abs(stance) >= flipMinimum) {
          const key = `${event.agentId}\u0000${topic}`;
          const previous = stances.get(key);
          const sign = Math.sign(stance);
          if (previous && previous.sign !== sign)
            flips.push({
              kind: 'position-flip',
              step: event.step,
              agentId: event.agentId,
              text: `${event.agentId} turned ${sign > 0 ? 'for' : 'against'} ${topic} (stated ${previous.sign > 0 ? 'for' : 'against'} at step ${previous.step})`,
              evidence: [previous.sequence, event.sequence],
              salience: 0.5,
            });
          stances.set(key, { sign, stance, step: event.step, sequence: event.sequence });
        }
        break;
      }
      case 'agent-failed':
        if (!firstFailure) {
          firstFailure = true;
          signals.push({
            kind: 'first-occurrence',
            step: event.step,
            agentId: event.agentId,
            text: `first failed agent step (${event.agentId}: ${event.reason})`,
            evidence: [event.sequence],
            salience: 0.7,
          });
        }
        break;
      case 'message-sent':
        if (event.room && !seenRooms.has(event.room)) {
          seenRooms.add(event.room);
          if (event.step > 1)
            signals.push({
              kind: 'first-occurrence',
              step: event.step,
              agentId: event.from,
              text: `first message in room ${event.room} (from ${event.from})`,
              evidence: [event.sequence],
              salience: 0.35,
            });
        }
        break;
      case 'constraint-hit': {
        const key = `${event.agentId ? 'agent ' : ''}${event.variable}`;
        const entry = constraintFirst.get(key);
        if (entry) {
          entry.count += 1;
          if (entry.sequences.length < maxEvidence) entry.sequences.push(event.sequence);
        } else
          constraintFirst.set(key, {
            step: event.step,
            sequences: [event.sequence],
            count: 1,
            bound: event.bound,
          });
        break;
      }
      case 'run-completed':
      case 'run-stopped':
      case 'run-failed':
        signals.push({
          kind: 'run-ended',
          step: event.step,
          text:
            event.type === 'run-completed'
              ? `run ended: ${event.outcome} (${event.reason})`
              : event.type === 'run-stopped'
                ? `run stopped: ${event.reason}`
                : `run failed: ${event.error.message}`,
          evidence: [event.sequence],
          salience: 0.8,
        });
        break;
      default:
        break;
    }
  }
  signals.push(...flips);

  for (const [variable, hit] of constraintFirst) {
    signals.push({
      kind: 'constraint-hit',
      step: hit.step,
      metric: variable,
      text: `${variable} reached its limit (${hit.bound}); ${hit.count} write${hit.count === 1 ? '' : 's'} clamped or rejected`,
      evidence: hit.sequences,
      salience: 0.7,
    });
  }

  for (const series of metrics.series) {
    if (!watched.has(series.name)) continue;
    const spread = range(series);
    let largest: { position: number; change: number } | undefined;
    for (let position = 1; position < series.values.length; position += 1) {
      const change = (series.values[position] as number) - (series.values[position - 1] as number);
      if (
        Number.isFinite(change) &&
        change !== 0 &&
        (!largest || Math.abs(change) > Math.abs(largest.change))
      )
        largest = { position, change };
    }
    if (largest && spread > 0) {
      const step = metrics.steps[largest.position] as number;
      const value = series.values[largest.position] as number;
      signals.push({
        kind: 'largest-move',
        step,
        metric: series.name,
        value,
        change: largest.change,
        text: `largest move in ${series.name}: ${signed(largest.change)} to ${formatValue(value)}`,
        evidence: evidenceAt(step, firedByStep.get(step) ?? []),
        salience: Math.min(1, 0.3 + 0.7 * (Math.abs(largest.change) / spread)),
      });
    }
    const declared = options.thresholds?.[series.name];
    const levels = declared === undefined ? [] : Array.isArray(declared) ? declared : [declared];
    if (series.origin === 'belief' && series.name.endsWith('.mean')) levels.push(0);
    for (const level of levels) {
      for (let position = 1; position < series.values.length; position += 1) {
        const before = series.values[position - 1] as number;
        const after = series.values[position] as number;
        const crossed = (before < level && after >= level) || (before >= level && after < level);
        if (!crossed) continue;
        const step = metrics.steps[position] as number;
        signals.push({
          kind: 'threshold-crossing',
          step,
          metric: series.name,
          value: after,
          text: `${series.name} went ${after >= level ? 'above' : 'below'} ${formatValue(level)} (${formatValue(before)} → ${formatValue(after)})`,
          evidence: evidenceAt(step, firedByStep.get(step) ?? []),
          salience: declared === undefined ? 0.5 : 0.85,
        });
      }
    }
  }

  for (const name of ['messages', 'failures']) {
    const series = metrics.series.find((candidate) => candidate.name === name);
    if (!series || series.values.length === 0) continue;
    const mean = (series.total ?? 0) / series.values.length;
    series.values.forEach((value, position) => {
      if (value < burstMinimum || value <= burstFactor * mean) return;
      const step = metrics.steps[position] as number;
      const type = name === 'messages' ? 'message-sent' : 'agent-failed';
      const sequences = records.events
        .filter((event) => event.type === type && 'step' in event && event.step === step)
        .slice(0, maxEvidence)
        .map((event) => event.sequence);
      signals.push({
        kind: 'burst',
        step,
        metric: name,
        value,
        text: `burst of ${name}: ${formatValue(value)} in one step (${formatValue(series.total ?? 0)} in the whole run)`,
        evidence: sequences,
        salience: name === 'failures' ? 0.75 : 0.55,
      });
    });
  }
  const kindOrder: StorySignalKind[] = [
    'event-fired',
    'constraint-hit',
    'threshold-crossing',
    'largest-move',
    'first-occurrence',
    'burst',
    'position-flip',
    'run-ended',
  ];
  return signals.sort(
    (a, b) =>
      a.step - b.step ||
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) ||
      (a.metric ?? a.agentId ?? '').localeCompare(b.metric ?? b.agentId ?? ''),
  );
}

/** The signals a bounded digest keeps: the `limit` most salient (earlier first on ties), back in step order. */
export function topSignals(signals: readonly StorySignal[], limit: number): StorySignal[] {
  const ranked = signals
    .map((signal, position) => ({ signal, position }))
    .sort((a, b) => b.signal.salience - a.signal.salience || a.position - b.position)
    .slice(0, limit);
  return ranked.sort((a, b) => a.position - b.position).map((entry) => entry.signal);
}
