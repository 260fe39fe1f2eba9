import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import type { RunEvent, RunEventOf } from '../engine/run-events';
import { OpenAIProvider } from '../model/openai-provider';
import { ModelRouter } from '../model/router';
import { parseScenario } from '../scenario/scenario-loader';
import { SimulatedModelServer } from '../testing/simulated-model-server';
import type { SimulatedChatRequest, SimulatedReply } from '../testing/simulated-server-types';
import { gameMasterFor } from './create-game-master';
import type { GameMasterLogRecord } from './game-master-log';
import type { GameMasterDefinitionInput } from './game-master-schema';

const worldYaml = `
name: Two nations
seed: 3
clock: { steps: 3 }
variables:
  tension: { type: float, default: 0.3, min: 0, max: 1 }
agent_variables:
  economic_strength: { type: float, default: 1000, min: 0 }
  military_power: { type: int, default: 50, min: 0, max: 100 }
  posture: { type: enum, values: [calm, alert] }
actions:
  - name: act
    description: Say what you do.
    parameters: { statement: { type: string, default: "I hold my course." } }
    utility: "0.1"
agents:
  - { id: agent-a, name: Agent A, role: player, traits: { activity: 1 } }
  - { id: agent-b, name: Agent B, role: player, traits: { activity: 1 } }
events:
  - { step: 3, type: major_war, description: A great war begins. }
`;

const definition: GameMasterDefinitionInput = {
  system_prompt: 'You are the game master of a two-nation contest.',
  simulation_plan: 'Tensions rise slowly.',
  realism_guidelines: 'Change economies by 50 to 200 per step.',
};

const servers: SimulatedModelServer[] = [];
const routers: ModelRouter[] = [];

afterEach(async () => {
  for (const router of routers.splice(0)) router.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A valid ruling; `overrides` replaces parts of it. */
function ruling(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    state_updates: { global_vars: { tension: 0.35 }, agent_vars: { 'Agent A': { economic_strength: 1100 } } },
    events: [{ type: 'trade_deal', description: 'A trade deal is signed', affects: ['Agent A'] }],
    agent_messages: { 'Agent A': 'Your economy grows.', 'Agent B': 'You watch warily.' },
    reasoning: 'Trade helps Agent A.',
    ...overrides,
  });
}

/** Starts a server that answers the game master's calls, in order, from `replies` (the last one repeats). */
async function startGameMaster(
  replies: string[],
  steps = 3,
  settings: Partial<GameMasterDefinitionInput> = {},
) {
  let calls = 0;
  const server = await SimulatedModelServer.start({
    reply: (request: SimulatedChatRequest): SimulatedReply => {
      const reply = replies[Math.min(calls, replies.length - 1)] as string;
      calls += 1;
      return request.responseFormat?.type === 'json_schema' ? reply : 'unexpected';
    },
  });
  servers.push(server);
  const router = new ModelRouter({
    endpoints: [
      {
        id: 'local',
        provider: new OpenAIProvider({ id: 'local', baseUrl: server.openaiBaseUrl, apiKey: 'test' }),
        model: 'simulated-model',
        maxConcurrency: 4,
        timeoutMs: 5_000,
      },
    ],
    tiers: { smart: ['local'] },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
  routers.push(router);
  // The scripted event sits at step 3; shorter runs leave it out.
  const yaml = steps < 3 ? worldYaml.replace(/events:[\s\S]*$/, '') : worldYaml;
  const scenario = parseScenario(yaml.replace('steps: 3', `steps: ${steps}`), { file: 'two-nations.yaml' });
  const log: GameMasterLogRecord[] = [];
  const run = createEngine({
    gameMaster: (loaded) =>
      gameMasterFor(loaded, {
        router,
        definition: { ...definition, ...settings },
        onLog: (record) => log.push(record),
      }),
  }).createRun(scenario);
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  const result = await run.start();
  return { server, result, events, log };
}

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

function lastMessage(request: SimulatedChatRequest | undefined): string {
  return request?.messages.at(-1)?.content ?? '';
}

describe('ModelGameMaster against a simulated OpenAI-compatible server', () => {
  it('rules every step: the ruling is applied, its events fired and its messages delivered by name', async () => {
    const { server, result, events } = await startGameMaster([ruling()]);
    expect(result.status).toBe('completed');
    expect(server.requests()).toHaveLength(3);
    const [request] = server.requests();
    expect(request?.responseFormat).toMatchObject({ type: 'json_schema', name: 'game_master_ruling' });
    const system = request?.messages[0]?.content ?? '';
    expect(system).toContain('=== SIMULATION SETUP ===\nYou are the game master of a two-nation contest.');
    expect(system).toContain('Realism Guidelines:\nChange economies by 50 to 200 per step.');
    expect(system).toContain('military_power: int, 0 to 100');
    const prompt = lastMessage(request);
    expect(prompt).toContain('=== UPCOMING SCRIPTED EVENTS ===\nStep 3: major_war - A great war begins.');
    expect(prompt).toContain('=== CURRENT STATE (Step 1) ===');
    expect(prompt).toContain('Agent A: act');
    expect(prompt).toContain('=== YOUR TASK ===');
    const changed = ofType(events, 'state-changed').filter((event) => event.cause === 'game-master');
    expect(changed[0]?.changes).toEqual(
      expect.arrayContaining([
        { variable: 'tension', from: 0.3, to: 0.35 },
        { agentId: 'agent-a', variable: 'economic_strength', from: 1000, to: 1100 },
      ]),
    );
    expect(ofType(events, 'game-master-reasoned').map((event) => event.reasoning)).toEqual([
      'Trade helps Agent A.',
      'Trade helps Agent A.',
      'Trade helps Agent A.',
    ]);
    expect(ofType(events, 'event-fired').find((event) => event.source === 'game-master')).toMatchObject({
      eventType: 'trade_deal',
      affects: ['Agent A'],
    });
    expect(
      ofType(events, 'message-sent').find((event) => event.from === 'game-master' && event.to === 'agent-a'),
    ).toMatchObject({ text: 'Your economy grows.', step: 1 });
    // Step 2's prompt: step 1 is history now, as deltas, and the scripted event is still ahead.
    const second = lastMessage(server.requests()[1]);
    expect(second).toContain('=== RECENT HISTORY (Last 1 steps) ===\n\nStep 1:\n  Changes:');
    expect(second).toContain('Agent A: economic_strength +100');
    expect(second).toContain('Global: tension +0.05');
    expect(second).toContain('Event: trade_deal - A trade deal is signed');
    expect(second).toContain('Reasoning: Trade helps Agent A.');
    expect(lastMessage(server.requests()[2])).toContain('=== UPCOMING SCRIPTED EVENTS ===\n(none)');
    expect(lastMessage(server.requests()[2])).toContain('Event: major_war - A great war begins.');
  });

  it('retries a reply that is not JSON, feeding the error back', async () => {
    const { server, result, log } = await startGameMaster(
      ['I think tension should rise a little.', ruling()],
      1,
    );
    expect(result.status).toBe('completed');
    const requests = server.requests();
    expect(requests).toHaveLength(2);
    expect(requests[1]?.messages.at(-2)).toEqual({
      role: 'assistant',
      content: 'I think tension should rise a little.',
    });
    expect(lastMessage(requests[1])).toMatch(/^Your reply is not valid: no JSON value found in the reply/);
    expect(log.map((record) => record.code)).toEqual([
      'ENG003',
      'ENG004',
      'ENG006',
      'ENG007',
      'ENG003',
      'ENG004',
      'ENG005',
    ]);
  });

  it('checks structure, then references, then types, and feeds back only the first failing stage', async () => {
    const missingKey = JSON.stringify({ state_updates: {}, events: [], agent_messages: {} });
    const unknownAgentAndWrongType = ruling({
      state_updates: {
        global_vars: {},
        agent_vars: { 'Agent C': { economic_strength: 5 }, 'Agent A': { military_power: 'lots' } },
      },
    });
    const wrongType = ruling({
      state_updates: { global_vars: { tension: 'high' }, agent_vars: { 'agent-b': { posture: 'panicked' } } },
    });
    const { server, result } = await startGameMaster(
      [missingKey, unknownAgentAndWrongType, wrongType, ruling()],
      1,
      { max_attempts: 4 },
    );
    expect(result.status).toBe('completed');
    const feedback = server.requests().slice(1).map(lastMessage);
    expect(feedback[0]).toContain('structure check failed: missing required key "reasoning"');
    expect(feedback[1]).toContain(
      'references check failed: state_updates.agent_vars: unknown agent "Agent C" (agents: Agent A, Agent B)',
    );
    expect(feedback[1]).not.toContain('military_power');
    // The third request carries the whole conversation; its last turn names only the type errors.
    expect(feedback[2]).toContain(
      'types check failed: state_updates.global_vars.tension: expected a number, got "high"',
    );
    expect(feedback[2]).toContain(
      'state_updates.agent_vars["agent-b"].posture: expected one of "calm", "alert", got "panicked"',
    );
  });

  it('lets out-of-range values through: the engine clamps them, and the next prompt shows the hits', async () => {
    const outOfRange = ruling({
      state_updates: {
        global_vars: {},
        agent_vars: { 'Agent A': { economic_strength: -50 }, 'Agent B': { military_power: 120 } },
      },
    });
    const { server, events } = await startGameMaster([outOfRange, ruling()], 2);
    const hits = ofType(events, 'constraint-hit');
    expect(hits).toEqual([
      expect.objectContaining({
        step: 1,
        cause: 'game-master',
        agentId: 'agent-a',
        variable: 'economic_strength',
        attempted: -50,
        clamped: 0,
        bound: 'min',
      }),
      expect.objectContaining({
        step: 1,
        cause: 'game-master',
        agentId: 'agent-b',
        variable: 'military_power',
        attempted: 120,
        clamped: 100,
        bound: 'max',
      }),
    ]);
    const requests = server.requests();
    expect(requests).toHaveLength(2);
    expect(lastMessage(requests[0])).not.toContain('Constraint Hit');
    const next = lastMessage(requests[1]);
    expect(next).toContain('Constraint Hit: Agent A economic_strength attempted -50, clamped to 0');
    expect(next).toContain('→ Agent A economic_strength is at its minimum (0): it cannot go lower.');
    expect(next).toContain('Constraint Hit: Agent B military_power attempted 120, clamped to 100');
    // The hits sit under the step that caused them, after its reasoning.
    expect(next.indexOf('Constraint Hit: Agent A')).toBeGreaterThan(next.indexOf('Step 1:'));
    expect(next.indexOf('Constraint Hit: Agent A')).toBeLessThan(next.indexOf('=== THIS STEP (Step 2) ==='));
    expect(next).toContain('Agent A: economic_strength -1000');
    expect(next).toContain('    economic_strength: 0');
  });

  it('fails the run with GAME_MASTER_FAILED after max_attempts invalid replies', async () => {
    const { server, result, events, log } = await startGameMaster(['still not json'], 3);
    expect(server.requests()).toHaveLength(3);
    expect(result.status).toBe('failed');
    const failed = ofType(events, 'run-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error.code).toBe('GAME_MASTER_FAILED');
    expect(failed[0]?.error.message).toMatch(
      /^game master failed at step 1: no valid reply after 3 attempts: no JSON value found/,
    );
    expect(ofType(events, 'step-completed')).toHaveLength(0);
    expect(log.at(-1)?.code).toBe('ENG008');
  });
});
