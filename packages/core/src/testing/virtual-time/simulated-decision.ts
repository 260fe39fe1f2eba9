import { createRandom, type Random } from '../../random';

/** How long the model's answers are: lognormal in tokens, capped by the request's `max_tokens`. */
export interface ReplyLength {
  medianTokens: number;
  sigma: number;
}

/**
 * A tool call plus a one-sentence reason, ~60 tokens: what agents of a simulation answer with
 * (a tool call's JSON and a short rationale). @defaultValue median 60, sigma 0.5
 */
export const defaultReplyLength: ReplyLength = { medianTokens: 60, sigma: 0.5 };

/** A tool as the model sees it: a name and a JSON schema of its arguments. */
export interface DecisionTool {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/** What a decision is made from. */
export interface DecisionRequest {
  messages: ReadonlyArray<{ role: string; content: string }>;
  tools: readonly DecisionTool[];
  maxTokens?: number;
}

/** The model's answer to one agent's step. */
export interface SimulatedDecision {
  toolCalls: Array<{ name: string; arguments: string }>;
  text: string;
  /** Tokens the answer takes to generate (usage `completion_tokens`). */
  outputTokens: number;
}

/** Relative weights of the tools: world actions first, a little talk, rare broadcasts. */
const toolWeights: Record<string, number> = {
  wait: 0.6,
  post_to_room: 0.35,
  send_message: 0.3,
  broadcast: 0.04,
};
const defaultToolWeight = 1.5;

const vocabulary =
  'we need fuel power grid tonight prices shop hospital generators supply demand help neighbours stock families queue delivery rationing heat blackout costs committee cash tomorrow station'.split(
    ' ',
  );

/**
 * Decides, deterministically from `seed` and `key`, what a model answers to an agent's decision
 * request: one call of an offered tool with valid arguments (enums picked, numbers in range, agent
 * ids taken from the prompt's "Agents you can address" line, text of a drawn length) and a short
 * reason. The same key always gets the same answer and length, whoever asks and however often.
 */
export function simulatedDecision(
  request: DecisionRequest,
  key: string,
  seed: number,
  length: ReplyLength = defaultReplyLength,
): SimulatedDecision {
  const random = createRandom(seed, ['decision', key]);
  const cap = Math.max(8, request.maxTokens ?? 768);
  const outputTokens = Math.max(
    8,
    Math.min(cap, Math.round(length.medianTokens * Math.exp(length.sigma * normal(random)))),
  );
  const contacts = addressableAgents(request.messages);
  const usable = request.tools.filter((tool) => tool.name !== 'send_message' || contacts.length > 0);
  const reason = `Because ${words(random, 8)}.`;
  if (usable.length === 0) return { toolCalls: [], text: reason, outputTokens };
  let total = 0;
  for (const tool of usable) total += toolWeights[tool.name] ?? defaultToolWeight;
  let draw = random.next() * total;
  let chosen = usable[usable.length - 1] as DecisionTool;
  for (const tool of usable) {
    draw -= toolWeights[tool.name] ?? defaultToolWeight;
    if (draw < 0) {
      chosen = tool;
      break;
    }
  }
  const argumentsObject = argumentsFor(chosen, random, contacts, Math.max(4, Math.round(outputTokens * 0.6)));
  return {
    toolCalls: [{ name: chosen.name, arguments: JSON.stringify(argumentsObject) }],
    text: reason,
    outputTokens,
  };
}

function argumentsFor(
  tool: DecisionTool,
  random: Random,
  contacts: readonly string[],
  textWords: number,
): Record<string, unknown> {
  const properties = (tool.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((tool.parameters.required ?? []) as string[]);
  const values: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (!required.has(name)) continue;
    const allowed = property.enum as unknown[] | undefined;
    if (Array.isArray(allowed) && allowed.length > 0) {
      values[name] = random.pick(allowed);
      continue;
    }
    switch (property.type) {
      case 'number':
      case 'integer': {
        const minimum = typeof property.minimum === 'number' ? property.minimum : 0;
        const maximum = typeof property.maximum === 'number' ? property.maximum : minimum + 10;
        const value = minimum + random.next() * (maximum - minimum);
        values[name] = property.type === 'integer' ? Math.floor(value) : Math.round(value * 100) / 100;
        break;
      }
      case 'boolean':
        values[name] = random.next() < 0.5;
        break;
      default: {
        if (name === 'to' || name.endsWith('agent') || name.endsWith('_id')) {
          values[name] = contacts.length > 0 ? random.pick(contacts) : '';
          break;
        }
        const maxLength = typeof property.maxLength === 'number' ? property.maxLength : 1000;
        values[name] = words(random, textWords).slice(0, maxLength);
      }
    }
  }
  return values;
}

/** Agent ids listed after "Agents you can address:" in the last user message. */
function addressableAgents(messages: DecisionRequest['messages']): string[] {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.role !== 'user') continue;
    const line = /Agents you can address: ([^\n]*)/.exec(message.content)?.[1];
    if (!line) return [];
    return line
      .split('; ')
      .map((entry) => entry.split(' (')[0]?.trim() ?? '')
      .filter((id) => id !== '');
  }
  return [];
}

function words(random: Random, count: number): string {
  const chosen: string[] = [];
  for (let index = 0; index < count; index++) chosen.push(random.pick(vocabulary));
  return chosen.join(' ');
}

function normal(random: Random): number {
  const first = 1 - random.next();
  const second = random.next();
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}
