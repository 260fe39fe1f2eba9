import { createHash } from 'node:crypto';
import { createRandom } from '../random';
import {
  type FaultKind,
  type FaultPlan,
  faultKinds,
  type LatencyProfile,
  type RequestContext,
  type SimulatedChatRequest,
  type SimulatedReply,
  type SimulatedToolCall,
} from './simulated-server-types';

/** Picks the fault of each request from a {@link FaultPlan} or a function, deterministically. */
export class FaultSchedule {
  readonly #plan: FaultPlan | ((context: RequestContext) => FaultKind | 'none' | undefined) | undefined;
  readonly #random: () => number;

  constructor(plan: FaultPlan | ((context: RequestContext) => FaultKind | 'none' | undefined) | undefined) {
    this.#plan = plan;
    this.#random = uniform(typeof plan === 'object' ? (plan.seed ?? 1) : 1);
  }

  /** The announced wait of 429/503 answers, in milliseconds. */
  get retryAfterMs(): number {
    return typeof this.#plan === 'object' ? (this.#plan.retryAfterMs ?? 1000) : 1000;
  }

  /** The fault for this request, or undefined for a normal answer. */
  faultFor(context: RequestContext): FaultKind | undefined {
    const plan = this.#plan;
    if (plan === undefined) return undefined;
    if (typeof plan === 'function') {
      const fault = plan(context);
      return fault === 'none' ? undefined : fault;
    }
    // Draw for every request so the random stream does not depend on the sequence or bursts.
    const draw = this.#random();
    const listed = plan.sequence?.[context.index];
    if (listed !== undefined) return listed === 'none' ? undefined : listed;
    for (const burst of plan.rateLimitBursts ?? []) {
      if (context.index >= burst.fromRequest && context.index < burst.fromRequest + burst.count) {
        return 'rate-limited';
      }
    }
    let cumulative = 0;
    for (const kind of faultKinds) {
      cumulative += plan.rates?.[kind] ?? 0;
      if (draw < cumulative) return kind;
    }
    return undefined;
  }
}

/** Draws each request's thinking time from a {@link LatencyProfile} or a function. */
export class LatencySchedule {
  readonly #profile: LatencyProfile | ((context: RequestContext) => number) | undefined;
  readonly #random: () => number;

  constructor(profile: LatencyProfile | ((context: RequestContext) => number) | undefined) {
    this.#profile = profile;
    const seed = typeof profile === 'object' && profile.kind === 'lognormal' ? (profile.seed ?? 1) : 1;
    this.#random = uniform(seed);
  }

  /** Milliseconds to wait before answering this request. */
  latencyFor(context: RequestContext): number {
    const profile = this.#profile;
    if (profile === undefined) return 0;
    if (typeof profile === 'function') return Math.max(0, profile(context));
    if (profile.kind === 'fixed') return profile.milliseconds;
    const drawn = profile.medianMilliseconds * Math.exp(profile.sigma * normalDraw(this.#random));
    return Math.min(drawn, profile.maxMilliseconds ?? Number.POSITIVE_INFINITY);
  }
}

/**
 * A simple prompt-prefix cache: the prompt is split into units (model + tools + system, then one
 * per message); a unit counts as cached when the whole prefix up to it was seen before, the way
 * servers with prefix caching reuse shared prompt heads.
 */
export class PrefixCache {
  readonly #seen = new Set<string>();
  readonly #enabled: boolean;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Token counts of a prompt, and how many of them were served from the cache. */
  measure(request: SimulatedChatRequest): { promptTokens: number; cachedTokens: number } {
    const head = JSON.stringify({ model: request.model, tools: request.tools });
    const units = [head, ...request.messages.map((message) => `${message.role}:${message.content}`)];
    let hash = '';
    let promptTokens = 0;
    let cachedTokens = 0;
    let stillCached = true;
    for (const [position, unit] of units.entries()) {
      const tokens = position === 0 ? Math.ceil(unit.length / 16) : estimateTokens(unit);
      hash = createHash('sha256').update(hash).update(unit).digest('hex');
      promptTokens += tokens;
      if (stillCached && this.#enabled && this.#seen.has(hash)) cachedTokens += tokens;
      else stillCached = false;
      if (this.#enabled) this.#seen.add(hash);
    }
    // Bounded memory for long benchmark runs.
    if (this.#seen.size > 200_000) this.#seen.clear();
    return { promptTokens, cachedTokens };
  }
}

/** A rough token count: 4 characters a token, at least 1. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * A value that satisfies a JSON schema, for default replies: the first enum value, the minimum of
 * numbers, every property of objects (required or not), one item of arrays.
 */
export function exampleFromSchema(schema: unknown, depth = 0): unknown {
  if (schema === null || typeof schema !== 'object' || depth > 8) return null;
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if ('const' in node) return node.const;
  if (node.default !== undefined) return node.default;
  const variants = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) return exampleFromSchema(variants[0], depth + 1);
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties))
        value[key] = exampleFromSchema(property, depth + 1);
      return value;
    }
    case 'array': {
      const minimum = typeof node.minItems === 'number' ? node.minItems : 1;
      return Array.from({ length: Math.max(1, minimum) }, () => exampleFromSchema(node.items, depth + 1));
    }
    case 'string':
      return typeof node.minLength === 'number' && node.minLength > 7
        ? 'x'.repeat(node.minLength)
        : 'example';
    case 'integer':
      return typeof node.minimum === 'number' ? Math.ceil(node.minimum) : 1;
    case 'number':
      return typeof node.minimum === 'number' ? node.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return node.properties ? exampleFromSchema({ ...node, type: 'object' }, depth + 1) : null;
  }
}

/**
 * The default answer: after a tool result, a short text; with tools offered (and not `none`), a
 * valid call of the forced or first tool; in JSON mode, JSON matching the schema; otherwise text.
 */
export function defaultReply(request: SimulatedChatRequest): SimulatedReply {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return 'Done.';
  if (request.tools.length > 0 && request.toolChoice !== 'none') {
    const tool =
      request.tools.find((candidate) => candidate.name === request.toolChoice) ?? request.tools[0]!;
    return {
      toolCalls: [
        {
          name: tool.name,
          arguments: exampleFromSchema({ type: 'object', ...tool.parameters }) as Record<string, unknown>,
        },
      ],
    };
  }
  if (request.responseFormat?.type === 'json_schema')
    return JSON.stringify(exampleFromSchema(request.responseFormat.schema));
  if (request.responseFormat?.type === 'json_object') return '{"answer":"ok"}';
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return `Simulated answer to: ${user.slice(0, 60)}`;
}

/** A reply in one normalised shape. */
export interface NormalisedReply {
  text: string;
  toolCalls: Array<{ name: string; arguments: string }>;
  finishReason: 'stop' | 'length' | 'tool_calls';
}

/** Turns whatever the reply function returned into a {@link NormalisedReply}. */
export function normaliseReply(reply: SimulatedReply): NormalisedReply {
  if (typeof reply === 'string') return { text: reply, toolCalls: [], finishReason: 'stop' };
  const toolCalls = (reply.toolCalls ?? []).map((call: SimulatedToolCall) => ({
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  return {
    text: reply.text ?? '',
    toolCalls,
    finishReason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
  };
}

/** Irreparable "JSON": no repair tool can make an object out of it. */
const brokenJson = '{{"value" 3 ]]';

/** Applies a reply-shaped fault (malformed arguments, wrong tool name, prose around JSON). */
export function applyReplyFault(
  reply: NormalisedReply,
  fault: FaultKind | undefined,
  request: SimulatedChatRequest,
): NormalisedReply {
  const first = reply.toolCalls[0];
  const jsonMode = request.responseFormat !== undefined;
  switch (fault) {
    case 'malformed-tool-arguments':
      if (first)
        return { ...reply, toolCalls: [{ ...first, arguments: brokenJson }, ...reply.toolCalls.slice(1)] };
      return jsonMode ? { ...reply, text: brokenJson } : reply;
    case 'wrong-tool-name':
      return first
        ? { ...reply, toolCalls: [{ ...first, name: `${first.name}_unknown` }, ...reply.toolCalls.slice(1)] }
        : reply;
    case 'prose-around-json':
      if (first) {
        return {
          text: `Sure! I will use ${first.name} with these arguments:\n\`\`\`json\n${first.arguments}\n\`\`\`\nLet me know if you need anything else.`,
          toolCalls: [],
          finishReason: 'stop',
        };
      }
      return jsonMode
        ? {
            ...reply,
            text: `Here is the JSON you asked for:\n\`\`\`json\n${reply.text}\n\`\`\`\nHope this helps!`,
          }
        : reply;
    default:
      return reply;
  }
}

function uniform(seed: number): () => number {
  const random = createRandom(seed, ['simulated-server']);
  return () => random.next();
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
function normalDraw(random: () => number): number {
  const first = Math.max(random(), Number.MIN_VALUE);
  const second = random();
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}
