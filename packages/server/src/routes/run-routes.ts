import { parseScenario } from '@sandtable/core';
import { type ForkInput, forkRun } from '@sandtable/store';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError, notFound } from '../http/api-error';
import { runSummary } from '../http/api-shapes';
import { ForkBody, InterviewBody, RunCreateBody, RunListQuery } from '../http/request-schemas';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';
import { runInWorkspace } from './run-access';
import { checkScenarioSource } from './scenario-routes';

/** POST /runs/:id/agents/:agentId/interview */
export const InterviewQuery = z.strictObject({
  step: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'Ask the agent as it was after this committed step: the run is rebuilt from the store, read-only (default: live, or the last step of an ended run).',
    ),
});

/** A control input applied at a fork's boundary. */
type ControlInput = NonNullable<ForkInput['inputs']>[number];

/** Runs: create (from a stored scenario or inline text), list, get, agents, fork, interview. */
export function runRoutes(context: ServerContext): Hono<ApiEnvironment> {
  const { store, runs } = context;
  const routes = new Hono<ApiEnvironment>();

  routes.post('/runs', validate('json', RunCreateBody), async (c) => {
    const body = c.req.valid('json');
    const workspace = c.get('workspace');
    let scenarioId: string;
    let version: number;
    let source: string;
    if (body.scenarioId !== undefined) {
      const stored = await store.getScenarioVersion(body.scenarioId, body.version, {
        workspaceId: workspace,
      });
      if (!stored) {
        throw body.version === undefined ||
          !(await store.getScenario(body.scenarioId, { workspaceId: workspace }))
          ? notFound('scenario', body.scenarioId)
          : notFound('scenario version', `${body.scenarioId}@${body.version}`);
      }
      ({ scenarioId, version, source } = stored);
    } else {
      source = body.scenario as string;
      const checked = checkScenarioSource(source);
      const upserted = await store.upsertScenarioByName(workspace, {
        name: checked.name,
        description: checked.description,
        source,
        format: source.trimStart().startsWith('{') ? 'json' : 'yaml',
      });
      scenarioId = upserted.scenario.id;
      version = upserted.version.version;
    }
    // Validate with the overrides now, so a bad parameter is a 422 here, not a failed run later.
    const scenario = parseScenario(source, {
      ...(body.seed !== undefined ? { seed: body.seed } : {}),
      ...(body.steps !== undefined ? { steps: body.steps } : {}),
      ...(body.clock !== undefined ? { clock: body.clock } : {}),
      ...(body.parameters ? { parameters: body.parameters } : {}),
    });
    const record = await store.createRun({
      workspaceId: workspace,
      scenarioId,
      scenarioVersion: version,
      seed: scenario.seed,
      parameters: scenario.parameters,
      options: {
        ...(body.steps !== undefined ? { steps: body.steps } : {}),
        ...(body.clock !== undefined ? { clock: body.clock } : {}),
      },
      totalSteps: scenario.clock.steps,
    });
    const submitted = await runs.submit(record, body.paused ? { startPaused: true } : {});
    return c.json(runSummary(submitted, runs.info(record.id)), 201);
  });

  routes.get('/runs', validate('query', RunListQuery), async (c) => {
    const query = c.req.valid('query');
    const workspaceId = c.get('workspace');
    if (query.sweep !== undefined && !(await store.getSweep(query.sweep, { workspaceId })))
      throw new ApiError(404, 'SWEEP_NOT_FOUND', `no sweep "${query.sweep}"`);
    const records = await store.listRuns({
      workspaceId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.sweep !== undefined ? { sweepId: query.sweep } : {}),
      limit: query.limit ?? 100,
    });
    return c.json({ runs: records.map((record) => runSummary(record, runs.info(record.id))) });
  });

  routes.get('/runs/:id', async (c) => {
    const record = await runInWorkspace(context, c);
    return c.json(runSummary(record, runs.info(record.id)));
  });

  routes.get('/runs/:id/agents', async (c) => {
    const record = await runInWorkspace(context, c);
    const stored = await store.listAgents(record.id);
    let liveAgents: Map<string, { status: string; muted: boolean }> | undefined;
    try {
      const run = await runs.liveRun(record.id);
      liveAgents = new Map(
        run.agentList.map((agent) => [agent.spec.id, { status: agent.status, muted: agent.muted }]),
      );
    } catch {
      liveAgents = undefined;
    }
    return c.json({
      agents: stored.map((agent) => ({
        id: agent.agentId,
        name: agent.name,
        role: agent.role,
        brain: agent.brain,
        ...(liveAgents?.get(agent.agentId) ?? {}),
      })),
    });
  });

  routes.post('/runs/:id/fork', validate('json', ForkBody), async (c) => {
    const parent = await runInWorkspace(context, c);
    const body = c.req.valid('json');
    if (body.step > parent.lastStep) {
      throw new ApiError(
        400,
        'FORK_STEP_INVALID',
        `run "${parent.id}" has committed ${parent.lastStep} steps; cannot fork at step ${body.step}`,
      );
    }
    const changed = Object.entries(body.parameters ?? {}).filter(
      ([name, value]) => parent.parameters[name] !== value,
    );
    // The changes are control inputs at the boundary after the fork step, so the child's first
    // steps re-execute exactly as the parent's and diverge only after it. Changed parameters are
    // read by expressions from that boundary on (the engine checks their names and types).
    const inputs: ControlInput[] = [
      ...(changed.length > 0
        ? [{ kind: 'parameters', values: Object.fromEntries(changed) } satisfies ControlInput]
        : []),
      ...Object.entries(body.variables ?? {}).map(
        ([variable, value]): ControlInput => ({ kind: 'variable', variable, value }),
      ),
      ...(body.events ?? []).map((event): ControlInput => ({ kind: 'event', event })),
      ...(body.messages ?? []).map((message): ControlInput => ({ kind: 'message', message })),
    ];
    const child = await forkRun(store, parent.id, {
      atStep: body.step,
      ...(inputs.length > 0 ? { inputs } : {}),
      ...(body.name ? { name: body.name } : {}),
    });
    const submitted = await runs.submit(child);
    return c.json(runSummary(submitted, runs.info(child.id)), 201);
  });

  routes.post(
    '/runs/:id/agents/:agentId/interview',
    validate('query', InterviewQuery),
    validate('json', InterviewBody),
    async (c) => {
      const record = await runInWorkspace(context, c);
      const { step } = c.req.valid('query');
      const answer = await runs.interview(record, c.req.param('agentId'), c.req.valid('json').question, {
        ...(step !== undefined ? { step } : {}),
        signal: c.req.raw.signal,
      });
      return c.json(answer);
    },
  );

  return routes;
}

/** The run routes in `/openapi.json`. */
export const runRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/runs',
    tag: 'runs',
    summary: 'Create and start (or queue) a run',
    body: RunCreateBody,
    responses: {
      201: 'Run',
      400: 'bad request',
      404: 'no such scenario',
      422: 'the scenario or an override does not validate',
    },
  },
  {
    method: 'get',
    path: '/api/runs',
    tag: 'runs',
    summary: 'List runs, newest first (one sweep’s members with ?sweep=)',
    query: RunListQuery,
    responses: { 200: '{ runs: Run[] }', 400: 'REQUEST_INVALID', 404: 'SWEEP_NOT_FOUND' },
  },
  {
    method: 'get',
    path: '/api/runs/:id',
    tag: 'runs',
    summary: 'One run',
    responses: { 200: 'Run', 404: 'no such run in this workspace' },
  },
  {
    method: 'get',
    path: '/api/runs/:id/agents',
    tag: 'runs',
    summary: 'The run’s agents (status and muted while live)',
    responses: { 200: '{ agents: Agent[] }', 404: 'no such run' },
  },
  {
    method: 'post',
    path: '/api/runs/:id/fork',
    tag: 'runs',
    summary: 'Fork at step N with changed parameters or variables',
    body: ForkBody,
    responses: {
      201: 'Run (the child)',
      400: 'step not committed',
      404: 'no such run',
      422: 'changed parameters do not fit',
    },
  },
  {
    method: 'post',
    path: '/api/runs/:id/agents/:agentId/interview',
    tag: 'runs',
    summary:
      'Ask an agent a question without changing the run: live, or rebuilt from the store after a committed step',
    query: InterviewQuery,
    body: InterviewBody,
    responses: {
      200: "{ answer, source: 'model' | 'rules', step, restored }",
      400: 'STEP_NOT_COMMITTED',
      404: 'RUN_NOT_FOUND; AGENT_NOT_FOUND',
      409: 'RUN_NOT_LIVE: queued, or executing in another server (give ?step=N)',
      500: 'RUN_RESTORE_FAILED: re-executing did not reproduce the stored run',
    },
  },
];
