import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { errorFromAbort, errorFromStatus } from './provider-errors';
import { ProviderError } from './types';

/** Options of an {@link OpenAICompatibleTransport}. */
export interface OpenAICompatibleTransportOptions {
  /** Id used in errors. */
  providerId: string;
  /** Base URL ending in `/v1`; `/chat/completions` (or `/embeddings`) is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when given; never logged. */
  apiKey?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** A JSON reply as the server sent it, parsed once; its shape is checked by the caller. */
export type JsonReply = unknown;

/**
 * The lean path for the one call a simulation makes thousands of times: a non-streaming
 * `POST /chat/completions` to an OpenAI-compatible server over `node:http(s)`, with one
 * keep-alive connection pool per transport, the body serialised once and the reply parsed once.
 *
 * Why not the SDK here: on a zero-latency loopback server the SDK + fetch path costs about twice
 * the client CPU per call of this one (decision 0010) — its request-options layer, header
 * objects, WHATWG streams and a second copy of the body — which is what keeps the engine under
 * 2,000 calls/s on 2 cores. Errors map to the same {@link ProviderError} codes as the SDK path.
 */
export class OpenAICompatibleTransport {
  readonly #providerId: string;
  readonly #url: URL;
  readonly #embeddingsUrl: URL;
  readonly #headers: Record<string, string>;
  readonly #request: typeof httpRequest;
  readonly #agent: HttpAgent;

  constructor(options: OpenAICompatibleTransportOptions) {
    this.#providerId = options.providerId;
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.#url = new URL('chat/completions', base);
    this.#embeddingsUrl = new URL('embeddings', base);
    const secure = this.#url.protocol === 'https:';
    if (!secure && this.#url.protocol !== 'http:') {
      throw new ProviderError(
        'PROVIDER_BAD_REQUEST',
        `${options.providerId}: base URL must be http or https, not ${this.#url.protocol}`,
        { providerId: options.providerId },
      );
    }
    this.#request = secure ? httpsRequest : httpRequest;
    // Node's agent reuses sockets and closes idle ones 1 s before the server's Keep-Alive hint
    // (as undici does), so a reused socket is rarely one the server is closing.
    this.#agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.#headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...options.headers,
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    };
  }

  /**
   * Posts one chat-completions body and returns the parsed JSON reply.
   * Aborting `signal` destroys the socket, so the server sees the client leave.
   * @throws {@link ProviderError}
   */
  postChat(body: Record<string, unknown>, signal?: AbortSignal): Promise<JsonReply> {
    return this.#post(this.#url, body, signal);
  }

  /**
   * Posts one `/embeddings` body (`{ model, input: string[] }`) and returns the parsed JSON reply.
   * @throws {@link ProviderError}
   */
  postEmbeddings(body: Record<string, unknown>, signal?: AbortSignal): Promise<JsonReply> {
    return this.#post(this.#embeddingsUrl, body, signal);
  }

  async #post(url: URL, body: Record<string, unknown>, signal?: AbortSignal): Promise<JsonReply> {
    if (signal?.aborted) throw errorFromAbort(signal, this.#providerId);
    const payload = JSON.stringify(body);
    const { status, headers, text } = await this.#send(url, payload, signal);
    if (status >= 400) {
      throw errorFromStatus(status, headers, errorDetail(status, text), this.#providerId);
    }
    try {
      return JSON.parse(text) as JsonReply;
    } catch (error) {
      throw new ProviderError(
        'PROVIDER_MALFORMED_REPLY',
        `${this.#providerId} sent a reply that is not JSON: ${(error as Error).message}`,
        { providerId: this.#providerId, cause: error },
      );
    }
  }

  /** Closes idle pooled connections; calls in flight finish. */
  close(): void {
    this.#agent.destroy();
  }

  #send(
    url: URL,
    payload: string,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) => reject(this.#toError(error, signal));
      const outgoing = this.#request(url, {
        method: 'POST',
        agent: this.#agent,
        headers: { ...this.#headers, 'content-length': Buffer.byteLength(payload) },
        ...(signal ? { signal } : {}),
      });
      outgoing.on('error', fail);
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // A socket closed mid-body: Node emits `aborted` then an ECONNRESET error on the response.
        response.on('error', fail);
        response.on('end', () => {
          if (!response.complete) {
            fail(
              Object.assign(new Error('the connection closed before the reply ended'), {
                code: 'ECONNRESET',
              }),
            );
            return;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      outgoing.end(payload);
    });
  }

  #toError(error: unknown, signal: AbortSignal | undefined): ProviderError {
    if (error instanceof ProviderError) return error;
    // An aborted request surfaces as AbortError or a socket error, whichever came first.
    if (signal?.aborted) return errorFromAbort(signal, this.#providerId, error);
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const detail = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
    return new ProviderError('PROVIDER_CONNECTION', `cannot reach ${this.#providerId}: ${detail}`, {
      providerId: this.#providerId,
      cause: error,
    });
  }
}

/** The server's own words for an error, as the SDK shows them: `status message`. */
function errorDetail(status: number, text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const said =
      typeof parsed.error === 'string'
        ? parsed.error
        : typeof parsed.error?.message === 'string'
          ? parsed.error.message
          : typeof parsed.message === 'string'
            ? parsed.message
            : undefined;
    if (said !== undefined) return `${status} ${said}`;
  } catch {
    // Not JSON (a proxy's HTML page, say): show the start of it.
  }
  const trimmed = text.trim();
  return trimmed ? `${status} ${trimmed.slice(0, 200)}` : `${status} status code (no body)`;
}
