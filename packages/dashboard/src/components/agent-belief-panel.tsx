import { useEffect, useRef, useState } from 'react';
import { useApiClient } from '../api/api-context';
import type { BeliefSeries } from '../api/api-types';
import { beliefLinesPerStep, beliefPositionsAfter } from '../state/agent-belief-series';
import { beliefColor } from '../state/belief-scale';
import type { AgentNeighbour } from '../state/interaction-graph';
import { useApi } from '../state/use-api';
import { MetricChart } from './metric-chart';
import { EmptyState, ErrorMessage, Loading } from './status-states';

/** The least time between two reads of the series while a live run's steps arrive. */
const refreshMilliseconds = 2000;
/** Neighbours listed before the rest are summed up in one line. */
const neighboursShown = 50;

/**
 * `value`, but changing at most once per `milliseconds`: a change within that time of the last
 * one shows when the time is up (the latest value then), so a fast run does not re-read per step.
 */
function useThrottledValue<Value>(value: Value, milliseconds: number): Value {
  const [shown, setShown] = useState(value);
  const lastChange = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = Math.max(0, lastChange.current + milliseconds - Date.now());
    const timer = setTimeout(() => {
      lastChange.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, milliseconds]);
  return shown;
}

/** The series as read, with the step it was read up to. */
interface SeriesRead {
  series: BeliefSeries;
  toStep: number;
}

/**
 * One agent over the run, beside the interaction graph: its belief positions per topic as a line
 * chart (from `GET /api/runs/:id/beliefs/series`, re-read as a live run's steps arrive, at most
 * every two seconds), its positions at the step shown, who it talked with up to that step, and a
 * link to its conversation in the run console.
 */
export function AgentBeliefPanel({
  runId,
  agentId,
  role,
  step,
  lastStep,
  runHasBeliefs,
  neighbours,
  onSelect,
}: {
  runId: string;
  agentId: string;
  role: string | undefined;
  /** The step the graph shows (the chart marks it). */
  step: number;
  /** The run's last completed step as the graph knows it; the series is read up to it. */
  lastStep: number;
  /** Whether the run reports beliefs at all (its beliefs answer has topics). */
  runHasBeliefs: boolean;
  /** The agent's links in the graph up to `step`. */
  neighbours: AgentNeighbour[];
  /** Selects another agent, or none (closes the panel). */
  onSelect: (agentId: string | undefined) => void;
}) {
  const client = useApiClient();
  const toStep = useThrottledValue(lastStep, refreshMilliseconds);
  const read = useApi<SeriesRead | undefined>(
    async (signal) =>
      toStep >= 1
        ? { series: await client.beliefSeries(runId, agentId, { toStep, signal }), toStep }
        : undefined,
    [runId, agentId, toStep],
  );
  // The answer for the agent picked before stays until this agent's arrives: not shown.
  const current = read.data?.series.agentId === agentId ? read.data : undefined;

  return (
    <section className="panel" data-testid="agent-belief-panel" data-agent={agentId}>
      <div className="panel-header">
        <h3>
          {agentId} {role ? <span className="muted">{role}</span> : null}
        </h3>
        <a
          className="small"
          href={`#/runs/${encodeURIComponent(runId)}?agent=${encodeURIComponent(agentId)}`}
        >
          Conversation in the run console
        </a>
        <button type="button" onClick={() => onSelect(undefined)}>
          Close
        </button>
      </div>
      {read.error ? (
        <ErrorMessage error={read.error} retry={read.reload} />
      ) : lastStep < 1 ? (
        <EmptyState title="No completed step yet">
          The positions show once the run's first step is in.
        </EmptyState>
      ) : !current ? (
        <Loading what={`${agentId}'s belief positions`} />
      ) : (
        <BeliefPositionsOverTime read={current} step={step} runHasBeliefs={runHasBeliefs} />
      )}
      <NeighbourTable neighbours={neighbours} step={step} onSelect={onSelect} />
    </section>
  );
}

function BeliefPositionsOverTime({
  read,
  step,
  runHasBeliefs,
}: {
  read: SeriesRead;
  step: number;
  runHasBeliefs: boolean;
}) {
  const { series, toStep } = read;
  const [changesOpen, setChangesOpen] = useState(false);
  if (series.topics.length === 0) {
    return runHasBeliefs ? (
      <EmptyState title={`${series.agentId} holds no belief position up to step ${toStep}`} />
    ) : (
      <EmptyState title="No beliefs in this run">
        Scenarios with a beliefs block record each agent's positions per step.
      </EmptyState>
    );
  }
  const { steps, lines } = beliefLinesPerStep(series, toStep);
  const shown = Math.min(step, toStep);
  const positions = beliefPositionsAfter(series, shown);
  return (
    <>
      <div className="legend small" data-testid="agent-positions">
        After step {shown}:
        {series.topics.map((topic) => {
          const position = positions[topic];
          return (
            <span key={topic} className="chip" data-topic={topic} data-position={position ?? ''}>
              {position === undefined ? null : (
                <span className="swatch" style={{ background: beliefColor(position) }} />
              )}
              {topic} {position === undefined ? '—' : position.toFixed(4)}
            </span>
          );
        })}
      </div>
      <div data-testid="agent-belief-chart" data-steps={steps.length} data-to-step={toStep}>
        <MetricChart
          title={`${series.agentId}'s belief positions per step (−1..+1)`}
          steps={steps}
          series={lines.map((line) => ({ label: line.topic, values: line.values }))}
          height={200}
          markStep={shown}
        />
      </div>
      <details
        className="small"
        data-testid="agent-belief-changes"
        onToggle={(event) => setChangesOpen((event.target as HTMLDetailsElement).open)}
      >
        <summary>
          {series.points.length} steps where a position changed (up to step {toStep})
        </summary>
        {changesOpen ? (
          <table className="table compact" style={{ width: 'auto' }}>
            <thead>
              <tr>
                <th className="number">step</th>
                {series.topics.map((topic) => (
                  <th key={topic} className="number">
                    {topic}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.points.map((point) => (
                <tr key={point.step} data-step={point.step} data-positions={JSON.stringify(point.positions)}>
                  <td className="number">{point.step}</td>
                  {series.topics.map((topic) => (
                    <td key={topic} className="number">
                      {point.positions[topic] === undefined ? '—' : point.positions[topic].toFixed(4)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </details>
    </>
  );
}

function NeighbourTable({
  neighbours,
  step,
  onSelect,
}: {
  neighbours: AgentNeighbour[];
  step: number;
  onSelect: (agentId: string) => void;
}) {
  return (
    <div data-testid="agent-neighbours" data-count={neighbours.length}>
      <h4>Talked with, up to step {step}</h4>
      {neighbours.length === 0 ? (
        <div className="muted small">No messages or actions to or from another agent yet.</div>
      ) : (
        <table className="table compact small" style={{ width: 'auto' }}>
          <thead>
            <tr>
              <th>agent</th>
              <th className="number">to them</th>
              <th className="number">from them</th>
            </tr>
          </thead>
          <tbody>
            {neighbours.slice(0, neighboursShown).map((neighbour) => (
              <tr
                key={neighbour.id}
                data-agent={neighbour.id}
                data-sent={neighbour.sent}
                data-received={neighbour.received}
              >
                <td>
                  <button type="button" className="link" onClick={() => onSelect(neighbour.id)}>
                    {neighbour.id}
                  </button>
                </td>
                <td className="number">{neighbour.sent}</td>
                <td className="number">{neighbour.received}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {neighbours.length > neighboursShown ? (
        <div className="muted small">and {neighbours.length - neighboursShown} more</div>
      ) : null}
    </div>
  );
}
