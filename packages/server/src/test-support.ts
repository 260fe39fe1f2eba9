import { openStore, type Store } from '@sandtable/store';
import { createLogger } from './operations/logger';
import { createServer, type SandtableServer, type ServerOptions, startServer } from './server';

/** A silent logger for tests. */
export const silentLogger = createLogger({ level: 'silent' });

/** A server over a fresh in-memory store, no socket; close it after the test. */
export async function createTestServer(
  options: ServerOptions = {},
): Promise<SandtableServer & { store: Store }> {
  const store = options.store ?? (await openStore({ url: 'memory:' }));
  const server = await createServer({
    logger: silentLogger,
    dashboardDirectory: '/nonexistent',
    resumeInterrupted: false,
    environment: {},
    ...options,
    store,
  });
  return {
    ...server,
    store,
    async close() {
      await server.close();
      if (!options.store) await store.close();
    },
  };
}

/** The same, listening on a free loopback port. */
export async function startTestServer(options: ServerOptions = {}) {
  const store = options.store ?? (await openStore({ url: 'memory:' }));
  const server = await startServer({
    logger: silentLogger,
    dashboardDirectory: '/nonexistent',
    resumeInterrupted: false,
    environment: {},
    port: 0,
    ...options,
    store,
  });
  return {
    ...server,
    store,
    async close() {
      await server.close();
      if (!options.store) await store.close();
    },
  };
}

/** JSON request options for `app.request()`. */
export function jsonBody(body: unknown, init: RequestInit = {}): RequestInit {
  return {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    body: JSON.stringify(body),
  };
}

/** A response body as tests read it: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert the shape with expect()
export type ResponseJson = any;

/** The JSON body of a response. */
export async function readJson(response: Response): Promise<ResponseJson> {
  return response.json();
}
