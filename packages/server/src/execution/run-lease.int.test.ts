import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ModelRouter, OpenAIProvider, type RunEvent } from '@sandtable/core';
import { SimulatedModelServer } from '@sandtable/core/testing';
import { createStoredRun, openRunLeases, openStore, type Store } from '@sandtable/store';
import { createTestDatabase, cutRunLease, runLeaseHeld } from '@sandtable/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villageScenario } from '../__fixtures__/village-scenario';
import { createTestServer } from '../test-support';

type TestServer = Awaited<ReturnType<typeof createTestServer>>;

/** What must be equal between two executions of one run: everything but wall time. */
function comparable(event: RunEvent): string {
  const { wallTime: _wallTime, ...rest } = event;
  return JSON.stringify(rest);
}

async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the server of `lease-child-server.ts` in a process of its own; resolves once it is up. */
async function startChildServer(databaseUrl: string, modelUrl: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('../__fixtures__/lease-child-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, DATABASE_URL: databaseUrl, MODEL_URL: modelUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the child server exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  return child;
}

/**
 * Two servers on one PostgreSQL database, both started while a run is `running` (as after a
 * crash): the execution lease lets exactly one execute it; when that one closes, the other's
 * resume scan takes the run over and it finishes as one uninterrupted execution would have.
 */
describe('one executor per run across servers on PostgreSQL', { timeout: 300_000 }, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let model: SimulatedModelServer;
  let router: ModelRouter;
  let store: Store;
  const servers: TestServer[] = [];
  // Model-backed agents, each call ~100 ms: the run takes long enough to be seen executing.
  const steps = 30;
  const scenario = villageScenario({ steps, agents: 2 }).replace(
    'role: villager',
    'role: villager\n    brain: fast',
  );

  let reference: Promise<string[]> | undefined;
  const withoutId = (list: RunEvent[], runId: string) =>
    list.map((event) => comparable(event).replaceAll(runId, 'RUN'));
  /** The same run executed once, without interruption, in a fresh store: its events. */
  const uninterrupted = () => {
    reference ??= (async () => {
      const alone = await createTestServer({ models: { router } });
      try {
        const { record } = await createStoredRun(alone.store, { source: scenario, seed: 7 });
        await alone.context.runs.submit(record);
        await until(async () =>
          (await alone.store.getRun(record.id))?.status === 'completed' ? true : undefined,
        );
        return withoutId(await alone.store.eventsAfter(record.id, 0, 100_000), record.id);
      } finally {
        await alone.close();
      }
    })();
    return reference;
  };

  beforeAll(async () => {
    database = await createTestDatabase('sandtable_lease_server');
    model = await SimulatedModelServer.start({ latency: { kind: 'fixed', milliseconds: 100 } });
    router = new ModelRouter({
      endpoints: [
        {
          id: 'local',
          provider: new OpenAIProvider({ id: 'local', baseUrl: model.openaiBaseUrl, apiKey: 'test' }),
          model: 'simulated-model',
          maxConcurrency: 4,
          timeoutMs: 20_000,
        },
      ],
      tiers: { fast: ['local'] },
      // Retries cover a kept-alive socket the model server closed while idle (it never saw that request).
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    store = await openStore({ url: database.url });
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await store?.close();
    router?.close();
    await model?.close();
    await database?.drop();
  });

  it('exactly one server executes the run; closing it hands the run to the other, which finishes it', async () => {
    const { record } = await createStoredRun(store, { source: scenario, seed: 7 });
    // As a server that died mid-run left it.
    await store.updateRun(record.id, { status: 'running', startedAt: new Date() });
    const start = () =>
      createTestServer({
        databaseUrl: database.url,
        models: { router },
        resumeInterrupted: true,
        resumeScanMs: 200,
      });
    const [first, second] = await Promise.all([start(), start()]);
    servers.push(first, second);
    const pair = [first, second];
    const executing = () => pair.filter((server) => server.context.runs.info(record.id).live);

    await until(async () => ((await store.getRun(record.id))?.lastStep ?? 0) >= 2 || undefined);
    // Watched for a while: never both, never neither while the run goes on.
    for (let sample = 0; sample < 10; sample++) {
      const current = await store.getRun(record.id);
      if (current?.status !== 'running') break;
      expect(executing()).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [owner] = executing();
    const other = pair.find((server) => server !== owner) as TestServer;
    expect(owner).toBeDefined();
    expect(other.context.runs.activeCount).toBe(0);
    expect(other.context.runs.queueDepth).toBe(0);

    // The owner shuts down: its step in progress commits, the run is left resumable…
    await owner?.close();
    servers.splice(servers.indexOf(owner as TestServer), 1);
    const handedOver = await store.getRun(record.id);
    expect(handedOver?.status).toBe('stopped');
    expect(handedOver?.lastStep).toBeLessThan(steps);
    // …and the other server's next resume scan takes it over and finishes it.
    const finished = await until(async () => {
      const current = await store.getRun(record.id);
      return current?.status === 'completed' || current?.status === 'failed' ? current : undefined;
    });
    expect(finished).toMatchObject({ status: 'completed', lastStep: steps });

    const events = await store.eventsAfter(record.id, 0, 100_000);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'run-failed')).toEqual([]);
    // No model call was made twice: every request that reached the model is one stored call.
    const calls = await store.modelCalls(record.id);
    expect(calls.length).toBeGreaterThanOrEqual(2 * steps);
    expect(model.requests()).toHaveLength(calls.length);

    // The same run executed once, without interruption: the same events.
    expect(withoutId(events, record.id)).toEqual(await uninterrupted());
  });

  it('a lease connection cut while the run executes: the server takes the lease again and the run goes on', async () => {
    // Alone on the database: no other server's scan may take the run while its lease is cut.
    for (const earlier of servers.splice(0)) await earlier.close();
    model.configure({ latency: { kind: 'fixed', milliseconds: 100 } });
    const server = await createTestServer({
      databaseUrl: database.url,
      models: { router },
      resumeScanMs: 200,
    });
    servers.push(server);
    const { record } = await createStoredRun(server.store, { source: scenario, seed: 7 });
    await server.context.runs.submit(record);
    await until(async () => ((await store.getRun(record.id))?.lastStep ?? 0) >= 2 || undefined);
    const other = openRunLeases({ url: database.url });
    try {
      // As an administrator's pg_terminate_backend or a proxy's idle timeout would.
      expect(await cutRunLease(database.url, record.id)).toBe(1);
      // Taken again by the executing server, on a new connection: nobody else can have it.
      await until(async () => ((await runLeaseHeld(database.url, record.id)) ? true : undefined));
      expect(await other.tryAcquire(record.id)).toBeUndefined();
      const finished = await until(async () => {
        const current = await store.getRun(record.id);
        return current?.status === 'completed' || current?.status === 'failed' ? current : undefined;
      });
      expect(finished).toMatchObject({ status: 'completed', lastStep: steps });
      expect(withoutId(await store.eventsAfter(record.id, 0, 100_000), record.id)).toEqual(
        await uninterrupted(),
      );
    } finally {
      await other.close();
    }
  });

  it('a server process killed mid-run (SIGKILL) frees the lease: the other takes the run over and finishes it', async () => {
    // Slower calls: the run must outlast the survivor's start.
    model.configure({ latency: { kind: 'fixed', milliseconds: 400 } });
    const { record } = await createStoredRun(store, { source: scenario, seed: 7 });
    await store.updateRun(record.id, { status: 'running', startedAt: new Date() });
    const child = await startChildServer(database.url, model.openaiBaseUrl);
    let killed = false;
    try {
      await until(async () => ((await store.getRun(record.id))?.lastStep ?? 0) >= 2 || undefined);
      // Started while the child executes the run: its start-up resume leaves the run alone.
      const survivor = await createTestServer({
        databaseUrl: database.url,
        models: { router },
        resumeInterrupted: true,
        resumeScanMs: 200,
      });
      servers.push(survivor);
      expect(survivor.context.runs.info(record.id).live).toBe(false);
      expect((await store.getRun(record.id))?.status).toBe('running');

      child.kill('SIGKILL');
      killed = true;
      const finished = await until(async () => {
        const current = await store.getRun(record.id);
        return current?.status === 'completed' || current?.status === 'failed' ? current : undefined;
      });
      expect(finished).toMatchObject({ status: 'completed', lastStep: steps });
      const events = await store.eventsAfter(record.id, 0, 100_000);
      expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
      expect(events.filter((event) => event.type === 'run-failed')).toEqual([]);
      expect(withoutId(events, record.id)).toEqual(await uninterrupted());
    } finally {
      if (!killed) child.kill('SIGKILL');
    }
  });
});
