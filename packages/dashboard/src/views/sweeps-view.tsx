import { useApiClient } from '../api/api-context';
import { formatNumber } from '../components/format';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { useApi } from '../state/use-api';

/** Sweep results (parameters × seeds) with each metric's mean, spread and interval, when offered. */
export function SweepsView() {
  const client = useApiClient();
  const sweeps = useApi(() => client.listSweeps(), []);
  return (
    <section className="panel">
      <div className="panel-header">
        <h2>Sweeps</h2>
      </div>
      {sweeps.loading && !sweeps.data ? <Loading what="sweeps" /> : null}
      {sweeps.error ? <ErrorMessage error={sweeps.error} retry={sweeps.reload} /> : null}
      {!sweeps.loading && !sweeps.error && (!sweeps.data || sweeps.data.length === 0) ? (
        <EmptyState title={sweeps.data ? 'No sweeps yet' : 'This server does not offer sweeps yet'}>
          A sweep runs a scenario over parameter values × seeds, each member a run of its own, and aggregates
          the metrics.
        </EmptyState>
      ) : null}
      {sweeps.data?.map((sweep) => (
        <div key={sweep.id} className="sweep">
          <h3>
            {sweep.scenarioName ?? sweep.id}{' '}
            <span className="muted small">
              {sweep.completed ?? 0}/{sweep.runs ?? 0} runs
              {sweep.failed ? ` · ${sweep.failed} failed` : ''} · {sweep.status ?? ''}
              {sweep.reason ? ` (${sweep.reason})` : ''}
            </span>
          </h3>
          <table className="table compact">
            <thead>
              <tr>
                <th>metric</th>
                <th>mean</th>
                <th>sd</th>
                <th>interval</th>
                <th>distribution</th>
              </tr>
            </thead>
            <tbody>
              {(sweep.metrics ?? []).map((metric) => (
                <tr key={metric.metric}>
                  <td>{metric.metric}</td>
                  <td className="number">{formatNumber(metric.mean)}</td>
                  <td className="number">{formatNumber(metric.standardDeviation)}</td>
                  <td className="number">
                    {metric.low !== undefined && metric.high !== undefined
                      ? `${formatNumber(metric.low)} – ${formatNumber(metric.high)}`
                      : '—'}
                  </td>
                  <td>
                    <Histogram values={metric.values ?? []} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

/** A ten-bin histogram of a metric's values across the sweep's runs. */
function Histogram({ values }: { values: number[] }) {
  if (values.length === 0) return null;
  const minimum = Math.min(...values);
  const maximum = Math.max(...values);
  const bins = Array.from({ length: 10 }, (_, position) => ({
    id: `bin-${position}`,
    x: position * 10,
    count: 0,
  }));
  for (const value of values) {
    const position =
      maximum === minimum ? 0 : Math.min(9, Math.floor(((value - minimum) / (maximum - minimum)) * 10));
    const bin = bins[position];
    if (bin) bin.count++;
  }
  const tallest = Math.max(...bins.map((bin) => bin.count));
  return (
    <svg width={100} height={24} aria-label="distribution">
      {bins.map((bin) => (
        <rect
          key={bin.id}
          x={bin.x}
          y={24 - (24 * bin.count) / tallest}
          width={9}
          height={(24 * bin.count) / tallest}
          fill="#2563eb"
        />
      ))}
    </svg>
  );
}
