import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../engine/engine';
import type { RunEvent, RunEventOf } from '../../engine/run-events';
import { gameMasterFor } from '../../game-master/create-game-master';
import { gameMasterDefinitionOf } from '../../game-master/game-master-schema';
import { OpenAIProvider } from '../../model/openai-provider';
import { ModelRouter } from '../../model/router';
import { SimulatedModelServer } from '../../testing/simulated-model-server';
import type { SimulatedChatRequest, SimulatedReply } from '../../testing/simulated-server-types';
import type { Scenario } from '../scenario';
import { detectFormat } from './detect-format';
import { convertScenarioText } from './scenario-conversion';
import { convertSeed004 } from './seed-004-format';

const exampleFile = join(import.meta.dirname, '../../../../../scenarios/examples/seed-004-geopolitics.yaml');

async function loadExample(): Promise<Scenario> {
  const { scenario, issues } = convertScenarioText(await readFile(exampleFile, 'utf8'), {
    file: exampleFile,
  });
  expect(issues).toEqual([]);
  return scenario as Scenario;
}

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

const servers: SimulatedModelServer[] = [];
const routers: ModelRouter[] = [];

afterEach(async () => {
  for (const router of routers.splice(0)) router.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("seed 004's scenario YAML, as written in the seed", () => {
  it('is detected and converts onto the native model', async () => {
    const text = await readFile(exampleFile, 'utf8');
    expect(text.startsWith('max_steps: 50\n\nengine:                          # REQUIRED\n')).toBe(true);
    const conversion = convertScenarioText(text, { file: exampleFile });
    expect(conversion.format).toBe('seed-004');
    expect(conversion.issues).toEqual([]);
    const scenario = conversion.scenario as Scenario;
    expect(scenario.clock.steps).toBe(50);
    expect(gameMasterDefinitionOf(scenario)).toMatchObject({
      brain: 'gemini/gemini-1.5-flash',
      context_window: 5,
      max_attempts: 3,
      rules_fallback: true,
    });
    expect(gameMasterDefinitionOf(scenario)?.realism_guidelines).toContain('±50-200 per step');
    expect(scenario.events.map(({ step, type }) => ({ step, type }))).toEqual([
      { step: 20, type: 'major_war' },
      { step: 35, type: 'natural_disaster' },
    ]);
    expect(scenario.variables.geopolitical_tension).toMatchObject({
      type: 'float',
      default: 0.3,
      min: 0,
      max: 1,
    });
    expect(scenario.agentVariables.economic_strength).toMatchObject({ type: 'float', default: 1000, min: 0 });
    expect(scenario.agentVariables.economic_strength?.max).toBeUndefined();
    expect(
      scenario.agents.map(({ id, name, role, brain, persona, variables }) => ({
        id,
        name,
        role,
        brain,
        persona,
        variables,
      })),
    ).toEqual([
      {
        id: 'agent-a',
        name: 'Agent A',
        role: 'player',
        brain: 'gemini/gemini-1.5-flash',
        persona: 'You are an ambitious leader seeking regional dominance.',
        variables: { economic_strength: 1500, military_power: 70, public_support: 0.5 },
      },
      {
        id: 'agent-b',
        name: 'Agent B',
        role: 'player',
        brain: 'ollama/mistral',
        persona: 'You are a defensive leader focused on stability.',
        variables: { economic_strength: 1000, military_power: 50, public_support: 0.5 },
      },
    ]);
    expect(scenario.actions.map((action) => action.name)).toEqual(['act']);
    expect(conversion.text).toContain('game_master:\n  brain: gemini/gemini-1.5-flash\n');
  });

  it('runs its 50 steps with the rule-based game master when no model is configured', async () => {
    const scenario = await loadExample();
    const run = createEngine({ gameMaster: (loaded) => gameMasterFor(loaded, {}) }).createRun(scenario);
    const events: RunEvent[] = [];
    run.subscribe((event) => events.push(event));
    const result = await run.start();
    expect(result.status).toBe('completed');
    expect(ofType(events, 'step-completed')).toHaveLength(50);
    const reasoning = ofType(events, 'game-master-reasoned');
    expect(reasoning).toHaveLength(50);
    expect(reasoning[0]?.reasoning).toContain('Rule-based game master');
    expect(ofType(events, 'agent-acted').some((event) => event.tool === 'act')).toBe(true);
    const war = ofType(events, 'event-fired').filter((event) => event.eventType === 'major_war');
    expect(war.map((event) => [event.step, event.source])).toEqual([
      [20, 'scheduled'],
      [20, 'game-master'],
    ]);
    const messages = ofType(events, 'message-sent').filter((event) => event.from === 'game-master');
    expect(messages).toHaveLength(
      ofType(events, 'agent-acted').filter((event) => event.tool === 'act' || event.tool === 'wait').length,
    );
    expect(messages[0]?.text).toMatch(/^Step 1 report for Agent A\. You: /);
  });

  it('runs its 50 steps against a simulated model server: model agents and a model game master', async () => {
    const server = await SimulatedModelServer.start({
      reply: (request: SimulatedChatRequest): SimulatedReply => {
        if (
          request.responseFormat?.type === 'json_schema' &&
          request.responseFormat.name === 'game_master_ruling'
        ) {
          const step = Number(
            /=== CURRENT STATE \(Step (\d+)\) ===/.exec(request.messages.at(-1)?.content ?? '')?.[1],
          );
          return JSON.stringify({
            state_updates: {
              global_vars: { geopolitical_tension: Math.min(1, 0.3 + step * 0.02) },
              agent_vars: {
                'Agent A': { economic_strength: 1500 + step * 10 },
                'Agent B': { military_power: 50 + step },
              },
            },
            events:
              step === 20
                ? [{ type: 'war', description: 'War breaks out', affects: ['Agent A', 'Agent B'] }]
                : [],
            agent_messages: {
              'Agent A': `Step ${step}: your economy grows.`,
              'Agent B': `Step ${step}: you arm.`,
            },
            reasoning: `Step ${step} processed.`,
          });
        }
        return {
          toolCalls: [
            { name: 'act', arguments: { stance: 'invest', statement: 'I invest 200k in startups' } },
          ],
        };
      },
    });
    servers.push(server);
    const endpoint = (id: string) => ({
      id,
      provider: new OpenAIProvider({ id, baseUrl: server.openaiBaseUrl, apiKey: 'test' }),
      model: 'simulated-model',
      maxConcurrency: 4,
      timeoutMs: 5_000,
    });
    const router = new ModelRouter({
      endpoints: [endpoint('gemini'), endpoint('ollama')],
      tiers: { smart: ['gemini'] },
    });
    routers.push(router);
    const scenario = await loadExample();
    const run = createEngine({
      models: { router },
      gameMaster: (loaded) => gameMasterFor(loaded, { router }),
    }).createRun(scenario);
    const events: RunEvent[] = [];
    run.subscribe((event) => events.push(event));
    const result = await run.start();
    expect(result.status).toBe('completed');
    expect(ofType(events, 'step-completed')).toHaveLength(50);
    const rulings = server.requests().filter((request) => request.responseFormat?.type === 'json_schema');
    expect(rulings).toHaveLength(50);
    expect(rulings[0]?.model).toBe('gemini-1.5-flash');
    expect(ofType(events, 'game-master-reasoned').map((event) => event.gameMaster)).toEqual(
      Array.from({ length: 50 }, () => 'model:gemini/gemini-1.5-flash'),
    );
    expect(ofType(events, 'agent-acted').filter((event) => event.source === 'model')).toHaveLength(100);
    // The last ruling holds; Agent B's military was clamped to its maximum from step 51 on.
    expect(result.finalState.agents['agent-a']?.economic_strength).toBe(2000);
    expect(result.finalState.agents['agent-b']?.military_power).toBe(100);
    expect(result.finalState.globals.geopolitical_tension).toBe(1);
    expect(ofType(events, 'constraint-hit').every((event) => event.cause === 'game-master')).toBe(true);
    // Agents read the game master's message of the previous step.
    const agentRequests = server.requests().filter((request) => request.tools.length > 0);
    expect(
      agentRequests.some((request) =>
        request.messages.some((message) => message.content.includes('Step 1: your economy grows.')),
      ),
    ).toBe(true);
    // The game master reads the agents' statements back (their rationale) and its history.
    expect(rulings[1]?.messages.at(-1)?.content).toContain('Reasoning: Step 1 processed.');
  });
});

describe('seed 004 conversion problems', () => {
  it('locates what is missing or wrong in the input', () => {
    const { issues } = convertScenarioText(
      [
        'engine:',
        '  provider: gemini',
        'global_vars:',
        '  tension: { type: decimal, default: 0.3 }',
        'agents: []',
        '',
      ].join('\n'),
      { file: 'broken.yaml' },
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'broken.yaml',
          line: 1,
          message: 'max_steps is required (the number of steps)',
        }),
        expect.objectContaining({
          line: 1,
          path: 'engine',
          message: 'engine.system_prompt is required (a non-empty text)',
        }),
        expect.objectContaining({
          line: 4,
          path: 'global_vars.tension.type',
          message: expect.stringContaining('unknown type "decimal"'),
        }),
        expect.objectContaining({ line: 5, path: 'agents', message: 'agents must be a non-empty list' }),
      ]),
    );
  });

  it('maps dict variables to JSON text and notes what it dropped', () => {
    const { file, notes, issues } = convertSeed004({
      max_steps: 3,
      orchestrator_message: 'What do you do?',
      global_vars: { alliances: { type: 'dict', default: { a: ['b'] } } },
      agents: [{ name: 'Ünïcode Leader', llm: { model: 'smart' }, mood: 'calm' }],
    });
    expect(issues).toEqual([]);
    expect(file.variables?.alliances).toEqual({ type: 'string', default: '{"a":["b"]}' });
    expect(file.agents?.[0]).toMatchObject({ id: 'unicode-leader', brain: 'smart', role: 'player' });
    expect(file.game_master).toBeUndefined();
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.stringContaining('orchestrator_message'),
        expect.stringContaining('global_vars.alliances: dict'),
        expect.stringContaining('agents: fields mood'),
        'no engine block: the scenario runs without a game master.',
      ]),
    );
    expect(detectFormat({ max_steps: 3 })).toBe('seed-004');
    expect(detectFormat({ name: 'x', clock: { steps: 1 } })).toBe('native');
  });
});
