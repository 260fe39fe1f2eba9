import { type Clock, systemClock } from '../../model/clock';
import type { ServerProfile } from '../server-profiles';
import type { FaultKind, SimulatedReply, SimulatedServerOptions } from '../simulated-server-types';
import { createServerModel } from './create-server-model';
import { renderPrompt, TokenCache } from './prompt-tokens';
import type { ServerHandle, ServerModel } from './server-model';
import {
  defaultReplyLength,
  type ReplyLength,
  type SimulatedDecision,
  simulatedDecision,
} from './simulated-decision';
import { requestKey } from './simulated-provider';

/** Options of {@link profileServerOptions}. */
export interface ProfileServerOptions {
  /** Seed of every draw and of the answers. */
  seed: number;
  /** @defaultValue the system clock (real time) */
  clock?: Clock;
  /** @defaultValue {@link defaultReplyLength} */
  replyLength?: ReplyLength;
}

/**
 * Puts a server profile behind the real HTTP {@link SimulatedModelServer}: the profile's server
 * model runs in real time and decides when each answer is sent, and what is refused (429 and 503
 * at arrival, 5xx after the time to first token). The answers are those of the virtual-time
 * {@link SimulatedServerProvider} for the same seed, so the two modes can be compared on a shared
 * case. Differences from virtual time: a refusal's `retry-after` is the HTTP server's fixed one
 * (1 s), a client that disconnects does not free its sequence, and usage reports the HTTP server's
 * own token estimate (no cached tokens).
 *
 * @example
 * const { options, model } = profileServerOptions(apiProfile, { seed: 1 });
 * const server = await SimulatedModelServer.start({ ...options, recordRequests: false });
 */
export function profileServerOptions(
  profile: ServerProfile,
  options: ProfileServerOptions,
): { options: SimulatedServerOptions; model: ServerModel } {
  const clock = options.clock ?? systemClock;
  const model = createServerModel(profile, { clock, seed: options.seed });
  const pending = new Map<number, { handle: ServerHandle; decision: SimulatedDecision }>();
  const tokens = new TokenCache();
  return {
    model,
    options: {
      prefixCache: false,
      faults: ({ index, request }): FaultKind | 'none' => {
        const seed = typeof request.body.seed === 'number' ? request.body.seed : undefined;
        const key = requestKey({ ...(seed === undefined ? {} : { seed }), messages: request.messages });
        const limit = request.body.max_tokens ?? request.body.max_completion_tokens;
        const maxTokens = typeof limit === 'number' ? limit : 768;
        const decision = simulatedDecision(
          { messages: request.messages, tools: request.tools, maxTokens },
          key,
          options.seed,
          options.replyLength ?? defaultReplyLength,
        );
        const handle = model.submit({
          key,
          prompt: renderPrompt({ messages: request.messages, tools: request.tools }, 'as-sent', tokens),
          outputTokens: decision.outputTokens,
          maxTokens,
        });
        if (handle.refusal) {
          return handle.refusal.status === 429
            ? 'rate-limited'
            : handle.refusal.status === 503
              ? 'unavailable'
              : 'server-error';
        }
        pending.set(index, { handle, decision });
        return 'none';
      },
      reply: async (request): Promise<SimulatedReply> => {
        const entry = pending.get(request.index);
        pending.delete(request.index);
        if (!entry) return 'No simulated request is pending for this call.';
        const outcome = await entry.handle.outcome;
        // Thrown errors become a 500 from the HTTP server, sent now: a 5xx after the first token.
        if (!outcome.ok) throw new Error(`simulated ${outcome.status}: ${outcome.message}`);
        return {
          text: entry.decision.text,
          toolCalls: entry.decision.toolCalls,
          finishReason: entry.decision.toolCalls.length > 0 ? 'tool_calls' : 'stop',
        };
      },
    },
  };
}
