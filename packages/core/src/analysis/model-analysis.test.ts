import { afterEach, describe, expect, it } from 'vitest';
import { estimateTokens } from '../agents/prompt-builder';
import type { RunEvent } from '../engine/run-events';
import { OpenAIProvider } from '../model/openai-provider';
import { ModelRouter } from '../model/router';
import { parseScenario } from '../scenario/scenario-loader';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedChatRequest, SimulatedReply } from '../testing/simulated-server-types';
import { analyzeRun, analyzeRunWithModel } from './run-analysis';
import type { RunRecords } from './run-records';

/** The brief prompt of any run must stay under this many tokens (core's estimate). */
const briefTokenBudget = 8_000;

const servers: SimulatedModelServer[] = [];
const routers: ModelRouter[] = [];
afterEach(async () => {
  for (const router of routers.splice(0)) router.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const scenarioYaml = (agents: number, steps: number) => `
name: Supply shock
description: A regional supplier fails and buyers scramble.
goal: How much of the demand is still met after the supplier fails?
clock: { steps: ${steps}, unit: day }
variables:
  supply: { type: float, default: 1, min: 0, max: 1 }
  price: { type: float, default: 100, min: 50, max: 400 }
actions:
  - { name: buy, description: Buy stock. }
  - { name: hoard, description: Keep stock back. }
agents:
  - { id: buyer, role: buyer, count: ${agents} }
metrics:
  supply: supply
  price: price
  demand_met: "supply * 0.9"
evaluation:
  criteria:
    - { name: resilience, description: Demand stays met, metric: demand_met, target: 0.8 }
    - { name: cooperation, description: Buyers do not hoard }
`;

/**
 * A run's records made cheaply: every agent acts every step, a quarter of them send a long,
 * distinct message, some fail — the log of a 200 × 90 run has tens of thousands of events.
 */
function synthesize(agents: number, steps: number): RunRecords {
  const scenario = parseScenario(scenarioYaml(agents, steps), { file: 'supply-shock.yaml' });
  const events: RunEvent[] = [];
  let sequence = 0;
  const wallTime = '2026-01-01T00:00:00.000Z';
  const push = (event: Record<string, unknown>) =>
    events.push({ sequence: ++sequence, wallTime, ...event } as RunEvent);
  push({ type: 'run-started', scenario: scenario.name, seed: 1, steps, agents, parameters: {} });
  for (let step = 1; step <= steps; step += 1) {
    push({ type: 'step-started', step });
    if (step === 30)
      push({
        type: 'event-fired',
        step,
        eventType: 'supplier_failed',
        description: 'The supplier fails.',
        source: 'scheduled',
        affects: [],
      });
    for (const agent of scenario.agents) {
      const tool = (step + agent.definitionIndex + Number(agent.id.slice(-3))) % 5 === 0 ? 'hoard' : 'buy';
      push({
        type: 'agent-acted',
        step,
        agentId: agent.id,
        tool,
        arguments: {},
        ok: true,
        result: 'done',
        rationale: 'rules',
        source: 'rules',
        changes: [],
      });
      if (Number(agent.id.slice(-4)) % 4 === step % 4)
        push({
          type: 'message-sent',
          step,
          from: agent.id,
          room: 'market',
          text: `${agent.id} on day ${step}: ${'prices keep rising and we cannot find stock '.repeat(4)}`,
        });
      if (Number(agent.id.slice(-4)) === step)
        push({
          type: 'agent-failed',
          step,
          agentId: agent.id,
          reason: 'timeout',
          message: 'no decision in time',
        });
    }
    const supply = step < 30 ? 1 : Math.max(0.2, 1 - (step - 30) * 0.02);
    push({
      type: 'step-completed',
      step,
      metrics: { supply, price: 100 / supply, demand_met: supply * 0.9 },
      actions: { buy: agents },
      messages: agents / 4,
      failures: 0,
      mood: { valence: 0, arousal: 0 },
    });
  }
  push({ type: 'run-completed', step: steps, outcome: 'max-steps', reason: 'reached the last step' });
  return {
    runId: `synthetic-${agents}x${steps}`,
    scenario,
    events,
    finalState: {
      scenario: scenario.name,
      seed: 1,
      parameters: {},
      status: 'completed',
      outcome: 'max-steps',
      steps,
      globals: { supply: 0.2, price: 500 },
      agents: scenario.agents.map((agent) => ({
        id: agent.id,
        name: agent.name,
        role: agent.role,
        status: 'active',
      })),
    },
  };
}

const validBrief = (step: number) =>
  JSON.stringify({
    headline: 'Demand held until day 30, then fell as the supplier failed.',
    what_happened: ['The supplier failed on day 30.'],
    turning_points: [{ step, text: 'Supplier fails' }],
    impacts: [{ metric: 'demand_met', text: 'Fell from 0.9 to 0.18.' }],
    positions: [{ stakeholder: 'buyers', text: 'Mostly kept buying.' }],
    recommendations: ['Line up a second supplier.'],
    confidence: { level: 'low', text: 'One run.' },
    caveats: ['Rule agents only.'],
  });
const validScores = JSON.stringify({
  scores: [
    {
      criterion: 'resilience',
      score: 3,
      justification: 'Demand fell below target after step 30.',
      steps: [30, 90],
    },
    { criterion: 'cooperation', score: 6, justification: 'Most buyers kept buying.', steps: [1] },
  ],
});

async function start(reply: (request: SimulatedChatRequest) => SimulatedReply) {
  const server = await SimulatedModelServer.start({ reply });
  servers.push(server);
  const router = new ModelRouter({
    endpoints: [
      {
        id: 'local',
        provider: new OpenAIProvider({ id: 'local', baseUrl: server.openaiBaseUrl, apiKey: 'test' }),
        model: 'simulated-model',
        maxConcurrency: 2,
        timeoutMs: 10_000,
      },
    ],
    tiers: { smart: ['local'] },
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
  });
  routers.push(router);
  return { server, router };
}

const promptTokens = (request: SimulatedChatRequest) =>
  request.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
const kind = (request: SimulatedChatRequest) =>
  request.responseFormat?.type === 'json_schema' ? request.responseFormat.name : 'other';

describe('the brief and the evaluation agent on a model', () => {
  it('keeps the brief prompt of a 200-agent × 90-step run within the token budget', async () => {
    const large = synthesize(200, 90);
    expect(large.events.length).toBeGreaterThan(20_000);
    const { server, router } = await start((request) =>
      kind(request) === 'executive_brief' ? validBrief(30) : validScores,
    );
    const analysis = await analyzeRunWithModel(large, { router });
    expect(analysis.notes).toEqual([]);
    expect(analysis.brief.source).toBe('model');
    expect(analysis.brief.turningPoints[0]).toMatchObject({ step: 30, text: 'Supplier fails' });
    expect(analysis.evaluation.source).toBe('model');
    expect(analysis.evaluation.scores.map((score) => score.score)).toEqual([3, 6]);
    const briefRequest = server.requests().find((request) => kind(request) === 'executive_brief');
    if (!briefRequest) throw new Error('no brief request reached the server');
    const tokens = promptTokens(briefRequest);
    expect(tokens).toBeLessThan(briefTokenBudget);
    // The raw log would not fit: the digest is what bounds the prompt.
    expect(estimateTokens(large.events.map((event) => JSON.stringify(event)).join('\n'))).toBeGreaterThan(
      50 * briefTokenBudget,
    );
    // The run's text is fenced as data.
    expect(briefRequest.messages.at(-1)?.content).toMatch(/^<run-digest>[\s\S]*<\/run-digest>$/);
    // A run 20 times smaller gives a prompt of about the same size: bounded, not proportional.
    const small = synthesize(20, 45);
    const { server: smallServer, router: smallRouter } = await start((request) =>
      kind(request) === 'executive_brief' ? validBrief(30) : validScores,
    );
    await analyzeRunWithModel(small, { router: smallRouter });
    const smallRequest = smallServer.requests().find((request) => kind(request) === 'executive_brief');
    expect(tokens).toBeLessThan(3 * promptTokens(smallRequest as SimulatedChatRequest));
  });

  it('sends an invalid reply back with the errors, then accepts the corrected one', async () => {
    const records = synthesize(10, 40);
    let briefCalls = 0;
    const { server, router } = await start((request) => {
      if (kind(request) !== 'executive_brief') return validScores;
      briefCalls += 1;
      return briefCalls === 1 ? validBrief(400) : validBrief(30);
    });
    const analysis = await analyzeRunWithModel(records, { router });
    expect(analysis.brief.source).toBe('model');
    const briefRequests = server.requests().filter((request) => kind(request) === 'executive_brief');
    expect(briefRequests).toHaveLength(2);
    expect(JSON.stringify(briefRequests[1]?.messages)).toContain('step 400 is outside the run (1–40)');
  });

  it('falls back to the deterministic brief and rule scores when the model never answers validly', async () => {
    const records = synthesize(10, 40);
    const { router } = await start(() => 'not json at all, sorry');
    const analysis = await analyzeRunWithModel(records, { router, maxAttempts: 2 });
    expect(analysis.brief).toEqual(analyzeRun(records).brief);
    expect(analysis.evaluation.source).toBe('rules');
    expect(analysis.evaluation.fallbackReason).toBeTruthy();
    expect(analysis.notes).toHaveLength(2);
    // The rule evaluation scores what a metric shows and leaves the rest unscored.
    const resilience = analysis.evaluation.scores.find((score) => score.criterion === 'resilience');
    expect(resilience).toMatchObject({ attained: false, source: 'rules' });
    // Supply first falls at step 31, the step after the failure.
    expect(resilience?.steps).toContain(31);
    expect(analysis.evaluation.scores.find((score) => score.criterion === 'cooperation')?.score).toBeNull();
  });
});
