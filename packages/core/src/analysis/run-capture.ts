import { createEngine, type EngineOptions } from '../engine/engine';
import type { Run, RunResult } from '../engine/run';
import type { RunEvent } from '../engine/run-events';
import type { Scenario } from '../scenario/scenario';
import type { FinalState, RunRecords } from './run-records';

/** The end state of a finished run, in the shape `final-state.json` holds. */
export function finalStateOf(run: Run, result: RunResult): FinalState {
  return {
    scenario: run.scenario.name,
    seed: run.scenario.seed,
    parameters: run.scenario.parameters,
    status: result.status,
    outcome: result.outcome,
    reason: result.reason,
    steps: result.steps,
    globals: result.finalState.globals,
    agents: run.agentList.map((agent) => ({
      id: agent.spec.id,
      name: agent.spec.name,
      role: agent.spec.role,
      status: agent.status,
      muted: agent.muted,
      failures: agent.failures,
      lastAction: agent.lastAction ?? null,
      mood: {
        valence: Number(agent.mood.valence.toFixed(4)),
        arousal: Number(agent.mood.arousal.toFixed(4)),
      },
      variables: result.finalState.agents[agent.spec.id] ?? {},
    })),
  };
}

/**
 * Runs a scenario in process and keeps what analysis needs: every event and the end state. For
 * tests, sweeps and anything else that wants a run's records without a run folder.
 * @defaultValue engine options: none (rule-based agents)
 */
export async function captureRun(
  scenario: Scenario,
  options: { runId?: string; engine?: EngineOptions } = {},
): Promise<RunRecords> {
  const runId =
    options.runId ?? `${scenario.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-s${scenario.seed}`;
  const run = createEngine(options.engine ?? {}).createRun(scenario, { runId });
  const events: RunEvent[] = [];
  run.subscribe((event) => events.push(event));
  const result = await run.start();
  return { runId, scenario, events, finalState: finalStateOf(run, result) };
}
