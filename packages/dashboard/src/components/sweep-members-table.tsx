import type { SweepMember } from '../api/sweep-api';
import { formatNumber } from './format';

/**
 * A sweep's member runs in member order: the run (a link to its console), the swept parameters'
 * values, the seed, where the run is, and its final metric values once it has ended.
 */
export function SweepMembersTable({
  members,
  parameters,
  metrics,
}: {
  members: SweepMember[];
  /** The swept parameters (grid and random), shown per member. */
  parameters: string[];
  /** The metrics whose final values are shown. */
  metrics: string[];
}) {
  return (
    <table className="table compact" data-testid="sweep-members">
      <thead>
        <tr>
          <th>#</th>
          <th>run</th>
          {parameters.map((parameter) => (
            <th key={parameter}>{parameter}</th>
          ))}
          <th>seed</th>
          <th>status</th>
          {metrics.map((metric) => (
            <th key={metric} className="number">
              {metric}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {members.map(({ member, run, result }) => (
          <tr key={member} data-member={member} data-run={run.id} data-status={run.status}>
            <td className="number">{member + 1}</td>
            <td>
              <a href={`#/runs/${encodeURIComponent(run.id)}`}>{run.id}</a>
            </td>
            {parameters.map((parameter) => (
              <td key={parameter}>{formatNumber(run.parameters?.[parameter])}</td>
            ))}
            <td className="number">{run.seed ?? '—'}</td>
            <td>
              <span className={`status status-${run.status}`}>{run.status}</span>{' '}
              <span className="small muted">
                {result?.error ?? (result ? (result.outcome ?? '') : `${run.step}/${run.steps}`)}
              </span>
            </td>
            {metrics.map((metric) => (
              <td key={metric} className="number">
                {result && result.finals[metric] !== undefined ? formatNumber(result.finals[metric]) : '—'}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
