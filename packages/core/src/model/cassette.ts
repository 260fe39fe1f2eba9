import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { SandtableError } from '../errors';
import { canonicalJson, sha256 } from './canonical-json';
import { errorFromAbort } from './provider-errors';
import {
  type ChatRequest,
  type ChatResponse,
  type ModelProvider,
  ProviderError,
  type ProviderErrorCode,
  type RequestMetadata,
} from './types';

/** The parts of a request a cassette keys on and keeps. */
export type CassetteRequest = Pick<
  ChatRequest,
  'model' | 'messages' | 'tools' | 'responseFormat' | 'temperature' | 'seed' | 'embed'
>;

/** One recorded call. */
export interface CassetteEntry {
  /** {@link Cassette.keyOf} the request. */
  key: string;
  request: CassetteRequest;
  /** The reply; absent when the call failed. */
  response?: ChatResponse;
  /** How the call failed, when it did (recorded so a replay fails the same way). */
  error?: { code: ProviderErrorCode; message: string };
  metadata?: RequestMetadata;
}

/** What a recorded call gave: a reply or a failure. */
export type CassetteOutcome = { response: ChatResponse } | { error: ProviderError };

const header = { cassette: 'sandtable', version: 1 } as const;

const entrySchema = z.object({
  key: z.string().regex(/^[0-9a-f]{64}$/),
  request: z.object({ model: z.string(), messages: z.array(z.unknown()) }).passthrough(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  response: z
    .object({
      text: z.string(),
      toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
      usage: z.object({
        promptTokens: z.number(),
        completionTokens: z.number(),
        cachedPromptTokens: z.number(),
      }),
      latencyMs: z.number(),
      finishReason: z.enum(['stop', 'tool_calls', 'length', 'content_filter', 'other']),
      model: z.string(),
      embeddings: z.array(z.array(z.number())).optional(),
    })
    .optional(),
  metadata: z
    .object({ runId: z.string().optional(), step: z.number().optional(), agentId: z.string().optional() })
    .optional(),
});

function keptPart(request: ChatRequest): CassetteRequest {
  const kept: CassetteRequest = { model: request.model, messages: request.messages };
  if (request.tools !== undefined) kept.tools = request.tools;
  if (request.responseFormat !== undefined) kept.responseFormat = request.responseFormat;
  if (request.temperature !== undefined) kept.temperature = request.temperature;
  if (request.seed !== undefined) kept.seed = request.seed;
  if (request.embed !== undefined) kept.embed = request.embed;
  return kept;
}

/**
 * Recorded model responses keyed by request, so a run can re-execute exactly with no model at all.
 * The key is the SHA-256 of the canonical JSON of model, messages, tools, response format,
 * temperature, seed and (for embedding calls) the texts embedded. The same request recorded several times is replayed in recording order.
 * Stored as JSONL: a header line, then one entry a line.
 */
export class Cassette {
  readonly #entries: CassetteEntry[] = [];
  readonly #byKey = new Map<string, CassetteEntry[]>();
  readonly #served = new Map<string, number>();

  /** @param entries - recorded entries, in recording order */
  constructor(entries: Iterable<CassetteEntry> = []) {
    for (const entry of entries) this.#add(entry);
  }

  /** The key of a request: SHA-256 of the canonical JSON of what the model is asked. */
  static keyOf(request: ChatRequest): string {
    return sha256(canonicalJson(keptPart(request)));
  }

  /**
   * Reads a cassette from JSONL.
   * @throws {@link SandtableError} `CASSETTE_INVALID` (user) naming the file and line of a bad entry.
   */
  static fromJsonl(text: string, source = 'cassette'): Cassette {
    const entries: CassetteEntry[] = [];
    for (const [index, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw invalid(source, index + 1, 'the line is not JSON', error);
      }
      if ((value as { cassette?: unknown }).cassette === header.cassette) continue;
      const parsed = entrySchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw invalid(
          source,
          index + 1,
          `${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}`,
        );
      }
      entries.push(parsed.data as CassetteEntry);
    }
    return new Cassette(entries);
  }

  /** Reads a cassette file. @throws {@link SandtableError} `CASSETTE_INVALID` */
  static async load(path: string): Promise<Cassette> {
    return Cassette.fromJsonl(await readFile(path, 'utf8'), path);
  }

  /** Every entry in recording order. */
  get entries(): readonly CassetteEntry[] {
    return this.#entries;
  }

  /** Number of recorded calls. */
  get size(): number {
    return this.#entries.length;
  }

  /** Adds a recorded call. */
  record(request: ChatRequest, response: ChatResponse): void {
    this.#add(this.#entry(request, { response }));
  }

  /** Adds a recorded failure (not aborts: those say nothing about the model). */
  recordFailure(request: ChatRequest, error: ProviderError): void {
    this.#add(this.#entry(request, { error: { code: error.code, message: error.message } }));
  }

  #entry(request: ChatRequest, outcome: Pick<CassetteEntry, 'response' | 'error'>): CassetteEntry {
    const entry: CassetteEntry = { key: Cassette.keyOf(request), request: keptPart(request), ...outcome };
    if (request.metadata && Object.keys(request.metadata).length > 0)
      entry.metadata = { ...request.metadata };
    return entry;
  }

  /**
   * The next recorded outcome for this request (recording order), or undefined when it was never
   * recorded or every recording of it was already served.
   */
  takeOutcome(request: ChatRequest): CassetteOutcome | undefined {
    const key = Cassette.keyOf(request);
    const recorded = this.#byKey.get(key);
    const served = this.#served.get(key) ?? 0;
    const entry = recorded?.[served];
    if (!entry) return undefined;
    this.#served.set(key, served + 1);
    if (entry.response) return { response: structuredClone(entry.response) };
    const failure = entry.error ?? { code: 'PROVIDER_UNAVAILABLE' as const, message: 'recorded failure' };
    return { error: new ProviderError(failure.code, `${failure.message} (replayed)`, { retryable: false }) };
  }

  /** The next recorded response for this request, or undefined (also for a recorded failure). */
  take(request: ChatRequest): ChatResponse | undefined {
    const outcome = this.takeOutcome(request);
    return outcome && 'response' in outcome ? outcome.response : undefined;
  }

  /** Starts serving every request from its first recording again. */
  rewind(): void {
    this.#served.clear();
  }

  /** The cassette as JSONL (header line first). */
  toJsonl(): string {
    const lines = [JSON.stringify(header), ...this.#entries.map((entry) => JSON.stringify(entry))];
    return `${lines.join('\n')}\n`;
  }

  /** Writes the cassette to a file as JSONL. */
  async save(path: string): Promise<void> {
    await writeFile(path, this.toJsonl(), 'utf8');
  }

  #add(entry: CassetteEntry): void {
    this.#entries.push(entry);
    const list = this.#byKey.get(entry.key);
    if (list) list.push(entry);
    else this.#byKey.set(entry.key, [entry]);
  }
}

function invalid(source: string, line: number, detail: string, cause?: unknown): SandtableError {
  return new SandtableError('CASSETTE_INVALID', `${source}:${line}: ${detail}`, { category: 'user', cause });
}

/** Wraps a provider and records every successful response into a {@link Cassette}. */
export class RecordingProvider implements ModelProvider {
  readonly id: string;
  readonly kind: ModelProvider['kind'];
  readonly cassette: Cassette;
  readonly #inner: ModelProvider;

  constructor(inner: ModelProvider, cassette: Cassette) {
    this.#inner = inner;
    this.cassette = cassette;
    this.id = inner.id;
    this.kind = inner.kind;
  }

  /** Calls the wrapped provider and records its response. @throws whatever the provider throws */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    let response: ChatResponse;
    try {
      response = await this.#inner.chat(request);
    } catch (error) {
      if (error instanceof ProviderError && error.code !== 'PROVIDER_ABORTED')
        this.cassette.recordFailure(request, error);
      throw error;
    }
    this.cassette.record(request, response);
    return response;
  }

  /** Lists the wrapped provider's models. */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    return this.#inner.listModels ? this.#inner.listModels(signal) : [];
  }
}

/**
 * A provider that answers only from a {@link Cassette}: no server, no network.
 * @example
 * const replay = new ReplayProvider(await Cassette.load('runs/42/model-calls.jsonl'));
 */
export class ReplayProvider implements ModelProvider {
  readonly id: string;
  readonly kind = 'replay' as const;
  readonly cassette: Cassette;

  /** @param options.id - @defaultValue `'replay'` */
  constructor(cassette: Cassette, options: { id?: string } = {}) {
    this.cassette = cassette;
    this.id = options.id ?? 'replay';
  }

  /**
   * The recorded response.
   * @throws {@link ProviderError} `CASSETTE_MISS` (not retryable) naming the run, step and agent
   * of the request when nothing was recorded for it.
   */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    if (request.signal?.aborted) throw errorFromAbort(request.signal, this.id);
    const outcome = this.cassette.takeOutcome(request);
    if (outcome && 'response' in outcome) return outcome.response;
    if (outcome) throw outcome.error;
    const who = request.metadata ?? {};
    const where = [
      `run ${who.runId ?? '(unknown)'}`,
      `step ${who.step ?? '(unknown)'}`,
      `agent ${who.agentId ?? '(unknown)'}`,
    ].join(', ');
    throw new ProviderError(
      'CASSETTE_MISS',
      `the recording has no response for a call of ${where} (model ${request.model}, key ${Cassette.keyOf(request).slice(0, 12)}). ` +
        'The scenario, prompts or model settings differ from the recorded run, or it asked more often than recorded.',
      { providerId: this.id, retryable: false },
    );
  }

  /** The models seen in the recording. */
  async listModels(): Promise<string[]> {
    return [...new Set(this.cassette.entries.map((entry) => entry.request.model))];
  }
}
