import type { AgentRuntime } from '../agents/agent-runtime';
import type { Decision } from '../agents/brain';
import type { ConstraintHit, StateChange } from '../world/world-state';
import type { RunContext } from './run-context';
import type { MessageRecord } from './run-events';
import type { FiredEvent } from './step-types';
import type { TaskOutcome } from './work-pool';

/** Asks the game master for its ruling on this step and applies it like any other write. */
export async function consultGameMaster(
  context: RunContext,
  step: number,
  acting: AgentRuntime[],
  outcomes: Array<TaskOutcome<Decision> | undefined>,
  fired: FiredEvent[],
): Promise<void> {
  const gameMaster = context.gameMaster!;
  const responses = acting.map((agent, index) => {
    const outcome = outcomes[index];
    return {
      agentId: agent.spec.id,
      name: agent.spec.name,
      actions: outcome?.ok ? outcome.value.calls.map((call) => call.tool) : [],
      rationale: outcome?.ok ? outcome.value.rationale : '',
      calls: outcome?.ok ? outcome.value.calls : [],
      ...(outcome && !outcome.ok ? { failed: outcome.reason } : {}),
    };
  });
  const update = await gameMaster.update({
    step,
    scenario: context.scenario,
    state: () => context.world.snapshot(),
    responses,
    constraintHits: context.gameMasterHits.splice(0),
    events: fired.map(({ type, description }) => ({ type, description })),
    signal: context.controller.signal,
  });
  if (update.reasoning) {
    context.emit('game-master-reasoned', {
      step,
      gameMaster: gameMaster.name,
      reasoning: update.reasoning,
    });
  }
  const byName = new Map(context.order.map((agent) => [agent.spec.name, agent.spec.id]));
  const resolve = (key: string) => (context.agents.has(key) ? key : byName.get(key));
  const writes: Array<{ agentId?: string; variable: string; value: unknown }> = [];
  for (const [variable, value] of Object.entries(update.globals ?? {})) writes.push({ variable, value });
  for (const [key, variables] of Object.entries(update.agents ?? {})) {
    const agentId = resolve(key);
    if (!agentId) {
      context.emit('run-notice', {
        message: `game master updated unknown agent "${key}" at step ${step}; ignored`,
      });
      continue;
    }
    for (const [variable, value] of Object.entries(variables)) writes.push({ agentId, variable, value });
  }
  const changes: StateChange[] = [];
  const hits: ConstraintHit[] = [];
  context.applyWrites(writes, changes, hits);
  if (changes.length > 0) context.emit('state-changed', { step, cause: 'game-master', changes });
  context.emitHits(hits, 'game-master');
  for (const event of update.events ?? []) {
    context.emit('event-fired', {
      step,
      eventType: event.type,
      description: event.description,
      source: 'game-master',
      affects: event.affects ?? ['*'],
    });
  }
  for (const [key, text] of Object.entries(update.messages ?? {})) {
    const agentId = resolve(key);
    if (!agentId) continue;
    const record: MessageRecord = { from: 'game-master', to: agentId, text, step };
    context.messages.send(record);
    context.emit('message-sent', record);
  }
}
