import type { RunEvent } from '../engine/run-events';
import type { Scenario } from '../scenario/scenario';
import { describeChange, describeHitBody, hitConsequence } from './world-delta';

/** Seed 004's log codes and what each means. ENG003–ENG007 come from the model game master itself. */
export const gameMasterLogCodes = {
  ENG001: 'engine_initialization',
  ENG002: 'engine_step_start',
  ENG003: 'engine_llm_call',
  ENG004: 'engine_llm_response',
  ENG005: 'engine_validation_success',
  ENG006: 'engine_validation_failed',
  ENG007: 'engine_retry',
  ENG008: 'engine_fatal_error',
  ENG009: 'engine_constraint_hit',
  ENG010: 'engine_state_update',
  ENG011: 'engine_event_generated',
  ENG012: 'engine_scripted_event',
} as const;

/** A log code: one of {@link gameMasterLogCodes}, or `SIM_REASONING` for the game master's reasoning. */
export type GameMasterLogCode = keyof typeof gameMasterLogCodes | 'SIM_REASONING';

/** One JSONL record in seed 004's shape: timestamp, code, step, message, then the code's own fields. */
export interface GameMasterLogRecord {
  timestamp: string;
  code: GameMasterLogCode;
  step: number;
  message: string;
  [field: string]: unknown;
}

/** Options of the log formatters. */
export interface GameMasterLogOptions {
  /** Agent id → display name (see {@link agentNamesOf}); ids are shown as they are without it. */
  agentNames?: Readonly<Record<string, string>>;
  /** The run's game master, announced (ENG001) on `run-started`; nothing is announced without it. */
  gameMaster?: { name: string; brain?: string };
  /** Prefix console headings with the seed's icons (🎮 📊 ⚡ ⚠️). @defaultValue false */
  icons?: boolean;
  /** Most detail lines under one console heading; the rest are counted. @defaultValue 20 */
  maxLines?: number;
  /** Which `state-changed` causes the console shows. @defaultValue every cause */
  stateCauses?: ReadonlyArray<Extract<RunEvent, { type: 'state-changed' }>['cause']>;
}

/** Agent id → name for a scenario, for {@link GameMasterLogOptions.agentNames}. */
export function agentNamesOf(scenario: Pick<Scenario, 'agents'>): Record<string, string> {
  return Object.fromEntries(scenario.agents.map((agent) => [agent.id, agent.name]));
}

function nameOf(options: GameMasterLogOptions, id: string | undefined): string | undefined {
  return id === undefined ? undefined : (options.agentNames?.[id] ?? id);
}

function affectsOf(options: GameMasterLogOptions, affects: readonly string[]): string[] {
  return affects
    .filter((selector) => selector !== '*')
    .map((selector) => nameOf(options, selector) ?? selector);
}

/**
 * The seed-style JSONL records for one run event (usually none or one): ENG001 on `run-started`
 * when a game master is given, ENG002 per step, SIM_REASONING, ENG010 state updates (counts and
 * deltas), ENG009 constraint hits, ENG011 events the game master declared, ENG012 scripted,
 * conditional and injected events, ENG008 when the run fails. Pure: the timestamp is the event's
 * `wallTime`.
 */
export function gameMasterLogRecords(
  event: RunEvent,
  options: GameMasterLogOptions = {},
): GameMasterLogRecord[] {
  const timestamp = event.wallTime;
  switch (event.type) {
    case 'run-started': {
      if (!options.gameMaster) return [];
      const { name, brain } = options.gameMaster;
      const [provider, ...model] = (brain ?? '').split('/');
      return [
        {
          timestamp,
          code: 'ENG001',
          step: 0,
          message: 'Game master initialized',
          gameMaster: name,
          ...(brain ? { brain } : {}),
          ...(brain && model.length > 0 ? { provider, model: model.join('/') } : {}),
        },
      ];
    }
    case 'step-started':
      return [{ timestamp, code: 'ENG002', step: event.step, message: 'Step started' }];
    case 'game-master-reasoned':
      return [
        {
          timestamp,
          code: 'SIM_REASONING',
          step: event.step,
          message: 'Game master reasoning',
          gameMaster: event.gameMaster,
          reasoning: event.reasoning,
        },
      ];
    case 'state-changed': {
      const agentChanges = event.changes.filter((change) => change.agentId !== undefined).length;
      return [
        {
          timestamp,
          code: 'ENG010',
          step: event.step,
          message: 'State updates applied',
          cause: event.cause,
          changes: { global_vars: event.changes.length - agentChanges, agent_vars: agentChanges },
          deltas: event.changes.map((change) => ({
            ...(change.agentId !== undefined ? { agent: nameOf(options, change.agentId) } : {}),
            var: change.variable,
            from: change.from,
            to: change.to,
          })),
        },
      ];
    }
    case 'constraint-hit':
      return [
        {
          timestamp,
          code: 'ENG009',
          step: event.step,
          message: 'Constraint hit',
          ...(event.agentId !== undefined ? { agent: nameOf(options, event.agentId) } : {}),
          var: event.variable,
          attempted: event.attempted,
          clamped: event.clamped,
          bound: event.bound,
          cause: event.cause,
        },
      ];
    case 'event-fired':
      return [
        {
          timestamp,
          code: event.source === 'game-master' ? 'ENG011' : 'ENG012',
          step: event.step,
          message: event.source === 'game-master' ? 'Event generated' : `Event fired (${event.source})`,
          type: event.eventType,
          description: event.description,
          affects: affectsOf(options, event.affects),
        },
      ];
    case 'run-failed':
      return [
        {
          timestamp,
          code: 'ENG008',
          step: event.step,
          message: 'Fatal error; the run stopped',
          error: event.error,
        },
      ];
    default:
      return [];
  }
}

/** One JSONL line of a record. */
export function formatLogRecord(record: GameMasterLogRecord): string {
  return JSON.stringify(record);
}

/**
 * The seed's human-readable console lines for one run event (none for events it does not cover):
 *
 * ```text
 * [Step 1] SIMULATOR REASONING:
 *          Agents took constructive actions, applied growth
 * [Step 1] STATE UPDATES:
 *          Agent A: economic_strength 1000 → 1100 (+100)
 * [Step 1] EVENT: Economic growth (affects: Agent A)
 * [Step 5] CONSTRAINT HIT:
 *          Agent B: economic_strength attempted -50, clamped to 0
 *          → Agent B economic_strength is at its minimum (0): it cannot go lower.
 * ```
 */
export function formatGameMasterEvent(event: RunEvent, options: GameMasterLogOptions = {}): string[] {
  const maxLines = options.maxLines ?? 20;
  const icon = (symbol: string) => (options.icons ? `${symbol} ` : '');
  const block = (step: number, heading: string, details: string[]) => {
    const prefix = `[Step ${step}] `;
    const indent = ' '.repeat(prefix.length);
    const shown = details.length > maxLines ? details.slice(0, maxLines) : details;
    const lines = [`${prefix}${heading}`, ...shown.map((line) => `${indent}${line}`)];
    if (details.length > maxLines) lines.push(`${indent}… and ${details.length - maxLines} more`);
    return lines;
  };
  switch (event.type) {
    case 'game-master-reasoned':
      return block(event.step, `${icon('🎮')}SIMULATOR REASONING:`, event.reasoning.trim().split('\n'));
    case 'state-changed': {
      if (options.stateCauses && !options.stateCauses.includes(event.cause)) return [];
      const heading = event.cause === 'game-master' ? 'STATE UPDATES:' : `STATE UPDATES (${event.cause}):`;
      return block(
        event.step,
        `${icon('📊')}${heading}`,
        event.changes.map(
          (change) => `${nameOf(options, change.agentId) ?? 'Global'}: ${describeChange(change)}`,
        ),
      );
    }
    case 'event-fired': {
      const affects = affectsOf(options, event.affects);
      const suffix = affects.length > 0 ? ` (affects: ${affects.join(', ')})` : '';
      const text =
        event.source === 'game-master'
          ? `EVENT: ${event.description}${suffix}`
          : `${event.source === 'scheduled' ? 'SCRIPTED EVENT' : `EVENT (${event.source})`}: ${event.eventType} — ${event.description}${suffix}`;
      return [`[Step ${event.step}] ${icon('⚡')}${text}`];
    }
    case 'constraint-hit': {
      const name = nameOf(options, event.agentId);
      return block(event.step, `${options.icons ? '⚠️  ' : ''}CONSTRAINT HIT:`, [
        `${name ?? 'Global'}: ${describeHitBody(event)}`,
        `→ ${hitConsequence(event, name)}`,
      ]);
    }
    case 'run-failed':
      return [`[Step ${event.step}] FATAL: ${event.error.code}: ${event.error.message}`];
    default:
      return [];
  }
}
