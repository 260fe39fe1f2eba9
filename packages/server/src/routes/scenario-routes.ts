import {
  formatIssue,
  type Issue,
  ScenarioError,
  scenarioJsonSchema,
  validateScenarioText,
} from '@sandtable/core';
import { Hono } from 'hono';
import { notFound } from '../http/api-error';
import { scenarioDetail, scenarioSummary, scenarioVersion } from '../http/api-shapes';
import {
  ScenarioCloneBody,
  ScenarioCreateBody,
  ScenarioUpdateBody,
  ScenarioValidateBody,
} from '../http/request-schemas';
import type { RouteDoc } from '../http/route-docs';
import type { ApiEnvironment, ServerContext } from '../http/server-context';
import { validate } from '../http/validation';

/** An issue as the API returns it: its fields plus the line `sandtable validate` prints. */
export function issueJson(issue: Issue) {
  return { ...issue, text: formatIssue(issue) };
}

/** The text's format, for the store: JSON when it starts like an object, else YAML. */
function formatOf(source: string): 'json' | 'yaml' {
  return source.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/**
 * Validates scenario text as `sandtable validate` does and returns its name and description.
 * @throws {ScenarioError} SCENARIO_INVALID (422) with every issue
 */
export function checkScenarioSource(source: string): { name: string; description: string } {
  const validation = validateScenarioText(source);
  if (!validation.scenario) throw new ScenarioError(validation.issues);
  return { name: validation.scenario.name, description: validation.scenario.description };
}

/** Scenario routes: CRUD, versions, clone, validate, the JSON Schema. */
export function scenarioRoutes(context: ServerContext): Hono<ApiEnvironment> {
  const { store } = context;
  const routes = new Hono<ApiEnvironment>();
  const scope = (workspace: string) => ({ workspaceId: workspace });

  async function detail(id: string, workspace: string) {
    const scenario = await store.getScenario(id, scope(workspace));
    if (!scenario) throw notFound('scenario', id);
    return scenarioDetail(scenario, await store.listScenarioVersions(id, scope(workspace)));
  }

  routes.get('/scenarios', async (c) => {
    const scenarios = await store.listScenarios(c.get('workspace'));
    return c.json({ scenarios: scenarios.map(scenarioSummary) });
  });

  routes.post('/scenarios/validate', validate('json', ScenarioValidateBody), (c) => {
    const body = c.req.valid('json');
    const validation = validateScenarioText(
      body.source,
      body.parameters ? { parameters: body.parameters } : {},
    );
    return c.json({
      ok: validation.scenario !== undefined,
      issues: validation.issues.map(issueJson),
      ...(validation.format ? { format: validation.format, notes: validation.notes ?? [] } : {}),
    });
  });

  routes.get('/scenario-schema', (c) => c.json(scenarioJsonSchema()));

  routes.post('/scenarios', validate('json', ScenarioCreateBody), async (c) => {
    const body = c.req.valid('json');
    const checked = checkScenarioSource(body.source);
    const { scenario } = await store.createScenario(c.get('workspace'), {
      name: body.name ?? checked.name,
      description: checked.description,
      source: body.source,
      format: formatOf(body.source),
    });
    return c.json(await detail(scenario.id, c.get('workspace')), 201);
  });

  routes.get('/scenarios/:id', async (c) => c.json(await detail(c.req.param('id'), c.get('workspace'))));

  routes.post('/scenarios/:id/versions', validate('json', ScenarioUpdateBody), async (c) => {
    const body = c.req.valid('json');
    const id = c.req.param('id');
    if (!(await store.getScenario(id, scope(c.get('workspace'))))) throw notFound('scenario', id);
    const checked = checkScenarioSource(body.source);
    await store.addScenarioVersion(
      id,
      {
        source: body.source,
        description: checked.description,
        format: formatOf(body.source),
        ...(body.name ? { name: body.name } : {}),
      },
      scope(c.get('workspace')),
    );
    return c.json(await detail(id, c.get('workspace')), 201);
  });

  routes.get('/scenarios/:id/versions/:version', async (c) => {
    const id = c.req.param('id');
    if (!(await store.getScenario(id, scope(c.get('workspace'))))) throw notFound('scenario', id);
    const number = Number(c.req.param('version'));
    const version = Number.isInteger(number)
      ? await store.getScenarioVersion(id, number, scope(c.get('workspace')))
      : undefined;
    if (!version) throw notFound('scenario version', `${id}@${c.req.param('version')}`);
    return c.json(scenarioVersion(version));
  });

  routes.post('/scenarios/:id/clone', validate('json', ScenarioCloneBody), async (c) => {
    const body = c.req.valid('json');
    const id = c.req.param('id');
    const original = await store.getScenario(id, scope(c.get('workspace')));
    if (!original) throw notFound('scenario', id);
    if (
      body.version !== undefined &&
      !(await store.getScenarioVersion(id, body.version, scope(c.get('workspace'))))
    ) {
      throw notFound('scenario version', `${id}@${body.version}`);
    }
    const { scenario } = await store.cloneScenario(
      id,
      { name: body.name ?? `${original.name} (copy)`, ...(body.version ? { version: body.version } : {}) },
      scope(c.get('workspace')),
    );
    return c.json(await detail(scenario.id, c.get('workspace')), 201);
  });

  routes.delete('/scenarios/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await store.deleteScenario(id, scope(c.get('workspace'))))) throw notFound('scenario', id);
    return c.body(null, 204);
  });

  return routes;
}

/** The scenario routes in `/openapi.json`. */
export const scenarioRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/scenarios',
    tag: 'scenarios',
    summary: 'List scenarios',
    responses: { 200: '{ scenarios: ScenarioSummary[] }' },
  },
  {
    method: 'post',
    path: '/api/scenarios',
    tag: 'scenarios',
    summary: 'Create a scenario (version 1)',
    body: ScenarioCreateBody,
    responses: { 201: 'Scenario', 400: 'bad request', 422: 'the scenario does not validate' },
  },
  {
    method: 'post',
    path: '/api/scenarios/validate',
    tag: 'scenarios',
    summary: 'Validate scenario text as `sandtable validate` does',
    body: ScenarioValidateBody,
    responses: { 200: '{ ok, issues, format?, notes? }', 400: 'bad request' },
  },
  {
    method: 'get',
    path: '/api/scenario-schema',
    tag: 'scenarios',
    summary: 'The scenario JSON Schema',
    responses: { 200: 'JSON Schema' },
  },
  {
    method: 'get',
    path: '/api/scenarios/:id',
    tag: 'scenarios',
    summary: 'A scenario with its versions and latest text',
    responses: { 200: 'Scenario', 404: 'no such scenario in this workspace' },
  },
  {
    method: 'post',
    path: '/api/scenarios/:id/versions',
    tag: 'scenarios',
    summary: 'Add an immutable version',
    body: ScenarioUpdateBody,
    responses: { 201: 'Scenario', 404: 'no such scenario', 422: 'the scenario does not validate' },
  },
  {
    method: 'get',
    path: '/api/scenarios/:id/versions/:version',
    tag: 'scenarios',
    summary: 'One version’s text',
    responses: { 200: 'ScenarioVersion', 404: 'no such version' },
  },
  {
    method: 'post',
    path: '/api/scenarios/:id/clone',
    tag: 'scenarios',
    summary: 'Copy a version into a new scenario',
    body: ScenarioCloneBody,
    responses: { 201: 'Scenario', 404: 'no such scenario or version' },
  },
  {
    method: 'delete',
    path: '/api/scenarios/:id',
    tag: 'scenarios',
    summary: 'Delete a scenario (its runs keep their versions)',
    responses: { 204: 'deleted', 404: 'no such scenario' },
  },
];
