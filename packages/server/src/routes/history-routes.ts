import { Hono } from 'hono';
import { ApiError } from '../http/api-error';
import { EventHistoryQuery, MessageHistoryQuery, ModelCallQuery, StateQuery } from '../http/request-schemas';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';
import { runInWorkspace } from './run-access';

/** History of a run from the store: events, messages, model calls, metrics, state at step N. */
export function historyRoutes(context: ServerContext): Hono<ApiEnvironment> {
  const { store } = context;
  const routes = new Hono<ApiEnvironment>();

  routes.get('/runs/:id/history/events', validate('query', EventHistoryQuery), async (c) => {
    const record = await runInWorkspace(context, c);
    const query = c.req.valid('query');
    const limit = query.limit ?? 500;
    let events =
      query.fromStep !== undefined || query.toStep !== undefined
        ? await store.eventsOfSteps(record.id, query.fromStep ?? 0, query.toStep ?? record.lastStep)
        : await store.eventsAfter(record.id, query.after ?? 0, query.type ? 100_000 : limit);
    if (query.after !== undefined)
      events = events.filter((event) => event.sequence > (query.after as number));
    if (query.type) events = events.filter((event) => event.type === query.type);
    return c.json({ events: events.slice(0, limit) });
  });

  routes.get('/runs/:id/history/messages', validate('query', MessageHistoryQuery), async (c) => {
    const record = await runInWorkspace(context, c);
    const query = c.req.valid('query');
    const messages = await store.messages(record.id, {
      ...(query.agent ? { agentId: query.agent } : {}),
      ...(query.room ? { room: query.room } : {}),
      ...(query.fromStep !== undefined ? { fromStep: query.fromStep } : {}),
      ...(query.toStep !== undefined ? { toStep: query.toStep } : {}),
      limit: query.limit ?? 1000,
    });
    return c.json({ messages });
  });

  routes.get('/runs/:id/history/model-calls', validate('query', ModelCallQuery), async (c) => {
    const record = await runInWorkspace(context, c);
    const query = c.req.valid('query');
    let calls = await store.modelCalls(record.id, query.agent ? { agentId: query.agent } : {});
    if (query.fromStep !== undefined)
      calls = calls.filter((call) => (call.step ?? 0) >= (query.fromStep as number));
    if (query.toStep !== undefined)
      calls = calls.filter((call) => (call.step ?? 0) <= (query.toStep as number));
    return c.json({
      calls: calls.slice(0, query.limit ?? 1000).map((call) => ({
        ordinal: call.ordinal,
        step: call.step,
        agentId: call.agentId,
        target: call.target,
        createdAt: call.createdAt.toISOString(),
        entry: call.entry,
      })),
    });
  });

  routes.get('/runs/:id/metrics', async (c) => {
    const record = await runInWorkspace(context, c);
    return c.json({ series: await store.metricSeries(record.id) });
  });

  routes.get('/runs/:id/state', validate('query', StateQuery), async (c) => {
    const record = await runInWorkspace(context, c);
    const step = c.req.valid('query').step ?? record.lastStep;
    const state = step >= 1 ? await store.stateAt(record.id, step) : undefined;
    if (!state) {
      throw new ApiError(
        404,
        'STEP_NOT_FOUND',
        `run "${record.id}" has no committed step ${step} (last committed: ${record.lastStep})`,
      );
    }
    return c.json({ step, ...state });
  });

  return routes;
}

/** The history routes in `/openapi.json`. */
export const historyRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/runs/:id/history/events',
    tag: 'history',
    summary: 'Committed events (by sequence, type, step range)',
    query: EventHistoryQuery,
    responses: { 200: '{ events: RunEvent[] }', 404: 'no such run' },
  },
  {
    method: 'get',
    path: '/api/runs/:id/history/messages',
    tag: 'history',
    summary: 'Messages by agent, room, step range',
    query: MessageHistoryQuery,
    responses: { 200: '{ messages }', 404: 'no such run' },
  },
  {
    method: 'get',
    path: '/api/runs/:id/history/model-calls',
    tag: 'history',
    summary: 'Model calls (hashes, tokens, latency, cost; never keys)',
    query: ModelCallQuery,
    responses: { 200: '{ calls }', 404: 'no such run' },
  },
  {
    method: 'get',
    path: '/api/runs/:id/metrics',
    tag: 'history',
    summary: 'Metric series per step',
    responses: { 200: '{ series: { name: { step, value }[] } }', 404: 'no such run' },
  },
  {
    method: 'get',
    path: '/api/runs/:id/state',
    tag: 'history',
    summary: 'The world after step N',
    query: StateQuery,
    responses: { 200: '{ step, globals, agents }', 404: 'no such run or step' },
  },
];
