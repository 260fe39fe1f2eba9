import { useState } from 'react';
import { useApiClient } from '../api/api-context';
import { isSweepRunning } from '../api/sweep-api';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { SweepDetailPanel, SweepProgress } from '../components/sweep-detail-panel';
import { SweepStartForm } from '../components/sweep-start-form';
import { navigate, useHashRoute } from '../state/hash-route';
import { useApi } from '../state/use-api';
import '../components/sweep-panels.css';

/**
 * Sweeps: start one (a stored scenario over seeds and a parameter grid), the workspace's sweeps
 * with their progress (read again every two seconds while one runs), and the chosen sweep
 * (`#/sweeps?sweep=<id>`) with its members, results, Stop button and reports.
 */
export function SweepsView() {
  const client = useApiClient();
  const selected = useHashRoute().query.get('sweep') ?? undefined;
  // Read again every two seconds while a sweep runs; each answer decides whether to go on.
  const [anyRunning, setAnyRunning] = useState(false);
  const sweeps = useApi(
    async () => {
      const answer = await client.listSweeps();
      setAnyRunning(answer?.some(isSweepRunning) ?? false);
      return answer;
    },
    [client],
    anyRunning ? 2000 : undefined,
  );
  const list = sweeps.data;
  const choose = (sweepId: string) => navigate(`/sweeps?sweep=${encodeURIComponent(sweepId)}`);
  return (
    <div className="sweeps">
      <section className="panel">
        <div className="panel-header">
          <h2>Start a sweep</h2>
        </div>
        <SweepStartForm
          onStarted={(sweep) => {
            sweeps.reload();
            choose(sweep.id);
          }}
        />
      </section>
      <section className="panel">
        <div className="panel-header">
          <h2>Sweeps</h2>
        </div>
        {sweeps.loading && !sweeps.data ? <Loading what="sweeps" /> : null}
        {sweeps.error ? <ErrorMessage error={sweeps.error} retry={sweeps.reload} /> : null}
        {!sweeps.loading && !sweeps.error && (!list || list.length === 0) ? (
          <EmptyState title={sweeps.data ? 'No sweeps yet' : 'This server does not offer sweeps'}>
            A sweep runs a scenario over parameter values × seeds, each member a run of its own, and
            aggregates the metrics. Start one above, or with <code>sandtable sweep</code>.
          </EmptyState>
        ) : null}
        {list && list.length > 0 ? (
          <table className="table" data-testid="sweep-list">
            <thead>
              <tr>
                <th>Sweep</th>
                <th>Scenario</th>
                <th>Status</th>
                <th>Progress</th>
              </tr>
            </thead>
            <tbody>
              {list.map((sweep) => (
                <tr
                  key={sweep.id}
                  data-sweep={sweep.id}
                  className={sweep.id === selected ? 'selected' : undefined}
                >
                  <td>
                    <a href={`#/sweeps?sweep=${encodeURIComponent(sweep.id)}`}>{sweep.name ?? sweep.id}</a>
                  </td>
                  <td>{sweep.scenarioName ?? ''}</td>
                  <td>
                    <span className={`status status-${sweep.status}`}>{sweep.status}</span>
                  </td>
                  <td>
                    <SweepProgress sweep={sweep} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {selected ? (
        <section className="panel">
          <SweepDetailPanel key={selected} sweepId={selected} onChanged={sweeps.reload} />
        </section>
      ) : null}
    </div>
  );
}
