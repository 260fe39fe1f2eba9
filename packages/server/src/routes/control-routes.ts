import type { Run } from '@sandtable/core';
import { Hono } from 'hono';
import { runSummary } from '../http/api-shapes';
import { InjectEventBody, InjectMessageBody, SetVariableBody, StopBody } from '../http/request-schemas';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';
import { runInWorkspace } from './run-access';

const runControls = {
  pause: (run: Run) => run.pause(),
  resume: (run: Run) => run.resume(),
  step: (run: Run) => run.singleStep(),
} as const;

const agentControls = {
  mute: (run: Run, agentId: string) => run.muteAgent(agentId),
  unmute: (run: Run, agentId: string) => run.unmuteAgent(agentId),
  pause: (run: Run, agentId: string) => run.pauseAgent(agentId),
  resume: (run: Run, agentId: string) => run.resumeAgent(agentId),
  terminate: (run: Run, agentId: string) => run.terminateAgent(agentId),
} as const;

/**
 * Control of a live run, honoured at the next step boundary by the engine: pause, resume, one
 * step, stop; mute, unmute, pause, resume, terminate an agent; an operator message; an injected
 * event; a variable. Answers 202: the request is accepted, its effect shows in the event stream.
 */
export function controlRoutes(context: ServerContext): Hono<ApiEnvironment> {
  const { runs, store } = context;
  const routes = new Hono<ApiEnvironment>();

  async function accepted(runId: string) {
    const record = await store.getRun(runId);
    return { accepted: true, ...(record ? { run: runSummary(record, runs.info(runId)) } : {}) };
  }

  for (const [name, apply] of Object.entries(runControls)) {
    routes.post(`/runs/:id/${name}`, async (c) => {
      const record = await runInWorkspace(context, c);
      apply(await runs.liveRun(record.id));
      return c.json(await accepted(record.id), 202);
    });
  }

  routes.post('/runs/:id/stop', validate('json', StopBody), async (c) => {
    const record = await runInWorkspace(context, c);
    await runs.stop(record.id, c.req.valid('json').reason ?? 'stopped by request');
    return c.json(await accepted(record.id), 202);
  });

  for (const [name, apply] of Object.entries(agentControls)) {
    routes.post(`/runs/:id/agents/:agentId/${name}`, async (c) => {
      const record = await runInWorkspace(context, c);
      apply(await runs.liveRun(record.id), c.req.param('agentId'));
      return c.json(await accepted(record.id), 202);
    });
  }

  routes.post('/runs/:id/messages', validate('json', InjectMessageBody), async (c) => {
    const record = await runInWorkspace(context, c);
    (await runs.liveRun(record.id)).injectMessage(c.req.valid('json'));
    return c.json(await accepted(record.id), 202);
  });

  routes.post('/runs/:id/events', validate('json', InjectEventBody), async (c) => {
    const record = await runInWorkspace(context, c);
    (await runs.liveRun(record.id)).injectEvent(c.req.valid('json'));
    return c.json(await accepted(record.id), 202);
  });

  routes.put('/runs/:id/variables/:name', validate('json', SetVariableBody), async (c) => {
    const record = await runInWorkspace(context, c);
    const body = c.req.valid('json');
    (await runs.liveRun(record.id)).setVariable(c.req.param('name'), body.value, body.agentId);
    return c.json(await accepted(record.id), 202);
  });

  return routes;
}

const controlResponses = {
  202: '{ accepted: true, run: Run }',
  404: 'no such run (or agent)',
  409: 'the run is not live',
};

/** The control routes in `/openapi.json`. */
export const controlRouteDocs: RouteDoc[] = [
  ...Object.keys(runControls).map(
    (name): RouteDoc => ({
      method: 'post',
      path: `/api/runs/:id/${name}`,
      tag: 'control',
      summary: `${name === 'step' ? 'Run one step, then pause' : `${name[0]?.toUpperCase()}${name.slice(1)} the run`} (at the next step boundary)`,
      responses: controlResponses,
    }),
  ),
  {
    method: 'post',
    path: '/api/runs/:id/stop',
    tag: 'control',
    summary: 'Stop: in-flight calls are aborted, the run ends after its step (a queued run leaves the queue)',
    body: StopBody,
    responses: controlResponses,
  },
  ...Object.keys(agentControls).map(
    (name): RouteDoc => ({
      method: 'post',
      path: `/api/runs/:id/agents/:agentId/${name}`,
      tag: 'control',
      summary: `${name[0]?.toUpperCase()}${name.slice(1)} an agent`,
      responses: controlResponses,
    }),
  ),
  {
    method: 'post',
    path: '/api/runs/:id/messages',
    tag: 'control',
    summary: 'Send a message as the operator (manual override)',
    body: InjectMessageBody,
    responses: controlResponses,
  },
  {
    method: 'post',
    path: '/api/runs/:id/events',
    tag: 'control',
    summary: 'Inject an event at the next step',
    body: InjectEventBody,
    responses: { ...controlResponses, 400: 'an effect expression does not compile' },
  },
  {
    method: 'put',
    path: '/api/runs/:id/variables/:name',
    tag: 'control',
    summary: 'Set a variable (clamped) at the next step boundary',
    body: SetVariableBody,
    responses: controlResponses,
  },
];
