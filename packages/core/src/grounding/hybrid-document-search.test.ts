import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import type { RunEvent } from '../engine/run-events';
import { Cassette } from '../model/cassette';
import { embeddingTier } from '../model/embeddings';
import { OpenAIProvider } from '../model/openai-provider';
import { ModelRouter } from '../model/router';
import { type ChatRouter, RecordingRouter, ReplayRouter } from '../model/run-recording';
import { loadScenario } from '../scenario/scenario-loader';
import { defaultSynonymGroups, simulatedEmbedding, synonymTable } from '../testing/simulated-embeddings';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedServerOptions } from '../testing/simulated-server-types';
import { chunkDocument } from './chunking';
import { PassageIndex } from './document-index';
import { embeddingText, hybridQuery, reciprocalRankFusion } from './hybrid-ranking';

/**
 * A payroll page that matches "walkout compensation" on the word "compensation", and a strike
 * clause that means it: BM25 ranks the payroll page first, embeddings (walkout ≈ strike,
 * compensation ≈ damages) the strike clause.
 */
const documents: Record<string, string> = {
  'payroll-policy.md': [
    '# Overtime compensation',
    '',
    'Overtime is paid with the monthly payroll after a manager approves the hours.',
    '',
    '# Holidays',
    '',
    'Staff take 25 days of holiday a year, booked in the HR system.',
  ].join('\n'),
  'supply-agreement.md': [
    '# Industrial action',
    '',
    'If a strike or stoppage closes the port, the supplier owes no damages for late delivery while the stoppage lasts; it must notify compensation claims within 5 days.',
    '',
    '# Prices',
    '',
    'The price per tonne is fixed for the contract year.',
    '',
    '# Quality',
    '',
    'Beans are graded on arrival; rejected lots are returned at the supplier cost.',
  ].join('\n'),
  'operations-note.md': [
    '# Rotterdam',
    '',
    'Dockworkers at the harbour have gone on strike before; a picket can shut the quay for weeks, and the damages are claimed later.',
  ].join('\n'),
};

const query = 'walkout compensation';

const scenarioYaml = `
name: Hybrid document search
seed: 5
clock: { steps: 3 }
documents:
  files: [payroll-policy.md, supply-agreement.md, operations-note.md]
  passages: 1
agents:
  - id: buyer
    role: procurement
    persona: Buys cocoa for the factory and watches the port.
    brain: fast
    goals: [{ description: know what a dock strike costs us }]
  - id: planner
    role: logistics
    brain: fast
    goals: [{ description: keep deliveries arriving }]
`;

type Acted = Extract<RunEvent, { type: 'agent-acted' }>;

/** Every model agent searches the documents for the same words, every step. */
const searching: SimulatedServerOptions['reply'] = () => ({
  text: 'Checking the documents.',
  toolCalls: [{ name: 'search_documents', arguments: { query } }],
});

function liveRouter(server: SimulatedModelServer, embeddings: boolean): ModelRouter {
  const provider = new OpenAIProvider({ id: 'simulated', baseUrl: server.openaiBaseUrl });
  return new ModelRouter({
    endpoints: [
      { id: 'chat', provider, model: 'simulated-model', maxConcurrency: 2, timeoutMs: 5_000 },
      { id: 'embedder', provider, model: 'simulated-embed', maxConcurrency: 2, timeoutMs: 5_000 },
    ],
    tiers: { fast: ['chat'], ...(embeddings ? { [embeddingTier]: ['embedder'] } : {}) },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
  });
}

describe('hybrid document search (real HTTP against the simulated server)', () => {
  let folder: string;
  let file: string;

  async function run(router: ChatRouter, clock?: 'events'): Promise<RunEvent[]> {
    const scenario = await loadScenario(file, clock ? { clock } : {});
    const created = createEngine({ models: { router } }).createRun(scenario, { runId: 'hybrid' });
    const events: RunEvent[] = [];
    created.subscribe((event) => events.push(event));
    await created.start();
    return events;
  }

  const stripped = (events: RunEvent[]) =>
    events.map((event) => {
      const { wallTime: _wallTime, ...rest } = event;
      return JSON.stringify(rest);
    });
  const searches = (events: RunEvent[]) =>
    events
      .filter((event): event is Acted => event.type === 'agent-acted' && event.tool === 'search_documents')
      .map((event) => event.result);
  const notices = (events: RunEvent[]) =>
    events.filter((event) => event.type === 'run-notice').map((event) => event.message);

  let bm25: RunEvent[];
  let hybrid: RunEvent[];
  let recording: RecordingRouter;
  let embeddingRequests: number;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sandtable-hybrid-'));
    for (const [name, text] of Object.entries(documents)) await writeFile(join(folder, name), text);
    file = join(folder, 'scenario.yaml');
    await writeFile(file, scenarioYaml);

    const plain = await SimulatedModelServer.start({ reply: searching });
    const plainRouter = liveRouter(plain, false);
    bm25 = await run(plainRouter);
    plainRouter.close();
    expect(plain.stats().embeddingRequests).toBe(0);
    await plain.close();

    const server = await SimulatedModelServer.start({ reply: searching });
    const live = liveRouter(server, true);
    recording = new RecordingRouter(live);
    hybrid = await run(recording);
    live.close();
    embeddingRequests = server.stats().embeddingRequests;
    await server.close();
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('BM25 alone puts the payroll page first for "walkout compensation"', () => {
    expect(searches(bm25)).toHaveLength(6);
    for (const result of searches(bm25)) {
      expect(result).toMatch(
        /^found 2 passages \(payroll-policy\.md § Overtime compensation; supply-agreement\.md § Industrial action\)/,
      );
    }
  });

  it('hybrid ranking puts the strike clause first, which BM25 ranked second', () => {
    expect(searches(hybrid)).toHaveLength(6);
    for (const result of searches(hybrid)) {
      expect(result).toMatch(/^found 3 passages \(supply-agreement\.md § Industrial action; /);
    }
    expect(notices(hybrid)).toEqual([]);
    // One batch for the passages, then at most two per step (situations, then searches).
    expect(embeddingRequests).toBeGreaterThanOrEqual(2);
    expect(embeddingRequests).toBeLessThanOrEqual(1 + 2 * 3);
    const recorded = recording.cassette.entries.filter((entry) => entry.request.embed);
    expect(recorded).toHaveLength(embeddingRequests);
    expect(recorded[0]?.request.embed?.input).toHaveLength(6);
    expect(recorded.every((entry) => entry.request.model === embeddingTier)).toBe(true);
  });

  it('replays the recorded run with the server gone: identical events, identical rankings', async () => {
    const cassette = Cassette.fromJsonl(recording.cassette.toJsonl());
    const replayed = await run(new ReplayRouter(cassette));
    expect(stripped(replayed)).toEqual(stripped(hybrid));
  });

  it('replays a run recorded without embeddings by BM25, as it ran', async () => {
    const server = await SimulatedModelServer.start({ reply: searching });
    const live = liveRouter(server, false);
    const plainRecording = new RecordingRouter(live);
    const recorded = await run(plainRecording);
    live.close();
    await server.close();
    expect(stripped(recorded)).toEqual(stripped(bm25));
    const replayed = await run(new ReplayRouter(Cassette.fromJsonl(plainRecording.cassette.toJsonl())));
    expect(stripped(replayed)).toEqual(stripped(bm25));
  });

  it('ranks the same way under the event-driven clock, and replays it', async () => {
    const server = await SimulatedModelServer.start({ reply: searching });
    const live = liveRouter(server, true);
    const eventRecording = new RecordingRouter(live);
    const events = await run(eventRecording, 'events');
    live.close();
    await server.close();
    expect(searches(events).length).toBeGreaterThan(0);
    for (const result of searches(events))
      expect(result).toMatch(/\(supply-agreement\.md § Industrial action; /);
    const replayed = await run(
      new ReplayRouter(Cassette.fromJsonl(eventRecording.cassette.toJsonl())),
      'events',
    );
    expect(stripped(replayed)).toEqual(stripped(events));
  });

  it('degrades to BM25 with one warning when the embedding endpoint fails', async () => {
    const server = await SimulatedModelServer.start({
      reply: searching,
      embeddings: { failure: 'server-error' },
    });
    const live = liveRouter(server, true);
    const events = await run(live);
    live.close();
    await server.close();
    expect(events.some((event) => event.type === 'run-completed')).toBe(true);
    expect(events.filter((event) => event.type === 'agent-failed')).toEqual([]);
    expect(notices(events)).toEqual([
      'document search: the embedding tier failed at step 1 (PROVIDER_UNAVAILABLE); documents are ranked by BM25 alone for the rest of the run',
    ]);
    expect(searches(events)).toEqual(searches(bm25));
    // Tried once (with the router's retry), then left alone for the rest of the run.
    expect(server.stats().embeddingRequests).toBe(2);
  });

  it('degrades the same way when the endpoint starts failing mid-run, and replays that', async () => {
    const server = await SimulatedModelServer.start({ reply: searching });
    let chats = 0;
    server.configure({
      reply: (request) => {
        chats += 1;
        // The second step's decisions: from now on the embedding endpoint answers 500.
        if (chats === 3) server.configure({ embeddings: { failure: 'server-error' } });
        return searching(request);
      },
    });
    const live = liveRouter(server, true);
    const failing = new RecordingRouter(live);
    const events = await run(failing);
    live.close();
    await server.close();
    expect(notices(events)).toEqual([expect.stringMatching(/failed at step 2 \(PROVIDER_UNAVAILABLE\)/)]);
    const results = searches(events);
    expect(results.slice(0, 2).every((result) => result.includes('(supply-agreement.md § Industrial'))).toBe(
      true,
    );
    expect(results.slice(2)).toEqual(searches(bm25).slice(2));
    const replayed = await run(new ReplayRouter(Cassette.fromJsonl(failing.cassette.toJsonl())));
    expect(stripped(replayed)).toEqual(stripped(events));
  });
});

describe('hybridQuery and reciprocal rank fusion', () => {
  it('fuses rankings by 1 / (60 + rank), ties by id', () => {
    expect(
      reciprocalRankFusion([
        ['a', 'b'],
        ['b', 'c'],
      ]),
    ).toEqual([
      { id: 'b', score: 1 / 62 + 1 / 61 },
      { id: 'a', score: 1 / 61 },
      { id: 'c', score: 1 / 62 },
    ]);
    expect(reciprocalRankFusion([['x'], ['y']]).map((entry) => entry.id)).toEqual(['x', 'y']);
  });

  it('ranks the passage both rankings like over the one only BM25 likes', () => {
    const synonyms = synonymTable(defaultSynonymGroups);
    const passages = Object.entries(documents).flatMap(([name, text]) =>
      chunkDocument(
        name,
        text
          .split(/^# /m)
          .filter(Boolean)
          .map((part) => {
            const [heading, ...body] = part.split('\n');
            return { section: heading as string, text: body.join('\n').trim() };
          }),
        900,
      ),
    );
    const index = new PassageIndex(passages);
    const vectors = new Map(
      passages.map((passage) => [passage.id, simulatedEmbedding(embeddingText(passage), 128, synonyms)]),
    );
    const vector = simulatedEmbedding(query, 128, synonyms);
    expect(index.query(query, 2).map((hit) => hit.citation)).toEqual([
      'payroll-policy.md § Overtime compensation',
      'supply-agreement.md § Industrial action',
    ]);
    const hits = hybridQuery(index, vectors, query, vector, 3);
    expect(hits.map((hit) => hit.citation)).toEqual([
      'supply-agreement.md § Industrial action',
      'payroll-policy.md § Overtime compensation',
      'operations-note.md § Rotterdam',
    ]);
    expect(hybridQuery(index, vectors, query, vector, 3)).toEqual(hits);
    // A boost (the asking agent's own documents weigh double) applies in both rankings.
    const boosted = hybridQuery(index, vectors, query, vector, 1, (passage) =>
      passage.document === 'payroll-policy.md' ? 5 : 1,
    );
    expect(boosted[0]?.citation).toBe('payroll-policy.md § Overtime compensation');
  });
});
