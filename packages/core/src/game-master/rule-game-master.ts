import type { GameMaster, GameMasterInput, GameMasterUpdate } from '../engine/game-master';
import type { Scenario } from '../scenario/scenario';
import type { ConstraintHit, StateChange } from '../world/world-state';
import { type AgentResponse, GameMasterLedger } from './game-master-history';
import {
  type AgentDirectory,
  describeChange,
  describeHit,
  describeValue,
  humanise,
  latestHits,
} from './world-delta';

/** Options of a {@link RuleGameMaster}. */
export interface RuleGameMasterOptions {
  scenario: Scenario;
  /** Why the rule-based game master runs instead of a model; said once, in the first reasoning. */
  reason?: string;
}

/** Agents listed one by one in the reasoning; beyond this, actions are counted. */
const agentsListed = 8;
/** Changes and hits listed in the reasoning. */
const itemsListed = 8;
/** Global variables quoted in messages and narrative events. */
const globalsQuoted = 4;

function listed(items: string[], limit = itemsListed): string {
  if (items.length <= limit) return items.join('; ');
  return `${items.slice(0, limit).join('; ')}; and ${items.length - limit} more`;
}

/** What an agent did, without its rationale: `act(stance="compete")`, `wait`, or `no decision (timeout)`. */
function actionsOf(response: AgentResponse): string {
  if (response.failed) return `no decision (${response.failed})`;
  if (response.calls && response.calls.length > 0) {
    return response.calls
      .map(
        (call) =>
          `${call.tool}(${Object.entries(call.arguments)
            .map(([name, value]) => `${name}=${describeValue(value)}`)
            .join(', ')})`,
      )
      .join(', ');
  }
  return response.actions.join(', ') || 'nothing';
}

function personalHitLine(hit: ConstraintHit): string {
  const variable = humanise(hit.variable);
  switch (hit.bound) {
    case 'min':
      return `Your ${variable} is at its minimum (${describeValue(hit.clamped)}): it cannot go lower.`;
    case 'max':
      return `Your ${variable} is at its maximum (${describeValue(hit.clamped)}): it cannot go higher.`;
    case 'type':
    case 'enum':
    case 'not-a-number':
      return `A change to your ${variable} was rejected (${describeValue(hit.attempted)} is not valid); it stays ${describeValue(hit.clamped)}.`;
    default: {
      const unreachable: never = hit.bound;
      return unreachable;
    }
  }
}

function worldLimitLine(hit: ConstraintHit): string {
  const bound = hit.bound === 'min' ? 'minimum' : hit.bound === 'max' ? 'maximum' : 'last valid value';
  return `${humanise(hit.variable)} is at its ${bound} (${describeValue(hit.clamped)})`;
}

/**
 * The game master that needs no model: the same scenario runs, and every step still gets a
 * ruling — but one that changes nothing the scenario's own rules did not. Its reasoning
 * summarises the step (who did what, which variables moved, which constraints were hit, which
 * events fired); each fired event gets a narrative event; each acting agent gets a personal
 * message built from its action, its changes, its constraint hits and its variables. The text
 * is a pure function of the step, so runs stay reproducible.
 */
export class RuleGameMaster implements GameMaster {
  readonly name = 'rules';
  private readonly ledger: GameMasterLedger;
  private readonly directory: AgentDirectory;
  private introduced = false;

  constructor(private readonly options: RuleGameMasterOptions) {
    this.ledger = new GameMasterLedger(options.scenario, 1);
    this.directory = this.ledger.directory;
  }

  update(input: GameMasterInput): GameMasterUpdate {
    const { scenario } = this.options;
    const view = this.ledger.begin(input);
    const visibleGlobals = Object.entries(view.state.globals)
      .filter(([name]) => scenario.variables[name]?.visible !== false)
      .slice(0, globalsQuoted)
      .map(([name, value]) => `${name} ${describeValue(value)}`);
    const world = visibleGlobals.length > 0 ? `World now: ${visibleGlobals.join(', ')}.` : '';
    const globalHits = latestHits(view.constraintHits.filter((hit) => hit.agentId === undefined));

    const update: GameMasterUpdate = {
      reasoning: this.reasoning(input, view.changes, view.constraintHits),
    };
    if (input.events.length > 0) {
      update.events = input.events.map((event) => ({
        type: event.type,
        description: [`In the wake of ${event.type}: ${event.description}`, world].filter(Boolean).join(' '),
      }));
    }
    const changesByAgent = new Map<string, StateChange[]>();
    for (const change of view.changes) {
      if (change.agentId === undefined) continue;
      const list = changesByAgent.get(change.agentId) ?? [];
      list.push(change);
      changesByAgent.set(change.agentId, list);
    }
    const hitsByAgent = new Map<string, ConstraintHit[]>();
    for (const hit of latestHits(view.constraintHits)) {
      if (hit.agentId === undefined) continue;
      const list = hitsByAgent.get(hit.agentId) ?? [];
      list.push(hit);
      hitsByAgent.set(hit.agentId, list);
    }
    const messages: Record<string, string> = {};
    for (const response of input.responses) {
      const lines = [`Step ${input.step} report for ${response.name}.`];
      lines.push(
        response.failed
          ? `Your decision did not come through (${response.failed}).`
          : `You: ${actionsOf(response)}.`,
      );
      const changes = changesByAgent.get(response.agentId) ?? [];
      if (changes.length > 0) lines.push(`Changes to you: ${listed(changes.map(describeChange), 6)}.`);
      for (const hit of hitsByAgent.get(response.agentId) ?? []) lines.push(personalHitLine(hit));
      for (const event of input.events) lines.push(`Event: ${event.type} — ${event.description}`);
      if (globalHits.length > 0)
        lines.push(`Limits reached: ${globalHits.slice(0, 3).map(worldLimitLine).join('; ')}.`);
      if (world) lines.push(world);
      const own = view.state.agents[response.agentId];
      if (own && Object.keys(own).length > 0) {
        lines.push(
          `Your position: ${Object.entries(own)
            .map(([name, value]) => `${name} ${describeValue(value)}`)
            .join(', ')}.`,
        );
      }
      messages[response.agentId] = lines.join(' ');
    }
    if (Object.keys(messages).length > 0) update.messages = messages;
    this.ledger.commit(view, input, update);
    return update;
  }

  private reasoning(input: GameMasterInput, changes: StateChange[], hits: ConstraintHit[]): string {
    const parts: string[] = [];
    if (!this.introduced) {
      this.introduced = true;
      parts.push(
        `Rule-based game master${this.options.reason ? ` (${this.options.reason})` : ''}: it narrates each step and changes nothing the scenario's rules do not.`,
      );
    }
    const responses = input.responses as AgentResponse[];
    if (responses.length === 0) parts.push(`Step ${input.step}: no agent acted.`);
    else if (responses.length <= agentsListed) {
      parts.push(
        `Step ${input.step}: ${responses.map((response) => `${response.name} ${actionsOf(response)}`).join('; ')}.`,
      );
    } else {
      const counts = new Map<string, number>();
      for (const response of responses) {
        const key = response.failed ? 'no decision' : (response.actions[0] ?? 'nothing');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      parts.push(
        `Step ${input.step}: ${responses.length} agents responded: ${[...counts]
          .map(([action, count]) => `${action} ×${count}`)
          .join(', ')}.`,
      );
    }
    const name = (agentId?: string) => (agentId === undefined ? 'Global' : this.directory.nameOf(agentId));
    parts.push(
      changes.length > 0
        ? `Moved: ${listed(changes.map((change) => `${name(change.agentId)} ${describeChange(change)}`))}.`
        : 'Nothing moved.',
    );
    const latest = latestHits(hits);
    if (latest.length > 0) {
      parts.push(
        `Constraint hits: ${listed(latest.map((hit) => describeHit(hit, hit.agentId === undefined ? undefined : name(hit.agentId))))}.`,
      );
    }
    if (input.events.length > 0) {
      const fired = input.events.map((event) => `${event.type} — ${event.description}`).join('; ');
      parts.push(`Events: ${/[.!?]$/.test(fired) ? fired : `${fired}.`}`);
    }
    parts.push('No state updates beyond the scenario’s own rules.');
    return parts.join(' ');
  }
}
