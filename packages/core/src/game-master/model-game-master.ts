import type { GameMaster, GameMasterInput, GameMasterUpdate } from '../engine/game-master';
import { SandtableError } from '../errors';
import { parseJsonReply } from '../model/json-reply';
import type { ChatRouter } from '../model/run-recording';
import { chatStructured, type ValueParser } from '../model/structured-call';
import type { ChatRequest } from '../model/types';
import { deriveSeed } from '../random';
import type { Scenario } from '../scenario/scenario';
import { GameMasterLedger } from './game-master-history';
import type { GameMasterLogCode, GameMasterLogRecord } from './game-master-log';
import { gameMasterStepPrompt, gameMasterSystemPrompt } from './game-master-prompt';
import { checkRuling, rulingJsonSchema } from './game-master-reply';
import type { GameMasterSettings } from './game-master-schema';

/** The agent id model calls of the game master are recorded under. */
export const gameMasterAgentId = 'game-master';

/** Options of a {@link ModelGameMaster}. */
export interface ModelGameMasterOptions {
  /** Routes `settings.brain` (a tier, an endpoint id or `endpoint/model`) to a model. */
  router: ChatRouter;
  scenario: Scenario;
  settings: GameMasterSettings;
  /** Recorded with every model call. */
  runId?: string;
  /** Receives the model-side log records (ENG003–ENG008) as they happen. */
  onLog?: (record: GameMasterLogRecord) => void;
}

/**
 * The LLM game master of seed 004. Once per step it builds the context — setup, upcoming
 * scripted events, the full current state, the last `context_window` steps as deltas (with the
 * constraint hits its own rulings caused), this step's events and agent responses — and makes one
 * model call asking for a JSON ruling. The reply is checked in order (structure, references,
 * types; ranges are left to the engine's clamps); an invalid reply goes back to the model with the
 * errors, at most `max_attempts` calls in all.
 *
 * @throws {@link SandtableError} `GAME_MASTER_FAILED` (category `provider`) from `update` when no
 * valid ruling came back or the model could not be reached; the engine then ends the run with
 * `run-failed` (the seed's fail-fast rule). A stopped run gets an empty ruling instead.
 */
export class ModelGameMaster implements GameMaster {
  readonly name: string;
  private readonly ledger: GameMasterLedger;
  private readonly systemPrompt: string;
  private readonly schema: Record<string, unknown>;

  constructor(private readonly options: ModelGameMasterOptions) {
    const { scenario, settings } = options;
    this.name = `model:${settings.brain}`;
    this.ledger = new GameMasterLedger(scenario, settings.context_window);
    this.systemPrompt = gameMasterSystemPrompt(scenario, settings, this.ledger.directory);
    this.schema = rulingJsonSchema(scenario, this.ledger.directory);
  }

  async update(input: GameMasterInput): Promise<GameMasterUpdate> {
    const { scenario, settings, runId } = this.options;
    const { step } = input;
    const view = this.ledger.begin(input);
    const request: ChatRequest = {
      model: '',
      messages: [
        { role: 'system', content: this.systemPrompt },
        { role: 'user', content: gameMasterStepPrompt(scenario, view, this.ledger.directory) },
      ],
      responseFormat: { type: 'json_schema', name: 'game_master_ruling', schema: this.schema },
      seed: deriveSeed(scenario.seed, ['game-master', step]),
      ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
      metadata: { ...(runId ? { runId } : {}), step, agentId: gameMasterAgentId },
    };
    const log = (code: GameMasterLogCode, message: string, fields: Record<string, unknown> = {}) =>
      this.options.onLog?.({ timestamp: new Date().toISOString(), code, step, message, ...fields });
    let attempt = 0;
    const router: Pick<ChatRouter, 'chat'> = {
      chat: async (target, attemptRequest, callOptions) => {
        attempt += 1;
        if (attempt > 1) log('ENG007', 'Retrying with the validation errors', { attempt });
        log('ENG003', 'Game master model call', { attempt, target: settings.brain });
        const routed = await this.options.router.chat(target, attemptRequest, callOptions);
        const { response } = routed;
        log('ENG004', 'Game master model reply', {
          attempt,
          endpoint: routed.endpointId,
          model: response.model,
          latencyMs: response.latencyMs,
          promptTokens: response.usage.promptTokens,
          completionTokens: response.usage.completionTokens,
        });
        const read = parseJsonReply(response.text);
        if (!read.ok) log('ENG006', 'Validation failed', { attempt, stage: 'json', errors: [read.error] });
        return routed;
      },
    };
    const parse: ValueParser<GameMasterUpdate> = (value) => {
      const check = checkRuling(value, scenario, this.ledger.directory);
      if (check.ok) {
        log('ENG005', 'Validation succeeded', { attempt });
        return check;
      }
      log('ENG006', 'Validation failed', { attempt, stage: check.stage, errors: check.errors });
      return { ok: false, error: `${check.stage} check failed: ${check.errors.join('; ')}` };
    };
    let update: GameMasterUpdate;
    try {
      const result = await chatStructured(router, settings.brain, request, {
        parse,
        source: 'text',
        maxAttempts: settings.max_attempts,
        signal: input.signal,
        step,
        agentId: gameMasterAgentId,
        ...(runId ? { runId } : {}),
      });
      update = result.value;
    } catch (error) {
      // A stopped run aborts the call; an empty ruling lets the step end and the run stop cleanly.
      if (input.signal.aborted) return {};
      const reason = error instanceof Error ? error.message : String(error);
      const code = error instanceof SandtableError ? error.code : 'ERROR';
      const message =
        code === 'PROVIDER_MALFORMED_REPLY'
          ? `game master failed at step ${step}: ${reason}`
          : `game master failed at step ${step}: model call failed (${code}: ${reason})`;
      log('ENG008', 'Game master failed; the run stops', { error: message });
      throw new SandtableError('GAME_MASTER_FAILED', message, { category: 'provider', cause: error });
    }
    this.ledger.commit(view, input, update);
    return update;
  }
}
