import {
  expandSweep,
  parseGroundedScenario,
  RandomParameter,
  renderSweepMarkdown,
  renderSweepPdf,
  SweepDefinition,
  type SweepReport,
} from '@sandtable/core';
import type { SweepMemberRecord, SweepRecord } from '@sandtable/store';
import { Hono } from 'hono';
import { z } from 'zod';
import type { SweepCoordinator } from '../execution/sweep-coordinator';
import { type SweepMetricSummary, sweepAggregate, sweepPlanOf } from '../execution/sweep-results';
import { ApiError, notFound } from '../http/api-error';
import { runSummary } from '../http/api-shapes';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';

/** Runs one sweep may hold (every member is a stored run). */
export const maxSweepRuns = 200;

const scalar = z.union([z.number(), z.boolean(), z.string()]);

/** POST /sweeps */
export const SweepCreateBody = z.strictObject({
  scenarioId: z.string().min(1),
  version: z.int().min(1).optional().describe('Scenario version; the latest when left out.'),
  name: z.string().min(1).max(200).optional().describe('The sweep’s name; “<scenario> sweep” when left out.'),
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
  random: z
    .strictObject({
      samples: z.int().min(1).max(maxSweepRuns),
      seed: z.int().min(0).optional(),
      parameters: z.record(z.string().min(1), RandomParameter),
    })
    .optional()
    .describe(
      'Random parameter settings drawn reproducibly from `seed`: { min, max, integer? } or { values }; combined with every grid cell.',
    ),
  steps: z.int().min(1).max(100_000).optional().describe('Steps per run; the scenario’s when left out.'),
  parallel: z
    .int()
    .min(1)
    .max(16)
    .optional()
    .describe('Members in the run manager at once (default 2); its maxConcurrentRuns still applies.'),
  metrics: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('Metrics to report; default all but built-ins.'),
});

/** POST /sweeps/:id/stop */
export const SweepStopBody = z
  .strictObject({ reason: z.string().min(1).max(500).optional() })
  .describe('Why (default “sweep stopped”).');

export type { SweepMetricSummary };

function iso(date: Date | null): string | undefined {
  return date ? date.toISOString() : undefined;
}

/**
 * `Sweep`: the stored sweep, how far its members are, and each metric over the members ended so
 * far; with `withReport` also core's full `SweepReport` (partial while it runs).
 */
function sweepShape(sweep: SweepRecord, members: readonly SweepMemberRecord[], withReport: boolean) {
  const { definition } = sweepPlanOf(sweep);
  const { progress, report, metrics } = sweepAggregate(sweep, members);
  return {
    id: sweep.id,
    name: sweep.name,
    scenarioId: sweep.scenarioId,
    scenarioVersion: sweep.scenarioVersion,
    scenarioName: definition.scenario,
    status: sweep.status,
    runs: sweep.totalRuns,
    ...progress,
    parallel: sweep.parallel,
    seeds: expandSweep(definition).seeds,
    grid: definition.grid,
    ...(definition.random ? { random: definition.random } : {}),
    ...(definition.steps ? { steps: definition.steps } : {}),
    ...(sweep.reason ? { reason: sweep.reason } : {}),
    ...(sweep.status === 'failed' && sweep.reason ? { error: sweep.reason } : {}),
    createdAt: iso(sweep.createdAt),
    ...(sweep.finishedAt ? { finishedAt: iso(sweep.finishedAt) } : {}),
    metrics,
    ...(withReport && report ? { report } : {}),
  };
}

/**
 * Sweeps over HTTP: a stored scenario version over parameter values (grid and random samples) ×
 * seeds. Every member is a stored run executed by the server's run manager (see
 * {@link SweepCoordinator}): it shows in `GET /runs`, and can be inspected, briefed, compared and
 * stopped like any run. Sweeps are stored, so a restart resumes a running one; aggregation is
 * core's `aggregateSweep` over the members' final metric values.
 */
export function sweepRoutes(context: ServerContext): Hono<ApiEnvironment> {
  const { store } = context;
  const coordinator: SweepCoordinator = context.sweeps;
  const routes = new Hono<ApiEnvironment>();

  async function sweepInWorkspace(id: string, workspaceId: string): Promise<SweepRecord> {
    const sweep = await store.getSweep(id, { workspaceId });
    if (!sweep) throw new ApiError(404, 'SWEEP_NOT_FOUND', `no sweep "${id}"`);
    return sweep;
  }

  async function endedReport(sweep: SweepRecord): Promise<SweepReport> {
    const { report } = sweepAggregate(sweep, await store.listSweepMembers(sweep.id));
    if (sweep.status === 'running' || !report)
      throw new ApiError(
        409,
        'SWEEP_NOT_FINISHED',
        sweep.status === 'running'
          ? `sweep "${sweep.id}" is running: its report is written once it has completed or stopped`
          : `sweep "${sweep.id}" ended before any member did`,
      );
    return report;
  }

  routes.post('/sweeps', validate('json', SweepCreateBody), async (c) => {
    const body = c.req.valid('json');
    const workspaceId = c.get('workspace');
    const scope = { workspaceId };
    const scenario = await store.getScenario(body.scenarioId, scope);
    if (!scenario) throw notFound('scenario', body.scenarioId);
    const version = await store.getScenarioVersion(scenario.id, body.version, scope);
    if (!version) throw notFound('scenario version', `${scenario.id}@${body.version}`);
    const name = body.name ?? `${scenario.name} sweep`;
    const definition = SweepDefinition.parse({
      name,
      scenario: scenario.name,
      seeds: body.seeds,
      grid: body.grid ?? {},
      ...(body.random ? { random: body.random } : {}),
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
    const sweep = await coordinator.create({
      workspaceId,
      scenarioId: scenario.id,
      scenarioVersion: version.version,
      name,
      definition,
      totalRuns: plan.members.length,
    });
    return c.json(sweepShape(sweep, [], false), 202);
  });

  routes.get('/sweeps', async (c) => {
    const sweeps = await store.listSweeps({ workspaceId: c.get('workspace'), limit: 100 });
    const shaped = await Promise.all(
      sweeps.map(async (sweep) => sweepShape(sweep, await store.listSweepMembers(sweep.id), false)),
    );
    return c.json({ sweeps: shaped });
  });

  routes.get('/sweeps/:id', async (c) => {
    const sweep = await sweepInWorkspace(c.req.param('id'), c.get('workspace'));
    return c.json(sweepShape(sweep, await store.listSweepMembers(sweep.id), true));
  });

  routes.get('/sweeps/:id/runs', async (c) => {
    const sweep = await sweepInWorkspace(c.req.param('id'), c.get('workspace'));
    const { plan } = sweepPlanOf(sweep);
    const members = await store.listSweepMembers(sweep.id);
    return c.json({
      runs: members.map((member) => ({
        member: member.member,
        setting: plan.members[member.member]?.setting,
        ...(member.result ? { result: member.result } : {}),
        run: runSummary(member.run, context.runs.info(member.run.id)),
      })),
    });
  });

  routes.post('/sweeps/:id/stop', validate('json', SweepStopBody), async (c) => {
    const sweep = await sweepInWorkspace(c.req.param('id'), c.get('workspace'));
    if (sweep.status !== 'running')
      throw new ApiError(409, 'SWEEP_NOT_RUNNING', `sweep "${sweep.id}" is ${sweep.status}`);
    const stopped = await coordinator.stop(sweep.id, c.req.valid('json').reason ?? 'sweep stopped');
    return c.json(sweepShape(stopped, await store.listSweepMembers(sweep.id), false), 202);
  });

  routes.get('/sweeps/:id/report.md', async (c) => {
    const sweep = await sweepInWorkspace(c.req.param('id'), c.get('workspace'));
    const report = await endedReport(sweep);
    return c.body(renderSweepMarkdown(report), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });

  routes.get('/sweeps/:id/report.pdf', async (c) => {
    const sweep = await sweepInWorkspace(c.req.param('id'), c.get('workspace'));
    const report = await endedReport(sweep);
    const pdf = await renderSweepPdf(report, sweep.finishedAt ? { createdAt: sweep.finishedAt } : {});
    return c.body(new Uint8Array(pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${sweep.id}-sweep.pdf"`,
    });
  });

  return routes;
}

/** The sweep routes in `/openapi.json`. */
export const sweepRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/sweeps',
    tag: 'runs',
    summary:
      'Runs a stored scenario over parameter values (grid, random) × seeds: every member a stored run through the run manager',
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
    summary: 'The workspace’s sweeps, newest first (at most 100)',
    responses: { 200: '{ sweeps: Sweep[] }' },
  },
  {
    method: 'get',
    path: '/api/sweeps/:id',
    tag: 'runs',
    summary: 'One sweep, with its report over the members ended so far',
    responses: { 200: 'Sweep & { report?: SweepReport }', 404: 'SWEEP_NOT_FOUND' },
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/runs',
    tag: 'runs',
    summary: 'The sweep’s member runs created so far, in member order, with each one’s result once ended',
    responses: { 200: '{ runs: Array<{ member, setting, result?, run: Run }> }', 404: 'SWEEP_NOT_FOUND' },
  },
  {
    method: 'post',
    path: '/api/sweeps/:id/stop',
    tag: 'runs',
    summary: 'Stops a running sweep: queued members leave the queue, executing ones stop after their step',
    body: SweepStopBody,
    responses: { 202: 'Sweep (status stopped)', 404: 'SWEEP_NOT_FOUND', 409: 'SWEEP_NOT_RUNNING' },
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/report.md',
    tag: 'runs',
    summary: 'The ended sweep’s report as Markdown (core renderSweepMarkdown)',
    responses: { 200: 'text/markdown', 404: 'SWEEP_NOT_FOUND', 409: 'SWEEP_NOT_FINISHED' },
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/report.pdf',
    tag: 'runs',
    summary: 'The ended sweep’s report as a PDF (core renderSweepPdf)',
    responses: { 200: 'application/pdf', 404: 'SWEEP_NOT_FOUND', 409: 'SWEEP_NOT_FINISHED' },
  },
];
