import { beliefPositionsAt, beliefSeriesOf } from '@sandtable/store';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { EventHistoryQuery, MessageHistoryQuery, ModelCallQuery, StateQuery } from '../http/request-schemas';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';
import { runInWorkspace } from './run-access';

const stepText = z.coerce.number().int().min(0);

/** GET /runs/:id/beliefs */
export const BeliefsQuery = z.strictObject({
  step: stepText
    .optional()
    .describe('The positions after this step (≥ 1); the latest committed when left out.'),
  topic: z.string().min(1).optional().describe('Only this topic.'),
});

/** GET /runs/:id/beliefs/series */
export const BeliefSeriesQuery = z.strictObject({
  agent: z.string().min(1).describe('The agent whose positions to follow.'),
  topic: z.string().min(1).optional().describe('Only this topic.'),
  toStep: stepText.optional().describe('Up to this step; the whole run when left out.'),
});

/** History of a run from the store: events, messages, model calls, metrics, state and belief positions at step N. */
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

  routes.get('/runs/:id/beliefs', validate('query', BeliefsQuery), async (c) => {
    const record = await runInWorkspace(context, c);
    const query = c.req.valid('query');
    const step = query.step ?? record.lastStep;
    if (step < 1 || step > record.lastStep) {
      throw new ApiError(
        404,
        'STEP_NOT_FOUND',
        `run "${record.id}" has no committed step ${step} (last committed: ${record.lastStep})`,
      );
    }
    const positions = await beliefPositionsAt(store, record.id, step, query.topic);
    if (query.topic !== undefined && positions.topics.length === 0) {
      throw new ApiError(
        404,
        'TOPIC_NOT_FOUND',
        `run "${record.id}" has no belief topic "${query.topic}" (at step ${step})`,
      );
    }
    return c.json(positions);
  });

  routes.get('/runs/:id/beliefs/series', validate('query', BeliefSeriesQuery), async (c) => {
    const record = await runInWorkspace(context, c);
    const query = c.req.valid('query');
    const agents = await store.listAgents(record.id);
    if (!agents.some((agent) => agent.agentId === query.agent))
      throw new ApiError(404, 'AGENT_NOT_FOUND', `run "${record.id}" has no agent "${query.agent}"`);
    const series = await beliefSeriesOf(store, record.id, query.agent, {
      ...(query.topic !== undefined ? { topic: query.topic } : {}),
      ...(query.toStep !== undefined ? { toStep: query.toStep } : {}),
    });
    if (query.topic !== undefined && series.topics.length === 0) {
      throw new ApiError(
        404,
        'TOPIC_NOT_FOUND',
        `run "${record.id}" has no belief topic "${query.topic}" for agent "${query.agent}"`,
      );
    }
    return c.json(series);
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
  {
    method: 'get',
    path: '/api/runs/:id/beliefs',
    tag: 'history',
    summary: 'Every agent’s belief positions after step N (from the beliefs-changed events)',
    query: BeliefsQuery,
    responses: {
      200: '{ step, topics: string[], agents: { id, positions: { topic: number } }[] }',
      400: 'invalid query',
      404: 'no such run, step or topic',
    },
  },
  {
    method: 'get',
    path: '/api/runs/:id/beliefs/series',
    tag: 'history',
    summary: 'One agent’s belief positions over the run (a point per step where one changed)',
    query: BeliefSeriesQuery,
    responses: {
      200: '{ agentId, topics: string[], points: { step, positions: { topic: number } }[] }',
      400: 'invalid query',
      404: 'no such run, agent or topic',
    },
  },
];
