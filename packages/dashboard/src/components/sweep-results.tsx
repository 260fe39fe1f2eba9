import type { SweepMetricSummary } from '../api/api-types';
import type { SweepEffect, SweepInterval, SweepTrend } from '../api/sweep-api';
import { formatNumber } from './format';

function interval(confidence: SweepInterval | undefined): string {
  if (!confidence || confidence.low === null || confidence.high === null) return '—';
  return `${formatNumber(confidence.low)} – ${formatNumber(confidence.high)}`;
}

/** Each metric over the sweep's completed members: mean, spread, 95% interval and a histogram. */
export function SweepMetricsTable({ metrics }: { metrics: SweepMetricSummary[] }) {
  if (metrics.length === 0) return null;
  return (
    <table className="table compact" data-testid="sweep-metrics">
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
        {metrics.map((metric) => (
          <tr key={metric.metric} data-metric={metric.metric}>
            <td>{metric.metric}</td>
            <td className="number">{formatNumber(metric.mean)}</td>
            <td className="number">{formatNumber(metric.standardDeviation)}</td>
            <td className="number">{interval({ low: metric.low ?? null, high: metric.high ?? null })}</td>
            <td>
              <Histogram values={metric.values ?? []} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Each grid parameter's effect on each metric: the difference of means between a value and the
 * parameter's first value, with its Welch 95% interval; and each random parameter's trend.
 */
export function SweepEffectsTable({ effects, trends }: { effects: SweepEffect[]; trends: SweepTrend[] }) {
  if (effects.length === 0 && trends.length === 0) return null;
  return (
    <table className="table compact" data-testid="sweep-effects">
      <thead>
        <tr>
          <th>parameter</th>
          <th>metric</th>
          <th>change</th>
          <th>effect</th>
          <th>interval</th>
          <th>runs</th>
        </tr>
      </thead>
      <tbody>
        {effects.map((effect) => (
          <tr
            key={`${effect.parameter}|${String(effect.value)}|${effect.metric}`}
            data-effect={`${effect.parameter}:${effect.metric}`}
          >
            <td>{effect.parameter}</td>
            <td>{effect.metric}</td>
            <td>
              {formatNumber(effect.baseline)} → {formatNumber(effect.value)}
            </td>
            <td className="number">{formatNumber(effect.difference)}</td>
            <td className="number">{interval(effect.confidence)}</td>
            <td className="number">{effect.runs.join(' / ')}</td>
          </tr>
        ))}
        {trends.map((trend) => (
          <tr
            key={`${trend.parameter}|trend|${trend.metric}`}
            data-effect={`${trend.parameter}:${trend.metric}`}
          >
            <td>{trend.parameter}</td>
            <td>{trend.metric}</td>
            <td>slope per unit</td>
            <td className="number">{formatNumber(trend.slope)}</td>
            <td className="number">{interval(trend.confidence)}</td>
            <td className="number">{trend.runs}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
