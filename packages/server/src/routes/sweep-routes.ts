import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import {
  aggregateSweep,
  describeValues,
  expandSweep,
  parseGroundedScenario,
  ruleSweepExecutor,
  runSweep,
  SweepDefinition,
  type SweepOutcome,
  type SweepReport,
} from '@sandtable/core';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError, notFound } from '../http/api-error';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';

/** Runs one sweep may hold: a sweep runs in the server's process, beside the live runs. */
export const maxSweepRuns = 200;

const scalar = z.union([z.number(), z.boolean(), z.string()]);

/** POST /sweeps */
export const SweepCreateBody = z.strictObject({
  scenarioId: z.string().min(1),
  version: z.int().min(1).optional().describe('Scenario version; the latest when left out.'),
  seeds: z
    .union([
      z.array(z.int().min(0)).min(1).max(maxSweepRuns),
      z
        .string()
        .regex(/^\d+\.\.\d+$/, 'a seed range is written first..last, e.g. 1..20')
        .refine((range) => {
          const [first, last] = range.split('..').map(Number) as [number, number];
          return last >= first && last - first < maxSweepRuns;
        }, `a seed range goes up and holds at most ${maxSweepRuns} seeds`),
      z.strictObject({ from: z.int().min(0), count: z.int().min(1).max(maxSweepRuns) }),
    ])
    .describe('Seeds as a list, a range "1..20", or { from, count }.'),
  grid: z
    .record(z.string().min(1), z.array(scalar).min(1).max(50))
    .optional()
    .describe('Parameter → values; every combination runs once per seed.'),
  steps: z.int().min(1).max(100_000).optional().describe('Steps per run; the scenario’s when left out.'),
  parallel: z.int().min(1).max(4).optional().describe('Runs in flight at once (default 2).'),
  metrics: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('Metrics to report; default all but built-ins.'),
});

/** One metric over every successful run of a sweep: what the dashboard's sweep table shows. */
export interface SweepMetricSummary {
  metric: string;
  mean: number;
  standardDeviation: number;
  /** The 95% t interval of the mean. */
  low: number;
  high: number;
  values: number[];
}

/** A sweep the server ran or is running (kept in memory: a restart forgets it). */
interface SweepEntry {
  id: string;
  workspaceId: string;
  scenarioId: string;
  scenarioVersion: number;
  scenarioName: string;
  status: 'running' | 'completed' | 'failed';
  runs: number;
  completed: number;
  failed: number;
  createdAt: string;
  finishedAt?: string;
  metrics: SweepMetricSummary[];
  report?: SweepReport;
  error?: string;
}

function summaryOf(entry: SweepEntry) {
  const { report: _report, workspaceId: _workspace, ...summary } = entry;
  return summary;
}

function metricSummaries(report: SweepReport, outcomes: readonly SweepOutcome[]): SweepMetricSummary[] {
  return report.metrics.map((metric) => {
    const values = outcomes.flatMap((outcome) => {
      const value = outcome.ok ? outcome.result.finals[metric] : undefined;
      return value !== undefined && Number.isFinite(value) ? [value] : [];
    });
    const statistics = describeValues(values);
    return {
      metric,
      mean: statistics.mean,
      standardDeviation: statistics.standardDeviation,
      low: statistics.confidence.low,
      high: statistics.confidence.high,
      values,
    };
  });
}

/**
 * Sweeps over HTTP: a stored scenario over parameter values × seeds, every member run in this
 * process with rule agents (core's `runSweep` with `ruleSweepExecutor`, as `sandtable sweep`
 * does), aggregated with `aggregateSweep`. Sweeps live in memory, per workspace; their member runs
 * are not stored runs.
 */
export function sweepRoutes(context: ServerContext): Hono<ApiEnvironment> {
  const { store, logger } = context;
  const routes = new Hono<ApiEnvironment>();
  const sweeps = new Map<string, SweepEntry>();

  routes.post('/sweeps', validate('json', SweepCreateBody), async (c) => {
    const body = c.req.valid('json');
    const workspaceId = c.get('workspace');
    const scope = { workspaceId };
    const scenario = await store.getScenario(body.scenarioId, scope);
    if (!scenario) throw notFound('scenario', body.scenarioId);
    const version = await store.getScenarioVersion(scenario.id, body.version, scope);
    if (!version) throw notFound('scenario version', `${scenario.id}@${body.version}`);
    const definition = SweepDefinition.parse({
      scenario: scenario.id,
      seeds: body.seeds,
      grid: body.grid ?? {},
      ...(body.steps ? { steps: body.steps } : {}),
      ...(body.parallel ? { parallel: body.parallel } : {}),
      ...(body.metrics ? { metrics: body.metrics } : {}),
    });
    const plan = expandSweep(definition);
    if (plan.members.length > maxSweepRuns) {
      throw new ApiError(
        400,
        'SWEEP_TOO_LARGE',
        `the sweep has ${plan.members.length} runs (${plan.settings.length} parameter settings × ${plan.seeds.length} seeds); at most ${maxSweepRuns}`,
      );
    }
    const file = version.origin ?? undefined;
    // Every setting must make a valid scenario before anything runs (a bad value is a 422 now).
    for (const parameters of plan.settings)
      await parseGroundedScenario(version.source, {
        ...(file ? { file } : {}),
        ...(body.steps ? { steps: body.steps } : {}),
        parameters,
      });
    const entry: SweepEntry = {
      id: randomUUID(),
      workspaceId,
      scenarioId: scenario.id,
      scenarioVersion: version.version,
      scenarioName: scenario.name,
      status: 'running',
      runs: plan.members.length,
      completed: 0,
      failed: 0,
      createdAt: new Date().toISOString(),
      metrics: [],
    };
    sweeps.set(entry.id, entry);
    const executor = ruleSweepExecutor(version.source, {
      ...(file ? { file, worldDirectory: dirname(file) } : {}),
      ...(body.steps ? { steps: body.steps } : {}),
    });
    void runSweep(plan, executor, {
      parallel: definition.parallel,
      onMember: (outcome) => {
        entry.completed += 1;
        if (!outcome.ok) entry.failed += 1;
      },
    })
      .then((outcomes) => {
        const report = aggregateSweep(plan, outcomes, {
          name: `${scenario.name} sweep`,
          scenario: scenario.name,
          grid: definition.grid,
          ...(definition.metrics ? { metrics: definition.metrics } : {}),
        });
        entry.report = report;
        entry.metrics = metricSummaries(report, outcomes);
        entry.status = 'completed';
      })
      .catch((error: unknown) => {
        entry.status = 'failed';
        entry.error = error instanceof Error ? error.message : String(error);
        logger.error({ sweep: entry.id, error: entry.error }, 'sweep failed');
      })
      .finally(() => {
        entry.finishedAt = new Date().toISOString();
      });
    return c.json(summaryOf(entry), 202);
  });

  routes.get('/sweeps', (c) => {
    const workspaceId = c.get('workspace');
    const mine = [...sweeps.values()].filter((entry) => entry.workspaceId === workspaceId).reverse();
    return c.json({ sweeps: mine.map(summaryOf) });
  });

  routes.get('/sweeps/:id', (c) => {
    const id = c.req.param('id');
    const entry = sweeps.get(id);
    if (!entry || entry.workspaceId !== c.get('workspace'))
      throw new ApiError(404, 'SWEEP_NOT_FOUND', `no sweep "${id}"`);
    return c.json({ ...summaryOf(entry), ...(entry.report ? { report: entry.report } : {}) });
  });

  return routes;
}

/** The sweep routes in `/openapi.json`. */
export const sweepRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/sweeps',
    tag: 'runs',
    summary: 'Runs a stored scenario over parameter values × seeds (rule agents, in this process)',
    body: SweepCreateBody,
    responses: {
      202: 'Sweep (status running)',
      400: 'REQUEST_INVALID; SWEEP_TOO_LARGE',
      404: 'SCENARIO_NOT_FOUND',
      422: 'SCENARIO_INVALID',
    },
  },
  {
    method: 'get',
    path: '/api/sweeps',
    tag: 'runs',
    summary: 'The sweeps of this server process, newest first',
    responses: { 200: '{ sweeps: Sweep[] }' },
  },
  {
    method: 'get',
    path: '/api/sweeps/:id',
    tag: 'runs',
    summary: 'One sweep, with its full report once completed',
    responses: { 200: 'Sweep & { report?: SweepReport }', 404: 'SWEEP_NOT_FOUND' },
  },
];
