import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { routeDocs } from '../app';
import { createTestServer, jsonBody, readJson, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

describe('operations routes and the dashboard', () => {
  let server: TestServer;
  let dashboard: string;
  let token: string;
  beforeAll(async () => {
    dashboard = await mkdtemp(join(tmpdir(), 'sandtable-dashboard-'));
    await mkdir(join(dashboard, 'assets'));
    await writeFile(join(dashboard, 'index.html'), '<!doctype html><title>Sandtable</title>');
    await writeFile(join(dashboard, 'assets', 'app.js'), 'console.log("dashboard")');
    server = await createTestServer({ dashboardDirectory: dashboard, host: '0.0.0.0' });
    token = (await server.store.createToken((await server.store.defaultWorkspace()).id)).secret;
  });
  afterAll(async () => {
    await server.close();
    await rm(dashboard, { recursive: true, force: true });
  });
  const request = (path: string, init: RequestInit = {}) =>
    server.app.request(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
    });

  it('counts runs, steps and requests in Prometheus format', async () => {
    const run = await readJson(
      await request('/api/runs', jsonBody({ scenario: villageScenario({ steps: 3 }) })),
    );
    await waitForRunStatus(server, run.id, ['completed']);
    const response = await request('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^sandtable_runs\{status="completed"\} 1$/m);
    expect(text).toMatch(/^sandtable_steps_total 3$/m);
    expect(text).toMatch(/^sandtable_run_queue_depth 0$/m);
    expect(text).toMatch(
      /^sandtable_http_requests_total\{method="POST",route="\/api\/runs",status="201"\} 1$/m,
    );
    expect(text).toContain('# TYPE sandtable_model_call_duration_seconds histogram');
    expect(text).toContain('sandtable_process_cpu_seconds_total');
  });

  it('documents every route in /openapi.json, with the request schemas', async () => {
    const document = await readJson(await request('/openapi.json'));
    expect(document.openapi).toBe('3.1.0');
    const documented = new Set(
      routeDocs.map(
        (route) => `${route.method.toUpperCase()} ${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`,
      ),
    );
    const served = new Set(
      server.app.routes
        .filter(
          (route) => route.method !== 'ALL' && (route.path.startsWith('/api/') || !route.path.includes('*')),
        )
        .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    expect([...served].sort()).toEqual([...documented].sort());
    const create = document.paths['/api/runs'].post;
    expect(create.requestBody.content['application/json'].schema.properties.seed).toMatchObject({
      type: 'integer',
    });
    expect(
      document.paths['/api/runs/{id}/history/events'].get.parameters.map(
        (parameter: { name: string }) => parameter.name,
      ),
    ).toEqual(['id', 'after', 'type', 'fromStep', 'toStep', 'limit']);
  });

  it('serves the dashboard without a token, index.html for its own routes, JSON 404s under /api', async () => {
    const page = await server.app.request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Sandtable</title>');
    const script = await server.app.request('/assets/app.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    const deepLink = await server.app.request('/runs/some-run-id');
    expect(await deepLink.text()).toContain('<title>Sandtable</title>');
    const api = await request('/api/not-a-route');
    expect(api.status).toBe(404);
    expect((await readJson(api)).error.code).toBe('NOT_FOUND');
    expect((await server.app.request('/api/runs')).status).toBe(401);
  });
});
