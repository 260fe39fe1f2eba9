import type { ApiClient } from './api-client';
import { apiErrorFromResponse } from './api-error';
import type { RunSummary, SweepSummary } from './api-types';

/** A parameter value of a sweep setting. */
export type SweepValue = number | boolean | string;

/** What the sweeps view starts a sweep with (`POST /api/sweeps`, docs/API.md). */
export interface SweepCreateRequest {
  scenarioId: string;
  /** The scenario version; the latest when left out. */
  version?: number;
  name?: string;
  /** `count` seeds from `from` on: `{ from: 1, count: 3 }` runs seeds 1, 2 and 3. */
  seeds: { from: number; count: number };
  /** Parameter → values; every combination runs once per seed. */
  grid?: Record<string, SweepValue[]>;
  /** Steps per run; the scenario's when left out. */
  steps?: number;
  /** Members in the run manager at once (the server's default is 2). */
  parallel?: number;
}

/** A 95% interval; the server sends `null` bounds (NaN in JSON) with fewer than two runs. */
export interface SweepInterval {
  low: number | null;
  high: number | null;
}

/** One grid parameter's effect on one metric against the parameter's first value (core's `ParameterEffect`). */
export interface SweepEffect {
  parameter: string;
  metric: string;
  baseline: SweepValue;
  value: SweepValue;
  /** mean(at value) − mean(at baseline). */
  difference: number | null;
  confidence: SweepInterval;
  /** Runs at the baseline and at the value. */
  runs: [number, number];
}

/** How a metric moves with a randomly drawn numeric parameter (core's `ParameterTrend`). */
export interface SweepTrend {
  parameter: string;
  metric: string;
  slope: number | null;
  confidence: SweepInterval;
  runs: number;
}

/** The parts of core's `SweepReport` the sweeps view shows. */
export interface SweepReportView {
  metrics: string[];
  effects: SweepEffect[];
  trends: SweepTrend[];
}

/** One sweep as `GET /api/sweeps/:id` answers: its progress, its plan and its report so far. */
export interface SweepDetail extends SweepSummary {
  scenarioId?: string;
  scenarioVersion?: number;
  /** Members created and not ended. */
  running?: number;
  /** Members not created yet. */
  pending?: number;
  parallel?: number;
  seeds?: number[];
  grid?: Record<string, SweepValue[]>;
  random?: { samples: number; seed?: number; parameters: Record<string, unknown> };
  steps?: number;
  createdAt?: string;
  finishedAt?: string;
  /** Over the members ended so far (partial while the sweep runs); absent before any has ended. */
  report?: SweepReportView;
}

/** What a sweep keeps of a member once its run has ended. */
export interface SweepMemberResult {
  status: 'completed' | 'failed' | 'stopped';
  outcome?: string | null;
  steps: number;
  /** Final metric values (completed members only). */
  finals: Record<string, number>;
  error?: string;
}

/** One member of a sweep (`GET /api/sweeps/:id/runs`): a parameter setting and seed, run as a stored run. */
export interface SweepMember {
  member: number;
  setting?: number;
  result?: SweepMemberResult;
  run: RunSummary;
}

/** Whether a sweep may still change (worth polling). */
export function isSweepRunning(sweep: Pick<SweepSummary, 'status'>): boolean {
  return sweep.status === 'running';
}

/**
 * The sweep routes of the API, over the page's {@link ApiClient} (bearer token, error bodies as
 * `ApiError`s). Kept beside the client rather than in it: the sweeps view is their only user.
 */
export class SweepApi {
  constructor(private readonly client: ApiClient) {}

  /**
   * Starts a sweep.
   * @throws {ApiError} `REQUEST_INVALID` (400, issues with field paths), `SWEEP_TOO_LARGE` (400),
   * `SCENARIO_NOT_FOUND` (404) or `SCENARIO_INVALID` (422, e.g. a grid value outside the parameter's range).
   */
  create(request: SweepCreateRequest): Promise<SweepDetail> {
    return this.client.request('POST', '/sweeps', request);
  }

  /** One sweep with its report so far. @throws {ApiError} `SWEEP_NOT_FOUND` */
  get(sweepId: string, signal?: AbortSignal): Promise<SweepDetail> {
    return this.client.request('GET', `/sweeps/${encodeURIComponent(sweepId)}`, undefined, signal);
  }

  /** The member runs created so far, in member order, with each one's result once ended. */
  members(sweepId: string, signal?: AbortSignal): Promise<SweepMember[]> {
    return this.client
      .request<{ runs: SweepMember[] }>(
        'GET',
        `/sweeps/${encodeURIComponent(sweepId)}/runs`,
        undefined,
        signal,
      )
      .then((answer) => answer.runs ?? []);
  }

  /** Stops a running sweep. @throws {ApiError} `SWEEP_NOT_RUNNING` (409) when it has ended already. */
  stop(sweepId: string, reason?: string): Promise<SweepDetail> {
    return this.client.request(
      'POST',
      `/sweeps/${encodeURIComponent(sweepId)}/stop`,
      reason ? { reason } : {},
    );
  }

  /** The URL of an ended sweep's report (`report.md` or `report.pdf`). */
  reportUrl(sweepId: string, format: 'md' | 'pdf'): string {
    return this.client.url(`/sweeps/${encodeURIComponent(sweepId)}/report.${format}`);
  }

  /**
   * Downloads an ended sweep's report with the token (a plain link could not send it).
   * @throws {ApiError} `SWEEP_NOT_FINISHED` (409) while it runs.
   */
  async downloadReport(sweepId: string, format: 'md' | 'pdf'): Promise<void> {
    const response = await fetch(this.reportUrl(sweepId, format), { headers: this.client.headers() });
    if (!response.ok) throw await apiErrorFromResponse(response);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `${sweepId}-sweep.${format}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
