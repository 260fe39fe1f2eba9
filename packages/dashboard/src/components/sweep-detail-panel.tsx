import { useMemo, useRef, useState } from 'react';
import { useApiClient } from '../api/api-context';
import { isSweepRunning, SweepApi, type SweepDetail, type SweepMember } from '../api/sweep-api';
import { useApi } from '../state/use-api';
import { isLiveStatus } from './format';
import { EmptyState, ErrorMessage, Loading } from './status-states';
import { SweepMembersTable } from './sweep-members-table';
import { SweepEffectsTable, SweepMetricsTable } from './sweep-results';

/** How often a sweep that may still change is read again. */
const pollMilliseconds = 1000;

/** The most member runs the compare link opens. */
const comparedAtMost = 8;

/** Whether anything on the panel can still change: the sweep runs, or a member is still executing. */
function changing(sweep: SweepDetail, members: SweepMember[]): boolean {
  return isSweepRunning(sweep) || members.some((member) => isLiveStatus(member.run.status));
}

/** The sweep's progress as a bar and a line: ended of planned, and how many run, wait or failed. */
export function SweepProgress({ sweep }: { sweep: SweepDetail }) {
  const planned = sweep.runs ?? 0;
  const ended = sweep.completed ?? 0;
  const fraction = planned > 0 ? Math.min(1, ended / planned) : 0;
  return (
    <span className="sweep-progress" data-testid="sweep-progress" data-ended={ended} data-planned={planned}>
      <span className="progress" title={`${ended} of ${planned} members ended`}>
        <span className="progress-bar" style={{ width: `${fraction * 100}%` }} />
      </span>
      <span className="small">
        {ended}/{planned} ended
        {sweep.running ? ` · ${sweep.running} running` : ''}
        {sweep.pending ? ` · ${sweep.pending} waiting` : ''}
        {sweep.failed ? ` · ${sweep.failed} failed` : ''}
      </span>
    </span>
  );
}

/**
 * One sweep: its status and progress (read again every second while it or a member still runs), a
 * Stop button while it runs, its report as Markdown and PDF once it has ended, each metric over the
 * members, the grid parameters' effects, and the members with links to their run consoles.
 */
export function SweepDetailPanel({ sweepId, onChanged }: { sweepId: string; onChanged?: () => void }) {
  const client = useApiClient();
  const api = useMemo(() => new SweepApi(client), [client]);
  const [polling, setPolling] = useState(true);
  const wasChanging = useRef(false);
  const detail = useApi(
    async (signal) => {
      const [sweep, members] = await Promise.all([api.get(sweepId, signal), api.members(sweepId, signal)]);
      const stillChanging = changing(sweep, members);
      // The list above shows the status too: tell it once when the sweep settles.
      if (wasChanging.current && !stillChanging) onChanged?.();
      wasChanging.current = stillChanging;
      setPolling(stillChanging);
      return { sweep, members };
    },
    [api, sweepId],
    polling ? pollMilliseconds : undefined,
  );
  const [stopping, setStopping] = useState(false);
  const [actionError, setActionError] = useState<Error>();

  const stop = async () => {
    setStopping(true);
    setActionError(undefined);
    try {
      await api.stop(sweepId, 'stopped from the dashboard');
      setPolling(true);
      detail.reload();
      onChanged?.();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setStopping(false);
    }
  };
  const download = (format: 'md' | 'pdf') => {
    setActionError(undefined);
    api.downloadReport(sweepId, format).catch((error: Error) => setActionError(error));
  };

  if (detail.loading && !detail.data) return <Loading what="sweep" />;
  if (!detail.data) return detail.error ? <ErrorMessage error={detail.error} retry={detail.reload} /> : null;
  const { sweep, members } = detail.data;
  const parameters = [...Object.keys(sweep.grid ?? {}), ...Object.keys(sweep.random?.parameters ?? {})];
  const metrics = sweep.report?.metrics ?? (sweep.metrics ?? []).map((metric) => metric.metric);
  // The compare view overlays every run's series: a handful of members stays readable.
  const compared = members
    .filter((member) => member.run.status === 'completed')
    .slice(0, comparedAtMost)
    .map((member) => member.run.id);
  const hasReport = !isSweepRunning(sweep) && (sweep.completed ?? 0) > 0;
  return (
    <div className="sweep-detail" data-testid="sweep-detail" data-sweep={sweep.id} data-status={sweep.status}>
      <div className="panel-header">
        <h3>
          {sweep.name ?? sweep.id}{' '}
          <span className={`status status-${sweep.status}`} data-testid="sweep-status">
            {sweep.status}
          </span>
        </h3>
        {isSweepRunning(sweep) ? (
          <button type="button" onClick={stop} disabled={stopping}>
            {stopping ? 'Stopping…' : 'Stop sweep'}
          </button>
        ) : null}
        {hasReport ? (
          <span className="console-links">
            <a
              href={api.reportUrl(sweep.id, 'md')}
              onClick={(event) => {
                event.preventDefault();
                download('md');
              }}
            >
              Report (Markdown)
            </a>{' '}
            <a
              href={api.reportUrl(sweep.id, 'pdf')}
              onClick={(event) => {
                event.preventDefault();
                download('pdf');
              }}
            >
              Report (PDF)
            </a>
          </span>
        ) : null}
      </div>
      <div className="muted small">
        {sweep.scenarioName ?? sweep.scenarioId}
        {sweep.scenarioVersion ? ` v${sweep.scenarioVersion}` : ''} · seeds {formatSeeds(sweep.seeds)}
        {sweep.steps ? ` · ${sweep.steps} steps` : ''}
        {sweep.parallel ? ` · ${sweep.parallel} at once` : ''}
        {sweep.reason ? ` · ${sweep.reason}` : ''}
      </div>
      <SweepProgress sweep={sweep} />
      {actionError ? <ErrorMessage error={actionError} /> : null}
      {detail.error ? <ErrorMessage error={detail.error} retry={detail.reload} /> : null}

      <h4>Metrics</h4>
      {(sweep.metrics ?? []).length === 0 ? (
        <EmptyState title={isSweepRunning(sweep) ? 'No results yet' : 'No member completed'}>
          Each metric's mean and interval over the completed members show here.
        </EmptyState>
      ) : (
        <SweepMetricsTable metrics={sweep.metrics ?? []} />
      )}
      {sweep.report && (sweep.report.effects.length > 0 || sweep.report.trends.length > 0) ? (
        <>
          <h4>Parameter effects</h4>
          <SweepEffectsTable effects={sweep.report.effects} trends={sweep.report.trends} />
        </>
      ) : null}

      <h4>Members</h4>
      {compared.length >= 2 ? (
        <a className="small" href={`#/compare?runs=${compared.map(encodeURIComponent).join(',')}`}>
          Compare {compared.length === members.length ? 'the' : `the first ${compared.length} completed`}{' '}
          member runs
        </a>
      ) : null}
      {members.length === 0 ? (
        <EmptyState title="No member runs yet">
          The sweep creates them as the run manager takes them.
        </EmptyState>
      ) : (
        <SweepMembersTable members={members} parameters={parameters} metrics={metrics} />
      )}
    </div>
  );
}

/** Seeds as a range when they are consecutive (`1–20`), else listed. */
function formatSeeds(seeds: number[] | undefined): string {
  if (!seeds || seeds.length === 0) return '—';
  const first = seeds[0] as number;
  const consecutive = seeds.every((seed, index) => seed === first + index);
  return consecutive && seeds.length > 2 ? `${first}–${seeds.at(-1)}` : seeds.join(', ');
}
