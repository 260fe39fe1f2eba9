import {
  type AttemptRecord,
  emptyUsage,
  type FinalAgentState,
  type FinalState,
  type RunEvent,
  type RunRecords,
  type Scenario,
  type VariableValue,
} from '@sandtable/core';
import { loadStoredScenario, type RunRecord, type Store, type StoredModelCall } from '@sandtable/store';

/** Stored statuses of a run that has ended: its records no longer change. */
export const endedStatuses = ['completed', 'stopped', 'failed'] as const;

/** Whether a stored run has ended (completed, stopped or failed). */
export function hasEnded(record: RunRecord): boolean {
  return (endedStatuses as readonly string[]).includes(record.status);
}

/**
 * A stored model call as the attempt records analysis counts (calls, tokens and cost per step),
 * as `model-calls.jsonl` holds them: the router's own attempts (retries and hedges included) when
 * the store kept them; for a call answered from the store (no attempts) one record from its
 * cassette entry, with the provider's latency and cost 0.
 */
function attemptsOf(runId: string, call: StoredModelCall): AttemptRecord[] {
  const where = {
    runId,
    ...(call.step !== null ? { step: call.step } : {}),
    ...(call.agentId !== null ? { agentId: call.agentId } : {}),
  };
  if (call.attempts && call.attempts.length > 0)
    return call.attempts.map((attempt) => ({ ...where, ...attempt }));
  return [attemptOf(runId, call)];
}

function attemptOf(runId: string, call: StoredModelCall): AttemptRecord {
  const { entry } = call;
  return {
    endpointId: 'recorded',
    model: entry.response?.model ?? entry.request.model,
    tier: call.target,
    attempt: 1,
    hedge: false,
    startedAt: call.createdAt.getTime(),
    latencyMs: entry.response?.latencyMs ?? 0,
    delayBeforeMs: 0,
    queuedMs: 0,
    outcome: entry.error ? 'error' : 'ok',
    ...(entry.error ? { errorCode: entry.error.code } : {}),
    usage: entry.response?.usage ?? emptyUsage(),
    costUsd: 0,
    promptSha256: entry.key,
    runId,
    ...(call.step !== null ? { step: call.step } : {}),
    ...(call.agentId !== null ? { agentId: call.agentId } : {}),
  };
}

/**
 * Each agent at the end of the run: who it is (the stored roster, or the scenario's when none was
 * stored), its variables after the last committed step, and what the events say of it — status
 * and mute from `agent-controlled`, failures from `agent-failed`, its last tool from `agent-acted`.
 */
function finalAgents(
  scenario: Scenario,
  roster: Array<{ agentId: string; name: string; role: string }>,
  events: readonly RunEvent[],
  variables: Record<string, Record<string, unknown>>,
): FinalAgentState[] {
  const agents = new Map<string, FinalAgentState>();
  const people =
    roster.length > 0
      ? roster.map((agent) => ({ id: agent.agentId, name: agent.name, role: agent.role }))
      : scenario.agents.map((agent) => ({ id: agent.id, name: agent.name, role: agent.role }));
  for (const person of people) {
    agents.set(person.id, {
      ...person,
      status: 'active',
      muted: false,
      failures: 0,
      lastAction: null,
      variables: (variables[person.id] ?? {}) as Record<string, VariableValue>,
    });
  }
  for (const event of events) {
    if (event.type === 'agent-controlled') {
      const agent = agents.get(event.agentId);
      if (!agent || agent.status === 'terminated') continue;
      switch (event.control) {
        case 'muted':
          agent.muted = true;
          break;
        case 'unmuted':
          agent.muted = false;
          break;
        case 'paused':
          agent.status = 'paused';
          break;
        case 'resumed':
          agent.status = 'active';
          break;
        case 'terminated':
          agent.status = 'terminated';
          break;
        default: {
          const unknown: never = event.control;
          throw new Error(`unhandled agent control ${String(unknown)}`);
        }
      }
    } else if (event.type === 'agent-failed') {
      const agent = agents.get(event.agentId);
      if (agent) agent.failures = (agent.failures ?? 0) + 1;
    } else if (event.type === 'agent-acted') {
      const agent = agents.get(event.agentId);
      if (agent) agent.lastAction = event.tool;
    }
  }
  return [...agents.values()];
}

/**
 * Builds core's {@link RunRecords} of a stored run — what `readRunFolder` gives the CLI — from the
 * store: the scenario version as run (seed, parameters, overrides), every committed event, the
 * model calls, and for a run that has ended the end state (its world after the last committed
 * step, the run's status and outcome, each agent as the events left it).
 * @throws {SandtableError} SCENARIO_NOT_FOUND when the run's scenario version is missing;
 * {ScenarioError} when the stored text no longer validates
 */
export async function storedRunRecords(store: Store, record: RunRecord): Promise<RunRecords> {
  const [scenario, events, calls] = await Promise.all([
    loadStoredScenario(store, record),
    // Every committed event: the run's last sequence bounds the count.
    store.eventsAfter(record.id, 0, Math.max(1, record.lastSequence)),
    store.modelCalls(record.id),
  ]);
  const records: RunRecords = {
    runId: record.id,
    scenario,
    events,
    ...(calls.length > 0 ? { modelCalls: calls.flatMap((call) => attemptsOf(record.id, call)) } : {}),
  };
  if (!hasEnded(record)) return records;
  const [state, roster] = await Promise.all([
    record.lastStep >= 1 ? store.stateAt(record.id, record.lastStep) : Promise.resolve(undefined),
    store.listAgents(record.id),
  ]);
  const finalState: FinalState = {
    scenario: scenario.name,
    seed: scenario.seed,
    parameters: scenario.parameters,
    status: record.status,
    ...(record.outcome !== null ? { outcome: record.outcome } : {}),
    ...(record.reason !== null ? { reason: record.reason } : {}),
    steps: record.lastStep,
    globals: (state?.globals ?? {}) as Record<string, VariableValue>,
    agents: finalAgents(scenario, roster, events, state?.agents ?? {}),
  };
  return { ...records, finalState };
}
