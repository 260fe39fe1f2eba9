import { describe, expect, it } from 'vitest';
import type { Brain, Decision, Observation } from '../agents/brain';
import { createEngine } from '../engine/engine';
import type { RunEvent } from '../engine/run-events';
import { Cassette } from '../model/cassette';
import { embeddingTier } from '../model/embeddings';
import { OpenAIProvider } from '../model/openai-provider';
import { ModelRouter } from '../model/router';
import { type ChatRouter, RecordingRouter, ReplayRouter } from '../model/run-recording';
import { parseScenario } from '../scenario/scenario-loader';
import { defaultSynonymGroups, simulatedEmbedding, synonymTable } from '../testing/simulated-embeddings';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedServerOptions } from '../testing/simulated-server-types';
import { LongTermMemory, type RecallEmbedder } from './long-term-memory';

/**
 * The supplier's promise says "walkout", "quay" and "rebate"; step 10's event says "strike",
 * "harbour", "docks" and "penalty". Not one word in common: BM25 cannot recall the promise, the
 * (simulated) embeddings fold those words together and can.
 */
const promise = 'Should a walkout ever block the quay, we pay you a rebate of four percent per week.';

const scenarioYaml = `
name: Hybrid memory
seed: 3
clock: { steps: 10 }
memory: { recall: 2 }
events:
  - step: 10
    type: port_closed
    affects: [buyer]
    description: A harbour strike shut the docks this morning; what penalty is owed for the lost weeks?
agents:
  - { id: buyer, role: procurement, brain: fast, memory_window: 3, goals: [{ description: keep the factory supplied }] }
  - { id: andes, role: supplier, brain: supplier-script }
`;

/** Promises once (step 2), then sends small talk that shares no word with the event. */
const supplier: Brain = {
  name: 'supplier-script',
  synchronous: true,
  decide(observation: Observation): Decision {
    const text =
      observation.step === 2 ? promise : `Daily note ${observation.step}: the loading bay was busy and mild.`;
    return {
      calls: [{ tool: 'send_message', arguments: { to: 'buyer', text } }],
      rationale: 'keep in touch',
      source: 'rules',
    };
  },
};

const waiting: SimulatedServerOptions['reply'] = () => ({
  text: 'Waiting.',
  toolCalls: [{ name: 'wait', arguments: {} }],
});

function liveRouter(server: SimulatedModelServer, embeddings: boolean): ModelRouter {
  const provider = new OpenAIProvider({ id: 'simulated', baseUrl: server.openaiBaseUrl });
  return new ModelRouter({
    endpoints: [
      { id: 'chat', provider, model: 'simulated-model', maxConcurrency: 1, timeoutMs: 5_000 },
      { id: 'embedder', provider, model: 'simulated-embed', maxConcurrency: 1, timeoutMs: 5_000 },
    ],
    tiers: { fast: ['chat'], ...(embeddings ? { [embeddingTier]: ['embedder'] } : {}) },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
  });
}

async function run(router: ChatRouter, clock?: 'events'): Promise<RunEvent[]> {
  const scenario = parseScenario(scenarioYaml, clock ? { clock } : {});
  const created = createEngine({
    models: { router },
    brainFor: (agent) => (agent.spec.id === 'andes' ? supplier : undefined),
  }).createRun(scenario, { runId: 'hybrid-memory' });
  const events: RunEvent[] = [];
  created.subscribe((event) => events.push(event));
  await created.start();
  return events;
}

/** One run against a fresh simulated server: its events, the buyer's prompts, what was embedded. */
async function live(
  embeddings: boolean,
  options: SimulatedServerOptions = {},
): Promise<{ events: RunEvent[]; prompts: string[]; embedded: string[][]; recording: RecordingRouter }> {
  const server = await SimulatedModelServer.start({ reply: waiting, ...options });
  const router = liveRouter(server, embeddings);
  const recording = new RecordingRouter(router);
  const events = await run(recording);
  router.close();
  const prompts = server
    .requests()
    .map((request) => request.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '');
  const embedded = server.embeddingRequests().map((request) => request.input);
  await server.close();
  return { events, prompts, embedded, recording };
}

const stripped = (events: RunEvent[]) =>
  events.map(({ wallTime: _wallTime, ...rest }) => JSON.stringify(rest));
const notices = (events: RunEvent[]) =>
  events.filter((event) => event.type === 'run-notice').map((event) => event.message);
const remembered = (prompt: string) =>
  [...prompt.matchAll(/channel="remembered" step="(\d+)"/g)].map((m) => Number(m[1]));

describe('long-term memory with hybrid recall (real HTTP against the simulated server)', () => {
  it('BM25 alone does not recall a promise the event means but does not say', async () => {
    const { events, prompts, embedded } = await live(false);
    expect(prompts).toHaveLength(10);
    const step10 = prompts[9] as string;
    expect(step10).toContain('A harbour strike shut the docks');
    expect(step10).not.toContain(promise);
    expect(remembered(step10).length).toBeGreaterThan(0);
    expect(embedded).toEqual([]);
    expect(notices(events)).toEqual([]);
  });

  it('hybrid recall finds it, from entries embedded as they were archived, one batch a step', async () => {
    const { events, prompts, embedded, recording } = await live(true);
    const step10 = prompts[9] as string;
    expect(step10).toMatch(new RegExp(`<message from="andes" channel="remembered" step="2">\\n${promise}`));
    // Recalled, not repeated: the inbox and the recent window lost it long ago.
    expect(step10.split(promise)).toHaveLength(2);
    expect(notices(events)).toEqual([]);
    // The promise, read in step 3, is embedded once, with its sender, in step 4's batch.
    expect(embedded.flat().filter((text) => text === `andes: ${promise}`)).toHaveLength(1);
    expect(embedded[1]?.[0]).toBe(`andes: ${promise}`);
    // The first entry (step 1's note, read in step 2) is embedded in step 3; from then on one
    // batch a step, with the recall queries not embedded before (the goals once, for the run).
    expect(embedded).toHaveLength(8);
    expect(embedded.flat().filter((text) => text === 'keep the factory supplied')).toHaveLength(1);
    const recorded = recording.cassette.entries.filter((entry) => entry.request.embed);
    expect(recorded).toHaveLength(embedded.length);
    expect(recorded.every((entry) => entry.request.model === embeddingTier)).toBe(true);
  });

  it('replays the hybrid run with the server gone: identical events, under both clocks', async () => {
    const { events, recording } = await live(true);
    const replayed = await run(new ReplayRouter(Cassette.fromJsonl(recording.cassette.toJsonl())));
    expect(stripped(replayed)).toEqual(stripped(events));

    const server = await SimulatedModelServer.start({ reply: waiting });
    const router = liveRouter(server, true);
    const eventRecording = new RecordingRouter(router);
    const eventClock = await run(eventRecording, 'events');
    router.close();
    expect(server.embeddingRequests().length).toBeGreaterThan(0);
    await server.close();
    const again = await run(
      new ReplayRouter(Cassette.fromJsonl(eventRecording.cassette.toJsonl())),
      'events',
    );
    expect(stripped(again)).toEqual(stripped(eventClock));
  });

  it('without the embedding tier, records and replays exactly as BM25 ran', async () => {
    const first = await live(false);
    const second = await live(false);
    expect(stripped(second.events)).toEqual(stripped(first.events));
    expect(second.prompts).toEqual(first.prompts);
    const replayed = await run(new ReplayRouter(Cassette.fromJsonl(first.recording.cassette.toJsonl())));
    expect(stripped(replayed)).toEqual(stripped(first.events));
  });

  it('degrades to BM25 with one notice when the embedding endpoint fails', async () => {
    const bm25 = await live(false);
    const failing = await live(true, { embeddings: { failure: 'server-error' } });
    expect(notices(failing.events)).toEqual([
      'long-term memory: the embedding tier failed at step 3 (PROVIDER_UNAVAILABLE); memories are recalled by BM25 alone for the rest of the run',
    ]);
    expect(failing.events.filter((event) => event.type === 'agent-failed')).toEqual([]);
    expect(failing.prompts).toEqual(bm25.prompts);
    // Tried once (with the router's retry), then left alone.
    expect(failing.embedded).toHaveLength(2);
  });
});

/** A stand-in for the run's embedder: the simulated server's vectors, computed in process. */
function inProcessEmbedder(): RecallEmbedder & { asked: string[] } {
  const synonyms = synonymTable(defaultSynonymGroups);
  const vectors = new Map<string, number[]>();
  const asked: string[] = [];
  return {
    asked,
    enabled: true,
    queryVector: (text) => vectors.get(text),
    async prepare(memories, queries) {
      for (const memory of memories) {
        const texts = memory.unembedded();
        asked.push(...texts);
        memory.takeVectors(texts.map((text) => simulatedEmbedding(text, 128, synonyms)));
      }
      for (const query of queries) vectors.set(query, simulatedEmbedding(query, 128, synonyms));
    },
  };
}

describe('LongTermMemory with an embedder', () => {
  const lines = [
    'Step 1: wait() → ok',
    'Step 2: wait() → ok',
    'Step 3: note: the quay was blocked by a walkout last winter',
    'Step 4: wait() → ok',
  ];
  const query = 'a harbour strike today';

  it('ranks by BM25 and cosine fused once the query and entries are embedded, by BM25 before', async () => {
    const embedder = inProcessEmbedder();
    const memory = new LongTermMemory({ recall: 2 }, embedder);
    memory.archive(lines);
    expect(memory.recall(query).entries).toEqual([]);
    await embedder.prepare([memory], [query], 5);
    expect(embedder.asked).toEqual(lines);
    expect(memory.recall(query).entries.map((entry) => entry.step)[0]).toBe(3);
    expect(memory.unembedded()).toEqual([]);
    // A message is embedded with its sender, once.
    memory.archiveMessage(5, 'andes', 'rebate');
    expect(memory.unembedded()).toEqual(['andes: rebate']);
  });

  it('recalls as BM25 alone without an embedder', () => {
    const plain = new LongTermMemory({ recall: 2 });
    plain.archive(lines);
    expect(plain.recall(query).entries).toEqual([]);
    expect(plain.recall('walkout').entries.map((entry) => entry.step)).toEqual([3]);
    expect(plain.embedder).toBeUndefined();
  });
});
