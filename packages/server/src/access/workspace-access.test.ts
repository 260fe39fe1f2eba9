import { Writable } from 'node:stream';
import { openStore, type Store } from '@sandtable/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createLogger } from '../operations/logger';
import { createTestServer, jsonBody, readJson, startTestServer, waitForRunStatus } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

describe('tokens and workspaces', () => {
  let store: Store;
  let server: TestServer;
  let tokenA: string;
  let tokenB: string;
  const logLines: string[] = [];
  beforeAll(async () => {
    store = await openStore({ url: 'memory:' });
    const logs = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    // Bound to all interfaces (as far as the policy knows: this server never listens).
    server = await createTestServer({
      store,
      host: '0.0.0.0',
      logger: createLogger({ level: 'debug', destination: logs }),
    });
    tokenA = (await store.createToken((await store.createWorkspace({ name: 'alpha' })).id)).secret;
    tokenB = (await store.createToken((await store.createWorkspace({ name: 'beta' })).id)).secret;
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });
  const as = (token: string | undefined, path: string, init: RequestInit = {}) =>
    server.app.request(path, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });

  it('answers 401 without a token on a non-loopback bind, except health checks', async () => {
    for (const path of ['/api/runs', '/api/scenarios', '/metrics', '/openapi.json', '/api/events']) {
      const response = await as(undefined, path);
      expect(response.status).toBe(401);
      expect((await readJson(response)).error.code).toBe('TOKEN_REQUIRED');
    }
    expect((await as(undefined, '/healthz')).status).toBe(200);
    expect(await readJson(await as(undefined, '/readyz'))).toMatchObject({ ok: true });
    const unknown = await as('st_not-a-real-token', '/api/runs');
    expect(unknown.status).toBe(401);
    expect((await readJson(unknown)).error.code).toBe('TOKEN_INVALID');
    const malformed = await server.app.request('/api/runs', { headers: { authorization: tokenA } });
    expect((await readJson(malformed)).error.code).toBe('TOKEN_MALFORMED');
  });

  it('gives another workspace’s token 404 on every route of a run and a scenario', async () => {
    const scenario = await readJson(
      await as(tokenA, '/api/scenarios', jsonBody({ source: villageScenario() })),
    );
    const run = await readJson(
      await as(tokenA, '/api/runs', jsonBody({ scenarioId: scenario.id, steps: 3 })),
    );
    await waitForRunStatus(server, run.id, ['completed']);
    expect((await as(tokenA, `/api/runs/${run.id}`)).status).toBe(200);

    const foreign: Array<[string, RequestInit?]> = [
      [`/api/runs/${run.id}`],
      [`/api/runs/${run.id}/agents`],
      [`/api/runs/${run.id}/history/events`],
      [`/api/runs/${run.id}/history/messages`],
      [`/api/runs/${run.id}/state?step=1`],
      [`/api/runs/${run.id}/metrics`],
      [`/api/runs/${run.id}/events`],
      [`/api/runs/${run.id}/pause`, { method: 'POST' }],
      [`/api/runs/${run.id}/stop`, jsonBody({})],
      [`/api/runs/${run.id}/fork`, jsonBody({ step: 1 })],
      [`/api/scenarios/${scenario.id}`],
      [`/api/scenarios/${scenario.id}/versions/1`],
      [`/api/scenarios/${scenario.id}/clone`, jsonBody({})],
      ['/api/runs', jsonBody({ scenarioId: scenario.id })],
    ];
    for (const [path, init] of foreign) {
      const response = await as(tokenB, path, init);
      expect([path, response.status]).toEqual([path, 404]);
      expect((await readJson(response)).error.code).toMatch(/^(RUN|SCENARIO)_NOT_FOUND$/);
    }
    expect((await readJson(await as(tokenB, '/api/runs'))).runs).toEqual([]);
    expect((await readJson(await as(tokenB, '/api/scenarios'))).scenarios).toEqual([]);
    // The event stream takes the token as a query parameter too (EventSource cannot set headers).
    expect((await server.app.request(`/api/runs/${run.id}/events?token=${tokenB}`)).status).toBe(404);
    const own = await server.app.request(`/api/runs/${run.id}/events?token=${tokenA}`);
    expect(own.status).toBe(200);
    await own.body?.cancel();
  });

  it('never writes a token to the logs or the responses', async () => {
    const response = await as(tokenA, '/api/runs');
    expect(await response.text()).not.toContain(tokenA);
    createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    }).info({ headers: { authorization: `Bearer ${tokenA}` }, token: tokenB }, 'a request');
    const all = logLines.join('');
    expect(all).toContain('[redacted]');
    expect(all).not.toContain(tokenA);
    expect(all).not.toContain(tokenB);
  });

  it('requires the token over a real socket with --require-token on loopback', async () => {
    const listening = await startTestServer({ store, requireToken: true });
    try {
      const refused = await fetch(`${listening.url}/api/runs`);
      expect(refused.status).toBe(401);
      expect((await readJson(refused)).error.code).toBe('TOKEN_REQUIRED');
      const allowed = await fetch(`${listening.url}/api/runs`, {
        headers: { authorization: `Bearer ${tokenA}` },
      });
      expect(allowed.status).toBe(200);
      expect((await fetch(`${listening.url}/healthz`)).status).toBe(200);
    } finally {
      await listening.close();
    }
  });
});
