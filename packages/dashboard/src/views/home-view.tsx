import { useEffect, useState } from 'react';
import { useApiClient } from '../api/api-context';
import type { RunSummary, ScenarioSummary } from '../api/api-types';
import { openRunStatusStream } from '../api/run-status-stream';
import { formatCost, isLiveStatus } from '../components/format';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { navigate } from '../state/hash-route';
import { useApi } from '../state/use-api';

/** Home: the scenarios with their versions, and the recent runs with live status and cost. */
export function HomeView() {
  const client = useApiClient();
  const scenarios = useApi(() => client.listScenarios(), []);
  const runs = useApi(() => client.listRuns(), [], 5000);
  const reloadRuns = runs.reload;
  // Status changes arrive as they happen; the list is re-read at most once a second for them.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stream = openRunStatusStream({
      client,
      onChange: () => {
        timer ??= setTimeout(() => {
          timer = undefined;
          reloadRuns();
        }, 1000);
      },
    });
    return () => {
      stream.close();
      if (timer) clearTimeout(timer);
    };
  }, [client, reloadRuns]);
  const [starting, setStarting] = useState<string>();
  const [startError, setStartError] = useState<Error>();
  const [selected, setSelected] = useState<string[]>([]);

  const start = async (scenario: ScenarioSummary) => {
    setStarting(scenario.id);
    setStartError(undefined);
    try {
      const run = await client.startRun({ scenarioId: scenario.id, version: scenario.latestVersion });
      navigate(`/runs/${run.id}`);
    } catch (error) {
      setStartError(error as Error);
    } finally {
      setStarting(undefined);
    }
  };

  const toggle = (runId: string) =>
    setSelected((current) =>
      current.includes(runId) ? current.filter((id) => id !== runId) : [...current, runId],
    );

  return (
    <div className="home">
      <section className="panel">
        <div className="panel-header">
          <h2>Scenarios</h2>
          <a className="button" href="#/scenarios/new">
            New scenario
          </a>
        </div>
        {startError ? <ErrorMessage error={startError} /> : null}
        {scenarios.loading && !scenarios.data ? <Loading what="scenarios" /> : null}
        {scenarios.error ? <ErrorMessage error={scenarios.error} retry={scenarios.reload} /> : null}
        {scenarios.data && scenarios.data.length === 0 ? (
          <EmptyState title="No scenarios yet">
            Write one in the designer, or load the examples with{' '}
            <code>sandtable scenarios import scenarios/</code>.
          </EmptyState>
        ) : null}
        {scenarios.data && scenarios.data.length > 0 ? (
          <table className="table" data-testid="scenario-list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Versions</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {scenarios.data.map((scenario) => (
                <tr key={scenario.id} data-scenario={scenario.name}>
                  <td>
                    <a href={`#/scenarios/${encodeURIComponent(scenario.id)}`}>{scenario.name}</a>
                  </td>
                  <td>
                    {/* Versions are numbered 1..latest and immutable, so the list needs no extra request. */}
                    {Array.from({ length: scenario.latestVersion }, (_, index) => index + 1).map(
                      (version) => (
                        <a
                          key={version}
                          className="chip"
                          href={`#/scenarios/${encodeURIComponent(scenario.id)}?version=${version}`}
                        >
                          v{version}
                        </a>
                      ),
                    )}
                  </td>
                  <td className="small muted">
                    {scenario.updatedAt ? new Date(scenario.updatedAt).toLocaleString() : ''}
                  </td>
                  <td>
                    <button type="button" disabled={starting === scenario.id} onClick={() => start(scenario)}>
                      {starting === scenario.id ? 'Starting…' : 'Start run'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="panel">
        <div className="panel-header">
          <h2>Recent runs</h2>
          <button
            type="button"
            disabled={selected.length < 2}
            onClick={() => navigate(`/compare?runs=${selected.map(encodeURIComponent).join(',')}`)}
          >
            Compare selected ({selected.length})
          </button>
        </div>
        {runs.loading && !runs.data ? <Loading what="runs" /> : null}
        {runs.error ? <ErrorMessage error={runs.error} retry={runs.reload} /> : null}
        {runs.data && runs.data.length === 0 ? (
          <EmptyState title="No runs yet">Start one from a scenario above.</EmptyState>
        ) : null}
        {runs.data && runs.data.length > 0 ? (
          <RunTable runs={runs.data} selected={selected} toggle={toggle} />
        ) : null}
      </section>
    </div>
  );
}

function RunTable({
  runs,
  selected,
  toggle,
}: {
  runs: RunSummary[];
  selected: string[];
  toggle: (id: string) => void;
}) {
  return (
    <table className="table" data-testid="run-list">
      <thead>
        <tr>
          <th />
          <th>Run</th>
          <th>Scenario</th>
          <th>Status</th>
          <th>Progress</th>
          <th>Cost so far</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const fraction = run.steps > 0 ? Math.min(1, run.step / run.steps) : 0;
          return (
            <tr key={run.id} data-run={run.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select run ${run.id} to compare`}
                  checked={selected.includes(run.id)}
                  onChange={() => toggle(run.id)}
                />
              </td>
              <td>
                <a href={`#/runs/${encodeURIComponent(run.id)}`}>{run.id}</a>
                {run.parentRunId ? (
                  <div className="muted small">
                    fork of {run.parentRunId} at step {run.forkStep ?? '?'}
                  </div>
                ) : null}
              </td>
              <td>
                {run.scenarioName ?? run.name ?? run.scenarioId ?? ''}
                {run.scenarioVersion ? <span className="muted"> v{run.scenarioVersion}</span> : null}
              </td>
              <td>
                <span className={`status status-${run.status}`}>{run.status}</span>
                {isLiveStatus(run.status) ? null : run.outcome ? (
                  <span className="muted small"> {run.outcome}</span>
                ) : null}
              </td>
              <td>
                <div className="progress" title={`${run.step} of ${run.steps}`}>
                  <div className="progress-bar" style={{ width: `${fraction * 100}%` }} />
                </div>
                <span className="small">
                  {run.step}/{run.steps}
                </span>
              </td>
              <td>{formatCost(run.totals?.costUsd ?? 0)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
