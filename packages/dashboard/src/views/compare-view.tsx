import { useApiClient } from '../api/api-context';
import type { RunEventOf } from '../api/run-event-types';
import { formatNumber } from '../components/format';
import { MetricChart, seriesColor } from '../components/metric-chart';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { navigate } from '../state/hash-route';
import { type ComparedRun, compareRuns } from '../state/run-comparison';
import { useApi } from '../state/use-api';

/**
 * Compare two or more runs: their metric series overlaid, the step where they first differ, and
 * the final world variables that differ. Computed in the page from each run's step records and
 * final state (the API has no compare route).
 */
export function CompareView({ runIds }: { runIds: string[] }) {
  const client = useApiClient();
  const allRuns = useApi(() => client.listRuns(), []);
  const compared = useApi(async () => {
    if (runIds.length < 2) return undefined;
    const runs = await Promise.all(
      runIds.map(async (runId): Promise<ComparedRun> => {
        const [run, steps, state] = await Promise.all([
          client.getRun(runId),
          client.allEvents(runId, 'step-completed'),
          client.worldState(runId).catch(() => undefined),
        ]);
        return {
          id: runId,
          label: `${runId}${run.parentRunId ? ` (fork at ${run.forkStep})` : ''}`,
          steps: (steps as Array<RunEventOf<'step-completed'>>).map((event) => ({
            step: event.step,
            metrics: event.metrics,
            actions: event.actions,
            messages: event.messages,
            failures: event.failures,
          })),
          ...(state ? { finalState: state.globals } : {}),
        };
      }),
    );
    const [baseline, ...others] = runs;
    // Each run against the first: with three or more runs, which one went its own way, and when.
    const againstBaseline = new Map(
      others.map((run) => [run.id, baseline ? compareRuns([baseline, run]).divergenceStep : undefined]),
    );
    return { runs, comparison: compareRuns(runs), againstBaseline };
  }, [runIds.join(',')]);

  const toggle = (runId: string) => {
    const next = runIds.includes(runId) ? runIds.filter((id) => id !== runId) : [...runIds, runId];
    navigate(`/compare?runs=${next.map(encodeURIComponent).join(',')}`);
  };

  return (
    <div className="compare">
      <section className="panel">
        <div className="panel-header">
          <h2>Compare runs</h2>
        </div>
        {allRuns.error ? <ErrorMessage error={allRuns.error} retry={allRuns.reload} /> : null}
        <div className="run-picker">
          {(allRuns.data ?? []).slice(0, 40).map((run) => (
            <label key={run.id} className="chip">
              <input type="checkbox" checked={runIds.includes(run.id)} onChange={() => toggle(run.id)} />{' '}
              {run.id}{' '}
              <span className="muted">
                {run.scenarioName ?? run.name} · seed {run.seed} · {run.status}
              </span>
            </label>
          ))}
        </div>
      </section>
      {runIds.length < 2 ? <EmptyState title="Pick two or more runs to compare" /> : null}
      {compared.loading && runIds.length >= 2 ? <Loading what="runs" /> : null}
      {compared.error ? <ErrorMessage error={compared.error} retry={compared.reload} /> : null}
      {compared.data ? (
        <>
          <section className="panel" data-testid="divergence">
            <h3>Divergence</h3>
            {compared.data.comparison.divergenceStep === undefined ? (
              <p>The runs do not differ in any step they share.</p>
            ) : (
              <p>
                The runs first differ at{' '}
                <strong data-testid="divergence-step">step {compared.data.comparison.divergenceStep}</strong>{' '}
                ({compared.data.comparison.divergenceReason}).
              </p>
            )}
            <div className="legend">
              {compared.data.runs.map((run, index) => (
                <span key={run.id} className="chip">
                  <span className="swatch" style={{ background: seriesColor(index) }} />
                  <a href={`#/runs/${run.id}`}>{run.label}</a> · {run.steps.length} steps
                  {index === 0
                    ? ' · baseline'
                    : compared.data?.againstBaseline.get(run.id) === undefined
                      ? ' · same as the baseline'
                      : ` · differs from the baseline at step ${compared.data?.againstBaseline.get(run.id)}`}
                </span>
              ))}
            </div>
          </section>
          <section className="panel compare-charts">
            {[...compared.data.comparison.metrics.entries()].map(([name, series]) => (
              <MetricChart
                key={name}
                title={name}
                steps={compared.data?.comparison.steps ?? []}
                series={series.map((values, index) => ({
                  label: compared.data?.runs[index]?.id ?? String(index),
                  values,
                }))}
                {...(compared.data?.comparison.divergenceStep !== undefined
                  ? { markStep: compared.data.comparison.divergenceStep }
                  : {})}
              />
            ))}
            {compared.data.comparison.metrics.size === 0 ? (
              <EmptyState title="These runs have no metrics" />
            ) : null}
          </section>
          <section className="panel">
            <h3>Final state differences</h3>
            {compared.data.comparison.finalDifferences.length === 0 ? (
              <EmptyState title="The final world variables are the same" />
            ) : (
              <table className="table compact" data-testid="final-differences">
                <thead>
                  <tr>
                    <th>variable</th>
                    {compared.data.runs.map((run) => (
                      <th key={run.id}>{run.id}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {compared.data.comparison.finalDifferences.map((difference) => (
                    <tr key={difference.variable}>
                      <td>{difference.variable}</td>
                      {difference.values.map((value, index) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: one column per compared run.
                        <td key={index} className="number">
                          {formatNumber(value)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
