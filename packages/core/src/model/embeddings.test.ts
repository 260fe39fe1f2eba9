import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../grounding/hybrid-ranking';
import { defaultSynonymGroups, simulatedEmbedding, synonymTable } from '../testing/simulated-embeddings';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import { Cassette } from './cassette';
import { embeddingRequest, embeddingTier, embedTexts, servesEmbeddings } from './embeddings';
import { buildModelRouter, parseModelConfig } from './model-config';
import { OpenAIProvider } from './openai-provider';
import { ModelRouter } from './router';
import type { AttemptRecord } from './router-types';
import { RecordingRouter, ReplayRouter } from './run-recording';
import { isProviderError } from './types';

let server: SimulatedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function routerFor(
  baseUrl: string,
  options: { attempts?: AttemptRecord[]; maxAttempts?: number } = {},
): ModelRouter {
  return new ModelRouter({
    endpoints: [
      {
        id: 'embedder',
        provider: new OpenAIProvider({ id: 'embedder', baseUrl }),
        model: 'nomic-embed-text',
        maxConcurrency: 2,
        timeoutMs: 5_000,
      },
    ],
    tiers: { [embeddingTier]: ['embedder'] },
    retry: { maxAttempts: options.maxAttempts ?? 2, baseDelayMs: 1, maxDelayMs: 2 },
    ...(options.attempts ? { onAttempt: (record) => options.attempts?.push(record) } : {}),
  });
}

describe('simulated embeddings', () => {
  const synonyms = synonymTable(defaultSynonymGroups);

  it('are unit vectors, equal for equal texts, closer for shared words and synonyms', () => {
    const strike = simulatedEmbedding('Dockworkers strike at the port', 128, synonyms);
    expect(strike).toHaveLength(128);
    expect(Math.hypot(...strike)).toBeCloseTo(1, 5);
    expect(simulatedEmbedding('Dockworkers strike at the port', 128, synonyms)).toEqual(strike);
    const walkout = simulatedEmbedding('a walkout closes the harbour', 128, synonyms);
    const unrelated = simulatedEmbedding('quarterly marketing budget review', 128, synonyms);
    expect(cosineSimilarity(strike, walkout)).toBeGreaterThan(0.3);
    expect(cosineSimilarity(strike, walkout)).toBeGreaterThan(cosineSimilarity(strike, unrelated));
    expect(simulatedEmbedding('', 16, synonyms)).toEqual(new Array(16).fill(0));
  });
});

describe('embeddings through the model router (real HTTP)', () => {
  it('posts /v1/embeddings in batches and returns the vectors in input order', async () => {
    server = await SimulatedModelServer.start({ embeddings: { dimensions: 64 } });
    const attempts: AttemptRecord[] = [];
    const router = routerFor(server.openaiBaseUrl, { attempts });
    const texts = ['port strike', 'late delivery penalty', 'safety stock days', 'walkout'];
    const { vectors, usage } = await embedTexts(router, texts, { batchSize: 3, runId: 'r1', step: 2 });
    expect(vectors).toHaveLength(4);
    const synonyms = synonymTable(defaultSynonymGroups);
    texts.forEach((text, index) => {
      expect(vectors[index]).toEqual(simulatedEmbedding(text, 64, synonyms));
    });
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(server.embeddingRequests().map((request) => request.input)).toEqual(
      expect.arrayContaining([texts.slice(0, 3), texts.slice(3)]),
    );
    expect(server.embeddingRequests().every((request) => request.model === 'nomic-embed-text')).toBe(true);
    expect(server.stats()).toMatchObject({ embeddingRequests: 2, chatRequests: 0 });
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({
      endpointId: 'embedder',
      tier: embeddingTier,
      outcome: 'ok',
      runId: 'r1',
      step: 2,
    });
    expect(attempts[0]?.responseSha256).not.toBe(attempts[1]?.responseSha256);
    router.close();
  });

  it('retries a 503, then gives up with the error (not retried: a 404 from a chat-only server)', async () => {
    server = await SimulatedModelServer.start({
      embeddings: { failure: 'unavailable' },
      faults: { retryAfterMs: 1 },
    });
    const attempts: AttemptRecord[] = [];
    const router = routerFor(server.openaiBaseUrl, { attempts, maxAttempts: 2 });
    const error = await embedTexts(router, ['port strike']).catch((caught: unknown) => caught);
    expect(isProviderError(error) && error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(server.stats().embeddingRequests).toBeGreaterThanOrEqual(2);
    server.configure({ embeddings: { failure: 'not-found' } });
    const before = server.stats().embeddingRequests;
    const missing = await embedTexts(router, ['port strike']).catch((caught: unknown) => caught);
    expect(isProviderError(missing) && missing.code).toBe('PROVIDER_NOT_FOUND');
    expect(server.stats().embeddingRequests - before).toBe(1);
    router.close();
  });

  it('is configured by a tier named `embedding`, and is off without one', async () => {
    server = await SimulatedModelServer.start();
    const config = parseModelConfig(`
endpoints:
  chat: { baseUrl: "${server.openaiBaseUrl}", model: simulated-model }
  embedder: { baseUrl: "${server.openaiBaseUrl}", model: nomic-embed-text }
tiers:
  fast: [chat]
  smart: [chat]
  embedding: [embedder]
`);
    const router = buildModelRouter(config, {});
    expect(servesEmbeddings(router)).toBe(true);
    const { vectors } = await embedTexts(router, ['cocoa price']);
    expect(vectors[0]).toHaveLength(128);
    router.close();
    const chatOnly = buildModelRouter(
      parseModelConfig(`endpoints:\n  chat: { baseUrl: "${server.openaiBaseUrl}", model: m }\n`),
      {},
    );
    expect(servesEmbeddings(chatOnly)).toBe(false);
    chatOnly.close();
  });

  it('records embedding calls in the cassette and replays them with the server gone', async () => {
    server = await SimulatedModelServer.start();
    const live = routerFor(server.openaiBaseUrl);
    const recording = new RecordingRouter(live);
    const recorded = await embedTexts(recording, ['port strike', 'late delivery'], { step: 1 });
    live.close();
    await server.close();
    server = undefined;
    const cassette = Cassette.fromJsonl(recording.cassette.toJsonl());
    expect(cassette.entries[0]?.request.embed).toEqual({ input: ['port strike', 'late delivery'] });
    expect(cassette.entries[0]?.response?.embeddings).toEqual(recorded.vectors);
    const replay = new ReplayRouter(cassette);
    expect(servesEmbeddings(replay)).toBe(true);
    expect((await embedTexts(replay, ['port strike', 'late delivery'])).vectors).toEqual(recorded.vectors);
    const miss = await embedTexts(replay, ['something else']).catch((caught: unknown) => caught);
    expect(isProviderError(miss) && miss.code).toBe('CASSETTE_MISS');
    // A recording without embedding calls does not claim the tier: such a run ranks by BM25.
    expect(servesEmbeddings(new ReplayRouter(new Cassette()))).toBe(false);
    expect(new ReplayRouter(new Cassette()).hasTarget('fast')).toBe(true);
  });

  it('keys cassette entries on the embedded texts', () => {
    expect(Cassette.keyOf(embeddingRequest(['a']))).not.toBe(Cassette.keyOf(embeddingRequest(['b'])));
  });
});

describe('OpenAIProvider embedding replies', () => {
  async function answering(body: unknown): Promise<{ baseUrl: string; close: () => Promise<void> }> {
    const http = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}/v1`,
      close: () => new Promise((resolve) => http.close(() => resolve())),
    };
  }

  it('puts vectors in input order by their index, whatever order the server lists them in', async () => {
    const http = await answering({
      data: [
        { index: 1, embedding: [0, 1] },
        { index: 0, embedding: [1, 0] },
      ],
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
    const provider = new OpenAIProvider({ id: 'plain', baseUrl: http.baseUrl });
    const response = await provider.chat({ ...embeddingRequest(['a', 'b']), model: 'm' });
    expect(response).toMatchObject({
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      usage: { promptTokens: 4 },
      model: 'm',
    });
    await http.close();
  });

  it('refuses base64 vectors and a wrong count as malformed replies', async () => {
    for (const body of [
      { data: [{ index: 0, embedding: 'AAAAAA==' }] },
      { data: [{ index: 0, embedding: [1, 2] }] },
      { error: 'nope' },
    ]) {
      const http = await answering(body);
      const provider = new OpenAIProvider({ id: 'plain', baseUrl: http.baseUrl });
      const error = await provider
        .chat({ ...embeddingRequest(['a', 'b']), model: 'm' })
        .catch((caught: unknown) => caught);
      expect(isProviderError(error) && error.code).toBe('PROVIDER_MALFORMED_REPLY');
      await http.close();
    }
  });
});
