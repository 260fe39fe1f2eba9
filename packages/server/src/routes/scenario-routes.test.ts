import { formatIssue, validateScenarioText } from '@sandtable/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createTestServer, jsonBody, readJson } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

describe('scenario routes', () => {
  let server: TestServer;
  // One embedded store for the file: opening PGlite is the expensive part.
  beforeAll(async () => {
    server = await createTestServer({ bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await server.close();
  });
  const request = (path: string, init?: RequestInit) => server.app.request(path, init);

  it('creates, versions, reads, clones and deletes a scenario', async () => {
    const created = await request('/api/scenarios', jsonBody({ source: villageScenario() }));
    expect(created.status).toBe(201);
    const scenario = await readJson(created);
    expect(scenario).toMatchObject({ name: 'Village', latestVersion: 1, versions: [{ version: 1 }] });

    const changed = villageScenario({ agents: 6 });
    const versioned = await request(`/api/scenarios/${scenario.id}/versions`, jsonBody({ source: changed }));
    expect(versioned.status).toBe(201);
    expect(await readJson(versioned)).toMatchObject({ latestVersion: 2, source: changed });

    const first = await readJson(await request(`/api/scenarios/${scenario.id}/versions/1`));
    expect(first).toMatchObject({ version: 1, source: villageScenario() });

    const cloned = await request(`/api/scenarios/${scenario.id}/clone`, jsonBody({ version: 1 }));
    expect(cloned.status).toBe(201);
    const copy = await readJson(cloned);
    expect(copy).toMatchObject({ name: 'Village (copy)', latestVersion: 1, source: villageScenario() });
    expect(copy.id).not.toBe(scenario.id);

    const listed = await readJson(await request('/api/scenarios'));
    const ids = listed.scenarios.map((entry: { id: string }) => entry.id);
    expect(ids).toEqual(expect.arrayContaining([scenario.id, copy.id]));

    expect((await request(`/api/scenarios/${scenario.id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await request(`/api/scenarios/${scenario.id}`);
    expect(gone.status).toBe(404);
    expect(await readJson(gone)).toEqual({
      error: { code: 'SCENARIO_NOT_FOUND', message: `no scenario "${scenario.id}"` },
    });
  });

  it('validates like `sandtable validate`, and refuses to store an invalid scenario', async () => {
    const broken = villageScenario()
      .replace('count: 4', 'count: many')
      .replace('unit: day', 'unit: day, speed: 3');
    const expected = validateScenarioText(broken).issues.map(formatIssue);
    expect(expected.length).toBeGreaterThan(0);
    const validated = await readJson(await request('/api/scenarios/validate', jsonBody({ source: broken })));
    expect(validated.ok).toBe(false);
    expect(validated.issues.map((issue: { text: string }) => issue.text)).toEqual(expected);
    expect(validated.issues[0]).toHaveProperty('line');

    const before = (await readJson(await request('/api/scenarios'))).scenarios.length;
    const refused = await request('/api/scenarios', jsonBody({ source: broken }));
    expect(refused.status).toBe(422);
    const body = await readJson(refused);
    expect(body.error.code).toBe('SCENARIO_INVALID');
    expect(body.error.details.issues.map(formatIssue)).toEqual(expected);
    expect((await readJson(await request('/api/scenarios'))).scenarios).toHaveLength(before);

    const good = await (
      await request('/api/scenarios/validate', jsonBody({ source: villageScenario() }))
    ).json();
    expect(good).toEqual({ ok: true, issues: [] });
  });

  it('answers bad requests with the error shape: field paths, malformed JSON, unknown routes, 413', async () => {
    const before = (await readJson(await request('/api/scenarios'))).scenarios.length;
    const missing = await request('/api/scenarios', jsonBody({ name: 3, extra: true }));
    expect(missing.status).toBe(400);
    const body = await readJson(missing);
    expect(body.error.code).toBe('REQUEST_INVALID');
    expect(body.error.details.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      '',
      'name',
      'source',
    ]);

    const malformed = await request('/api/scenarios', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"source": ',
    });
    expect(malformed.status).toBe(400);
    expect((await readJson(malformed)).error.code).toBe('REQUEST_MALFORMED');

    const unknown = await request('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect((await readJson(unknown)).error.code).toBe('NOT_FOUND');

    const huge = await request(
      '/api/scenarios',
      jsonBody({ source: `# ${'x'.repeat(70 * 1024)}\n${villageScenario()}` }),
    );
    expect(huge.status).toBe(413);
    expect((await readJson(huge)).error.code).toBe('REQUEST_TOO_LARGE');
    expect((await readJson(await request('/api/scenarios'))).scenarios).toHaveLength(before);
  });
});
