import { describe, expect, it } from 'vitest';
import { tinyWorld } from '../__fixtures__/tiny-world';
import type { Brain, Decision } from '../agents/brain';
import { createEngine } from './engine';
import type { Run } from './run';
import type { RunEvent, RunEventOf } from './run-events';

function collect(run: Run): RunEvent[] {
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  return events;
}

function ofType<Type extends RunEvent['type']>(events: RunEvent[], type: Type): RunEventOf<Type>[] {
  return events.filter((event): event is RunEventOf<Type> => event.type === type);
}

const harvest: Decision = {
  calls: [{ tool: 'harvest', arguments: {} }],
  rationale: 'harvest',
  source: 'scripted',
};

/** A brain per agent id: the listed agents misbehave, the others harvest. */
function brains(behaviour: Record<string, Brain['decide']>) {
  return createEngine({
    brainFor: (agent) => ({
      name: 'test',
      decide: behaviour[agent.spec.id] ?? (async () => harvest),
    }),
  });
}

describe('Run', () => {
  it('numbers events 1, 2, 3… and brackets each step', async () => {
    const run = createEngine().createRun(tinyWorld());
    const events = collect(run);
    const result = await run.start();
    expect(result.status).toBe('completed');
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-completed');
    expect(ofType(events, 'step-started').map((event) => event.step)).toEqual([1, 2, 3, 4, 5]);
    expect(ofType(events, 'step-completed').map((event) => event.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('is reproducible from its seed, and a different seed gives a different run', async () => {
    const strip = (events: RunEvent[]) => events.map(({ wallTime, ...rest }) => JSON.stringify(rest));
    const runOnce = async (seed?: number) => {
      const scenario = tinyWorld({ agents: 12, steps: 8 });
      if (seed !== undefined) scenario.seed = seed;
      const run = createEngine().createRun(scenario);
      const events = collect(run);
      await run.start();
      return strip(events);
    };
    const first = await runOnce();
    expect(await runOnce()).toEqual(first);
    expect(await runOnce(8)).not.toEqual(first);
  });

  it('applies actions in agent order whatever order decisions complete in', async () => {
    const delays: Record<string, number> = {
      'agent-0001': 30,
      'agent-0002': 1,
      'agent-0003': 15,
      'agent-0004': 5,
    };
    const engine = createEngine({
      brainFor: (agent) => ({
        name: 'slow',
        decide: () =>
          new Promise<Decision>((resolve) => setTimeout(() => resolve(harvest), delays[agent.spec.id])),
      }),
    });
    const scenario = tinyWorld({ brain: 'slow', steps: 1 });
    const run = engine.createRun(scenario);
    const events = collect(run);
    await run.start();
    expect(ofType(events, 'agent-acted').map((event) => event.agentId)).toEqual([
      'agent-0001',
      'agent-0002',
      'agent-0003',
      'agent-0004',
    ]);
  });

  it('records an agent whose brain throws every step and keeps every other agent acting', async () => {
    const engine = brains({
      'agent-0002': () => {
        throw new Error('model exploded');
      },
    });
    const run = engine.createRun(tinyWorld({ brain: 'test' }));
    const events = collect(run);
    const result = await run.start();
    expect(result.status).toBe('completed');
    const failures = ofType(events, 'agent-failed');
    expect(failures).toHaveLength(5);
    expect(failures.every((event) => event.agentId === 'agent-0002' && event.reason === 'error')).toBe(true);
    expect(failures[0]?.message).toContain('model exploded');
    const acted = ofType(events, 'agent-acted');
    expect(acted).toHaveLength(15);
    expect(new Set(acted.map((event) => event.agentId))).toEqual(
      new Set(['agent-0001', 'agent-0003', 'agent-0004']),
    );
  });

  it('records a brain that hangs past the timeout as timed out and finishes the run', async () => {
    let aborted = 0;
    const engine = brains({
      'agent-0003': (_observation, { signal }) =>
        new Promise<Decision>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted += 1;
            reject(signal.reason);
          });
        }),
    });
    const run = engine.createRun(tinyWorld({ brain: 'test', steps: 3, timeoutMs: 50 }));
    const events = collect(run);
    const result = await run.start();
    expect(result.status).toBe('completed');
    const failures = ofType(events, 'agent-failed');
    expect(failures.map((event) => [event.agentId, event.reason])).toEqual([
      ['agent-0003', 'timeout'],
      ['agent-0003', 'timeout'],
      ['agent-0003', 'timeout'],
    ]);
    expect(aborted).toBe(3);
    expect(ofType(events, 'agent-acted')).toHaveLength(9);
  });

  it('stops during a step: in-flight decisions are aborted at once and the partial run is consistent', async () => {
    let inFlight = 0;
    let abortedInFlight = 0;
    let runRef: Run | undefined;
    const engine = createEngine({
      brainFor: () => ({
        name: 'slow',
        decide: (_observation, { signal }) => {
          if (runRef && runRef.step === 2) {
            inFlight += 1;
            if (inFlight === 4) setTimeout(() => runRef?.stop('test stop'), 10);
            return new Promise<Decision>((_resolve, reject) => {
              signal.addEventListener('abort', () => {
                abortedInFlight += 1;
                reject(signal.reason);
              });
            });
          }
          return Promise.resolve(harvest);
        },
      }),
    });
    const run = engine.createRun(tinyWorld({ brain: 'slow', steps: 5, timeoutMs: 60_000 }));
    runRef = run;
    const events = collect(run);
    const started = Date.now();
    const result = await run.start();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe('stopped');
    expect(abortedInFlight).toBe(4);
    expect(result.steps).toBe(2);
    const cancelled = ofType(events, 'agent-failed').filter((event) => event.reason === 'cancelled');
    expect(cancelled.map((event) => event.step)).toEqual([2, 2, 2, 2]);
    expect(ofType(events, 'step-completed').map((event) => event.step)).toEqual([1, 2]);
    expect(events.at(-1)).toMatchObject({ type: 'run-stopped', step: 2, reason: 'test stop' });
    // Step 1's four harvests are the only changes: the state is exactly what the log says.
    expect(result.finalState.globals.pool).toBe(80);
    expect(Object.values(result.finalState.agents).map((agent) => agent.wealth)).toEqual([15, 15, 15, 15]);
  });

  it('pauses, single-steps and resumes at step boundaries', async () => {
    const run = createEngine().createRun(tinyWorld({ steps: 4 }));
    const events = collect(run);
    run.pause();
    const finished = run.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(run.status).toBe('paused');
    expect(ofType(events, 'step-completed')).toHaveLength(0);
    run.singleStep();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ofType(events, 'step-completed').map((event) => event.step)).toEqual([1]);
    expect(run.status).toBe('paused');
    run.resume();
    const result = await finished;
    expect(result.status).toBe('completed');
    expect(ofType(events, 'step-completed').map((event) => event.step)).toEqual([1, 2, 3, 4]);
    expect(ofType(events, 'run-paused').length).toBeGreaterThanOrEqual(2);
    expect(ofType(events, 'run-resumed').length).toBeGreaterThanOrEqual(1);
  });

  it('mutes, pauses and terminates agents, and delivers operator messages and events', async () => {
    const seen: Record<string, string[]> = {};
    const engine = createEngine({
      brainFor: (agent) => ({
        name: 'talker',
        decide: async (observation) => {
          const lines = seen[agent.spec.id] ?? [];
          seen[agent.spec.id] = lines;
          for (const message of observation.inbox)
            lines.push(`${observation.step}:${message.from}:${message.text}`);
          for (const event of observation.events) lines.push(`${observation.step}:event:${event.type}`);
          return {
            calls: [
              harvest.calls[0]!,
              { tool: 'post_to_room', arguments: { room: 'square', text: `hi from ${agent.spec.id}` } },
            ],
            rationale: 'talk',
            source: 'scripted',
          };
        },
      }),
    });
    const run = engine.createRun(tinyWorld({ brain: 'talker', steps: 3 }));
    const events = collect(run);
    run.muteAgent('agent-0001');
    run.pauseAgent('agent-0002');
    run.terminateAgent('agent-0004');
    run.injectMessage({ to: 'agent-0003', text: 'evacuate now' });
    run.injectEvent({ type: 'storm', description: 'A storm hits', effects: { pool: 'pool - 50.0' } });
    run.setVariable('wealth', 99, 'agent-0003');
    const result = await run.start();
    expect(result.status).toBe('completed');
    const acted = new Set(ofType(events, 'agent-acted').map((event) => event.agentId));
    expect(acted).toEqual(new Set(['agent-0001', 'agent-0003']));
    const muted = ofType(events, 'message-sent').filter((event) => event.from === 'agent-0001');
    expect(muted.length).toBeGreaterThan(0);
    expect(muted.every((event) => event.muted === true)).toBe(true);
    expect(seen['agent-0003']).toContain('1:operator:evacuate now');
    expect(seen['agent-0003']).toContain('1:event:storm');
    expect(seen['agent-0003']?.some((line) => line.includes('agent-0001'))).toBe(false);
    expect(ofType(events, 'event-fired')).toMatchObject([
      { eventType: 'storm', source: 'injected', step: 1 },
    ]);
    // setVariable clamps like any write: wealth max is 50.
    expect(ofType(events, 'constraint-hit')).toContainEqual(
      expect.objectContaining({
        agentId: 'agent-0003',
        variable: 'wealth',
        attempted: 99,
        clamped: 50,
        bound: 'max',
      }),
    );
    expect(result.finalState.globals.pool).toBe(100 - 50 - 2 * 5 * 3);
  });

  it('records clamps as constraint hits that the next step can see', async () => {
    const observedHits: number[] = [];
    const engine = createEngine({
      brainFor: () => ({
        name: 'greedy',
        decide: async (observation) => {
          observedHits.push(observation.constraintHits.length);
          return harvest;
        },
      }),
    });
    const crowded = tinyWorld({ brain: 'greedy', agents: 12, steps: 3 });
    const crowdedRun = engine.createRun(crowded);
    const crowdedEvents = collect(crowdedRun);
    await crowdedRun.start();
    // 12 agents each take 5 from a pool of 100: it empties during step 2 and clamps at 0.
    const hits = ofType(crowdedEvents, 'constraint-hit');
    expect(hits.length).toBeGreaterThan(0);
    expect(observedHits.slice(0, 12 * hits[0]!.step).every((count) => count === 0)).toBe(true);
    expect(hits[0]).toMatchObject({ variable: 'pool', bound: 'min', clamped: 0, cause: 'action' });
    const firstHitStep = hits[0]!.step;
    // Every agent acting in the following step sees the hit in its observation.
    const perStep = 12;
    expect(
      observedHits.slice(firstHitStep * perStep, (firstHitStep + 1) * perStep).every((count) => count > 0),
    ).toBe(true);
  });

  it('runs agents that name a model tier on the rule brain, with one notice, when no model is configured', async () => {
    const run = createEngine().createRun(tinyWorld({ brain: 'fast', steps: 2 }));
    const events = collect(run);
    const result = await run.start();
    expect(result.status).toBe('completed');
    const notices = ofType(events, 'run-notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toMatch(/4 agents ask for brain "fast".*SANDTABLE_MODEL_URL/);
    expect(ofType(events, 'agent-acted').every((event) => event.source === 'rules')).toBe(true);
  });

  it('streams events to async iterators until the run ends', async () => {
    const run = createEngine().createRun(tinyWorld({ steps: 2 }));
    const iterated: string[] = [];
    const consumer = (async () => {
      for await (const event of run.events()) iterated.push(event.type);
    })();
    await run.start();
    await consumer;
    expect(iterated[0]).toBe('run-started');
    expect(iterated.at(-1)).toBe('run-completed');
  });
});

describe('game master', () => {
  it('applies its ruling after the agents act: clamped updates, events, personal messages, reasoning', async () => {
    const inputs: Array<{ step: number; actions: string[]; hits: number }> = [];
    const heard: string[] = [];
    const engine = createEngine({
      brainFor: (agent) => ({
        name: 'listener',
        decide: async (observation) => {
          for (const message of observation.inbox)
            heard.push(`${agent.spec.id}@${observation.step}:${message.from}:${message.text}`);
          return harvest;
        },
      }),
      gameMaster: () => ({
        name: 'scripted-gm',
        update: (input) => {
          inputs.push({
            step: input.step,
            actions: input.responses.flatMap((response) => response.actions),
            hits: input.constraintHits.length,
          });
          return {
            globals: { pool: 500 },
            agents: { 'agent-0001': { wealth: 12 } },
            events: [{ type: 'drought', description: 'No rain this week', affects: ['agent-0002'] }],
            messages: { 'agent-0002': `Step ${input.step}: the fields are dry.` },
            reasoning: 'Harvests drained the pool; a drought follows.',
          };
        },
      }),
    });
    const run = engine.createRun(tinyWorld({ brain: 'listener', agents: 2, steps: 2 }));
    const events = collect(run);
    await run.start();
    expect(inputs).toEqual([
      { step: 1, actions: ['harvest', 'harvest'], hits: 0 },
      { step: 2, actions: ['harvest', 'harvest'], hits: 1 },
    ]);
    const hits = ofType(events, 'constraint-hit').filter((event) => event.cause === 'game-master');
    expect(hits.map((hit) => [hit.step, hit.variable, hit.attempted, hit.clamped])).toEqual([
      [1, 'pool', 500, 200],
      [2, 'pool', 500, 200],
    ]);
    expect(ofType(events, 'game-master-reasoned').map((event) => event.reasoning)).toHaveLength(2);
    expect(ofType(events, 'event-fired').map((event) => [event.eventType, event.source])).toEqual([
      ['drought', 'game-master'],
      ['drought', 'game-master'],
    ]);
    expect(heard).toContain('agent-0002@2:game-master:Step 1: the fields are dry.');
    const gmChanges = ofType(events, 'state-changed').filter((event) => event.cause === 'game-master');
    expect(gmChanges[0]?.changes).toContainEqual({
      agentId: 'agent-0001',
      variable: 'wealth',
      from: 15,
      to: 12,
    });
  });
});
