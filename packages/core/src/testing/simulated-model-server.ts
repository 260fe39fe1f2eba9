import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  applyReplyFault,
  defaultReply,
  estimateTokens,
  FaultSchedule,
  LatencySchedule,
  normaliseReply,
  PrefixCache,
} from './simulated-behaviour';
import {
  defaultSynonymGroups,
  openAIEmbeddingList,
  simulatedEmbedding,
  synonymTable,
} from './simulated-embeddings';
import {
  type FaultKind,
  faultKinds,
  type SimulatedChatRequest,
  type SimulatedServerOptions,
  type SimulatedServerStats,
} from './simulated-server-types';
import {
  anthropicMessage,
  anthropicStreamFrames,
  errorBody,
  openAICompletion,
  openAIStreamFrames,
  parseAnthropicRequest,
  parseOpenAIRequest,
  type SimulatedUsage,
} from './simulated-wire-formats';

/** The parts of the options that can be changed while the server runs. */
export type SimulatedServerBehaviour = Pick<
  SimulatedServerOptions,
  'latency' | 'faults' | 'capacity' | 'reply' | 'streamChunkDelayMs' | 'embeddings'
>;

/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions wire format
 * (`POST /v1/chat/completions`, streaming and not, `GET /v1/models`, `POST /v1/embeddings` with
 * deterministic hashed bag-of-words vectors), Anthropic's Messages format
 * (`POST /v1/messages`, streaming events; `GET /v1/models` with an `anthropic-version` header) and
 * Ollama's `GET /api/tags`. Replies are scriptable; latency, faults and capacity limits follow
 * seeded schedules; usage reports prefix-cache hits as cached tokens. {@link stats} counts
 * requests, completed responses and client disconnects.
 *
 * @example
 * const server = await SimulatedModelServer.start({ faults: { sequence: ['rate-limited'] } });
 * const provider = new OpenAIProvider({ baseUrl: server.openaiBaseUrl });
 * // … first call gets a 429 with retry-after, the next succeeds
 * await server.close();
 */
export class SimulatedModelServer {
  readonly #server: Server;
  readonly #options: SimulatedServerOptions;
  readonly #open = new Set<ServerResponse>();
  readonly #requests: SimulatedChatRequest[] = [];
  readonly #embeddingRequests: Array<{ model: string; input: string[] }> = [];
  readonly #cache: PrefixCache;
  #faults: FaultSchedule;
  #latency: LatencySchedule;
  #behaviour: SimulatedServerBehaviour;
  #chatIndex = 0;
  #stats: SimulatedServerStats = emptyStats();
  #closing = false;

  private constructor(server: Server, options: SimulatedServerOptions) {
    this.#server = server;
    this.#options = options;
    this.#behaviour = options;
    this.#faults = new FaultSchedule(options.faults);
    this.#latency = new LatencySchedule(options.latency);
    this.#cache = new PrefixCache(options.prefixCache ?? true);
  }

  /** Starts a server on a free port (or the one given). */
  static async start(options: SimulatedServerOptions = {}): Promise<SimulatedModelServer> {
    let instance: SimulatedModelServer | undefined;
    const server = createServer((request, response) => {
      if (!instance) return;
      instance.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
        else response.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    instance = new SimulatedModelServer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return instance;
  }

  /** `http://127.0.0.1:PORT` — the Anthropic base URL. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  /** `http://127.0.0.1:PORT/v1` — the OpenAI-compatible base URL. */
  get openaiBaseUrl(): string {
    return `${this.url}/v1`;
  }

  /** The Anthropic base URL (same as {@link url}). */
  get anthropicBaseUrl(): string {
    return this.url;
  }

  /** The port it listens on. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** A copy of the counters. */
  stats(): SimulatedServerStats {
    return { ...this.#stats, faults: { ...this.#stats.faults } };
  }

  /** Every embedding request received, in arrival order (unless `recordRequests` is off). */
  embeddingRequests(): ReadonlyArray<{ model: string; input: string[] }> {
    return this.#embeddingRequests;
  }

  /** Every chat request received, in arrival order (unless `recordRequests` is off). */
  requests(): readonly SimulatedChatRequest[] {
    return this.#requests;
  }

  /**
   * Changes latency, faults, capacity or replies from now on (e.g. to end a burst of 429s).
   * Fault and latency schedules restart from their seeds; request numbering goes on.
   */
  configure(behaviour: SimulatedServerBehaviour): void {
    this.#behaviour = { ...this.#behaviour, ...behaviour };
    if ('faults' in behaviour) this.#faults = new FaultSchedule(behaviour.faults);
    if ('latency' in behaviour) this.#latency = new LatencySchedule(behaviour.latency);
  }

  /** Stops listening and ends every open connection, hanging ones included. */
  async close(): Promise<void> {
    this.#closing = true;
    const open = [...this.#open];
    const responsesClosed = Promise.all(
      open.map((response) =>
        response.closed ? undefined : new Promise((resolve) => response.once('close', resolve)),
      ),
    );
    for (const response of open) response.destroy();
    this.#open.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    // Wait for the destroyed responses' close events so the counters are final.
    await Promise.all([closed, responsesClosed]);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#stats.requests += 1;
    const path = (request.url ?? '/').split('?')[0];
    let selfDestroyed = false;
    response.on('finish', () => {
      this.#stats.completed += 1;
    });
    response.on('close', () => {
      this.#open.delete(response);
      if (!response.writableFinished && !selfDestroyed && !this.#closing) this.#stats.disconnects += 1;
    });
    if (request.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      const models = this.#options.models ?? ['simulated-model'];
      const anthropic = request.headers['anthropic-version'] !== undefined;
      sendJson(
        response,
        200,
        anthropic
          ? {
              data: models.map((id) => ({
                type: 'model',
                id,
                display_name: id,
                created_at: '2025-01-01T00:00:00Z',
              })),
              has_more: false,
              first_id: models[0] ?? null,
              last_id: models.at(-1) ?? null,
            }
          : {
              object: 'list',
              data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'sandtable' })),
            },
      );
      return;
    }
    if (request.method === 'GET' && path === '/api/tags') {
      const models = this.#options.models ?? ['simulated-model'];
      sendJson(response, 200, { models: models.map((name) => ({ name, model: name })) });
      return;
    }
    if (request.method === 'POST' && (path === '/v1/embeddings' || path === '/embeddings')) {
      await this.#embed(request, response);
      return;
    }
    const api =
      path === '/v1/chat/completions' || path === '/chat/completions'
        ? 'openai'
        : path === '/v1/messages'
          ? 'anthropic'
          : undefined;
    if (request.method !== 'POST' || api === undefined) {
      sendJson(response, 404, { error: { message: `no route for ${request.method} ${path}` } });
      return;
    }
    const text = await readBody(request);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      sendJson(response, 400, errorBody(api, 400, 'the request body is not JSON'));
      return;
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0 || typeof body.model !== 'string') {
      sendJson(
        response,
        400,
        errorBody(api, 400, 'model (a string) and messages (a non-empty array) are required'),
      );
      return;
    }
    const index = this.#chatIndex++;
    const parsed =
      api === 'openai'
        ? parseOpenAIRequest(body, index, request.headers)
        : parseAnthropicRequest(body, index, request.headers);
    if (this.#options.recordRequests ?? true) this.#requests.push(parsed);
    this.#stats.chatRequests += 1;
    this.#stats.inFlight += 1;
    this.#stats.maxInFlight = Math.max(this.#stats.maxInFlight, this.#stats.inFlight);
    this.#open.add(response);
    response.on('close', () => {
      this.#stats.inFlight -= 1;
    });
    const capacity = this.#behaviour.capacity;
    const context = { index, request: parsed };
    const fault = this.#faults.faultFor(context);
    if (capacity && this.#stats.inFlight > capacity.maxInFlight) {
      this.#stats.capacityRejections += 1;
      this.#sendError(
        response,
        api,
        429,
        'the server is at capacity',
        capacity.retryAfterMs ?? this.#faults.retryAfterMs,
      );
      return;
    }
    if (fault) this.#stats.faults[fault] += 1;
    switch (fault) {
      case 'rate-limited':
        this.#sendError(response, api, 429, 'rate limit reached', this.#faults.retryAfterMs);
        return;
      case 'server-error':
        this.#sendError(response, api, 500, 'internal error');
        return;
      case 'unavailable':
        this.#sendError(response, api, 503, 'overloaded', this.#faults.retryAfterMs);
        return;
      case 'queue-full':
        this.#sendError(
          response,
          api,
          503,
          'server busy, please try again. maximum pending requests exceeded',
        );
        return;
      case 'connection-reset':
        selfDestroyed = true;
        request.socket.destroy();
        return;
      case 'hang':
        // Never answer; the response stays open until the client leaves or close() ends it.
        return;
      default:
        break;
    }
    const thinking = this.#latency.latencyFor(context);
    if (thinking > 0 && !(await waitUnlessClosed(thinking, response))) return;
    const reply = applyReplyFault(
      normaliseReply(await (this.#behaviour.reply ?? defaultReply)(parsed)),
      fault,
      parsed,
    );
    const measured = this.#cache.measure(parsed);
    const usage: SimulatedUsage = {
      promptTokens: measured.promptTokens,
      cachedTokens: measured.cachedTokens,
      completionTokens: estimateTokens(
        reply.text + reply.toolCalls.map((call) => call.name + call.arguments).join(''),
      ),
    };
    const model = parsed.model || (this.#options.models?.[0] ?? 'simulated-model');
    const id = `sim${index}`;
    const truncated = fault === 'truncated-stream';
    if (!parsed.stream) {
      const payload = JSON.stringify(
        api === 'openai'
          ? openAICompletion(reply, model, usage, id)
          : anthropicMessage(reply, model, usage, id),
      );
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(truncated ? payload.slice(0, Math.floor(payload.length / 2)) : payload);
      if (!truncated) this.#stats.succeeded += 1;
      return;
    }
    const includeUsage =
      (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const { frames, bodyFrames } =
      api === 'openai'
        ? openAIStreamFrames(reply, model, usage, id, includeUsage)
        : anthropicStreamFrames(reply, model, usage, id);
    const toSend = truncated ? frames.slice(0, Math.max(1, Math.floor(bodyFrames / 2))) : frames;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const delay = this.#behaviour.streamChunkDelayMs ?? 0;
    for (const frame of toSend) {
      if (response.destroyed) return;
      response.write(frame);
      if (delay > 0 && !(await waitUnlessClosed(delay, response))) return;
    }
    response.end();
    if (!truncated) this.#stats.succeeded += 1;
  }

  /** `POST /v1/embeddings`: deterministic hashed bag-of-words vectors ({@link simulatedEmbedding}). */
  async #embed(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const options = this.#behaviour.embeddings ?? {};
    let body: { model?: unknown; input?: unknown };
    try {
      body = JSON.parse(await readBody(request)) as typeof body;
    } catch {
      sendJson(response, 400, errorBody('openai', 400, 'the request body is not JSON'));
      return;
    }
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    if (
      typeof body.model !== 'string' ||
      !Array.isArray(input) ||
      !input.every((item): item is string => typeof item === 'string')
    ) {
      sendJson(
        response,
        400,
        errorBody('openai', 400, 'model (a string) and input (a string or an array of strings) are required'),
      );
      return;
    }
    this.#stats.embeddingRequests += 1;
    if (this.#options.recordRequests ?? true) this.#embeddingRequests.push({ model: body.model, input });
    if (options.failure === 'server-error') {
      this.#sendError(response, 'openai', 500, 'internal error');
      return;
    }
    if (options.failure === 'unavailable') {
      this.#sendError(response, 'openai', 503, 'overloaded', this.#faults.retryAfterMs);
      return;
    }
    if (options.failure === 'not-found') {
      sendJson(response, 404, errorBody('openai', 404, `model "${body.model}" does not support embeddings`));
      return;
    }
    const synonyms = synonymTable(options.synonyms ?? defaultSynonymGroups);
    const dimensions = options.dimensions ?? 128;
    const vectors = input.map((text) => simulatedEmbedding(text, dimensions, synonyms));
    const tokens = input.reduce((sum, text) => sum + estimateTokens(text), 0);
    sendJson(response, 200, openAIEmbeddingList(vectors, body.model || 'simulated-embedding', tokens));
  }

  #sendError(
    response: ServerResponse,
    api: 'openai' | 'anthropic',
    status: number,
    message: string,
    retryAfterMs?: number,
  ): void {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (retryAfterMs !== undefined) {
      headers['retry-after-ms'] = String(Math.round(retryAfterMs));
      headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
    }
    response.writeHead(status, headers);
    response.end(JSON.stringify(errorBody(api, status, message)));
  }
}

/** Starts a {@link SimulatedModelServer}; shorthand for `SimulatedModelServer.start(options)`. */
export function startSimulatedModelServer(
  options: SimulatedServerOptions = {},
): Promise<SimulatedModelServer> {
  return SimulatedModelServer.start(options);
}

function emptyStats(): SimulatedServerStats {
  return {
    requests: 0,
    chatRequests: 0,
    embeddingRequests: 0,
    completed: 0,
    succeeded: 0,
    disconnects: 0,
    inFlight: 0,
    maxInFlight: 0,
    capacityRejections: 0,
    faults: Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>,
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Waits, unless the client goes away first. Resolves true when the wait ran out normally. */
function waitUnlessClosed(milliseconds: number, response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    if (response.destroyed) {
      resolve(false);
      return;
    }
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      response.off('close', onClose);
      resolve(true);
    }, milliseconds);
    response.once('close', onClose);
  });
}
