import { useMemo, useState } from 'react';
import type { RunConsoleState, TimelineEntry } from '../state/run-console-state';
import { VirtualList } from './virtual-list';

const filters: Record<string, (entry: TimelineEntry) => boolean> = {
  all: () => true,
  'steps & events': (entry) =>
    entry.type === 'step-completed' ||
    entry.type === 'event-fired' ||
    entry.type.startsWith('run-') ||
    entry.type === 'game-master-reasoned',
  actions: (entry) => entry.type === 'agent-acted',
  messages: (entry) => entry.type === 'message-sent',
  problems: (entry) =>
    entry.type === 'agent-failed' || entry.type === 'constraint-hit' || entry.type === 'run-failed',
};

/** The live timeline of everything the run did, newest at the bottom, filterable by kind. */
export function TimelinePanel({ state, version }: { state: RunConsoleState; version: number }) {
  const [filter, setFilter] = useState('all');
  const predicate = filters[filter] ?? filters.all;
  // The timeline array grows in place; filtering is redone when a batch lands (version changes).
  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks the in-place growth.
  const entries = useMemo(
    () =>
      filter === 'all'
        ? state.timeline
        : state.timeline.filter(predicate as (entry: TimelineEntry) => boolean),
    [filter, version, state.timeline],
  );
  return (
    <section className="panel timeline-panel">
      <div className="panel-header">
        <h3>Timeline</h3>
        <select
          aria-label="Timeline filter"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        >
          {Object.keys(filters).map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
        <span className="muted small" data-testid="event-count">
          {state.eventCount} events
        </span>
      </div>
      <VirtualList
        items={entries}
        count={entries.length}
        rowHeight={22}
        height={360}
        followTail
        label="Timeline"
        testId="timeline"
        renderRow={(entry) => (
          <div
            className={`timeline-row type-${entry.type}`}
            data-sequence={entry.sequence}
            title={entry.text}
          >
            <span className="timeline-step">{entry.step}</span>
            <span className="timeline-type">{entry.type}</span>
            <span className="timeline-text">{entry.text}</span>
          </div>
        )}
      />
    </section>
  );
}
