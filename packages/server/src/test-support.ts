import { ModelRouter, OpenAIProvider } from '@sandtable/core';
import { openStore, type Store } from '@sandtable/store';
import { createLogger } from './operations/logger';
import { createServer, type SandtableServer, type ServerOptions, startServer } from './server';

/** A silent logger for tests. */
export const silentLogger = createLogger({ level: 'silent' });

/** A server over a fresh in-memory store, no socket; close it after the test. */
export async function createTestServer(
  options: ServerOptions = {},
): Promise<SandtableServer & { store: Store }> {
  const store = options.store ?? (await openStore({ url: options.databaseUrl ?? 'memory:' }));
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

/** Resolves with the run's record once its stored status is one of `statuses`. */
export async function waitForRunStatus(
  server: { store: Store; context: { live: { subscribeStatus(listener: () => void): () => void } } },
  runId: string,
  statuses: readonly string[],
): Promise<NonNullable<Awaited<ReturnType<Store['getRun']>>>> {
  for (;;) {
    const changed = new Promise<void>((resolve) => {
      const stop = server.context.live.subscribeStatus(() => {
        stop();
        resolve();
      });
      // Also look again now and then: a status written without a change event (e.g. by another process).
      setTimeout(() => {
        stop();
        resolve();
      }, 200);
    });
    const record = await server.store.getRun(runId);
    if (record && statuses.includes(record.status)) return record;
    await changed;
  }
}

/** One Server-Sent Events frame as it came over the wire. */
export interface SseFrame {
  /** The frame's text, without the blank line that ends it. */
  raw: string;
  id?: string;
  event?: string;
  data?: string;
  /** A comment frame (`: heartbeat`). */
  comment?: string;
}

function parseFrame(raw: string): SseFrame {
  const frame: SseFrame = { raw };
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    const colon = line.indexOf(': ');
    if (colon < 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
  }
  return frame;
}

/**
 * Reads SSE frames from a streaming response until `stop` returns true for one (that frame is
 * included) or the stream ends. Returns the frames and whether the stream ended by itself.
 */
export async function readFrames(
  response: Response,
  stop: (frame: SseFrame) => boolean = () => false,
): Promise<{ frames: SseFrame[]; ended: boolean }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { frames, ended: true };
    pending += decoder.decode(value, { stream: true });
    let end = pending.indexOf('\n\n');
    while (end >= 0) {
      const frame = parseFrame(pending.slice(0, end));
      pending = pending.slice(end + 2);
      frames.push(frame);
      if (stop(frame)) {
        await reader.cancel();
        return { frames, ended: false };
      }
      end = pending.indexOf('\n\n');
    }
  }
}

/**
 * A model router over one OpenAI-compatible endpoint (a simulated model server in tests) serving
 * every tier named, one attempt per call: what a server's `models.router` takes. Close it after.
 */
export function simulatedModelRouter(
  baseUrl: string,
  options: { tiers: readonly string[]; maxConcurrency: number },
): ModelRouter {
  return new ModelRouter({
    endpoints: [
      {
        id: 'local',
        provider: new OpenAIProvider({ id: 'local', baseUrl, apiKey: 'test' }),
        model: 'simulated-model',
        maxConcurrency: options.maxConcurrency,
        timeoutMs: 10_000,
      },
    ],
    tiers: Object.fromEntries(options.tiers.map((tier) => [tier, ['local']])),
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
  });
}
