import {
  type ToolCallRequest,
  type ToolDefinition,
  toOpenAiTool,
  validateToolArguments,
} from '../environments/tool';
import { SandtableError } from '../errors';
import { parseJsonReply, parseToolArguments } from '../model/json-reply';
import type { ChatRouter } from '../model/run-recording';
import { type ChatMessage, type ChatRequest, ProviderError, type ToolSchema } from '../model/types';
import { deriveSeed } from '../random';
import type { Brain, Decision, DecisionContext, Observation } from './brain';
import { buildDecisionMessages, defaultPromptBudget, type PromptBudget } from './prompt-builder';

/** How a model states its actions: native tool calls, or a JSON object for models without them. */
export type ActionFormat = 'tools' | 'json';

/** Options of a {@link ModelBrain}. */
export interface ModelBrainOptions {
  router: ChatRouter;
  /** A tier (`fast`, `smart`, …), an endpoint id, or `endpoint/model`. */
  target: string;
  /** Used when the model cannot be reached at all (circuit open, retries exhausted). */
  fallback: Brain;
  /** The run seed; each request carries a seed derived from it, the step and the agent. */
  runSeed: number;
  runId?: string;
  /** @defaultValue 'tools' */
  actionFormat?: ActionFormat;
  /** Replies that fail validation are retried with the errors fed back, at most this many in all. @defaultValue 3 */
  maxAttempts?: number;
  /** @defaultValue 0.7 */
  temperature?: number;
  /** @defaultValue {@link defaultPromptBudget} */
  budget?: PromptBudget;
}

/** The JSON action schema used when a model cannot call tools. */
export function jsonActionSchema(tools: readonly ToolDefinition[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      actions: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            tool: { type: 'string', enum: tools.map((tool) => tool.name) },
            arguments: { type: 'object' },
          },
          required: ['tool', 'arguments'],
        },
      },
      rationale: { type: 'string' },
    },
    required: ['actions', 'rationale'],
  };
}

/** Tool schemas as sent to a model: Sandtable's own `x-` annotations removed. */
function modelToolSchemas(tools: readonly ToolDefinition[]): ToolSchema[] {
  return tools.map((tool) => {
    const schema = toOpenAiTool(tool);
    const properties = Object.fromEntries(
      Object.entries(schema.function.parameters.properties).map(([name, property]) => [
        name,
        Object.fromEntries(Object.entries(property).filter(([key]) => !key.startsWith('x-'))),
      ]),
    );
    return {
      ...schema,
      function: { ...schema.function, parameters: { ...schema.function.parameters, properties } },
    };
  });
}

function firstSentence(text: string): string {
  const line =
    text
      .trim()
      .split('\n')
      .find((part) => part.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/**
 * An LLM-backed brain. Builds the prompt (shared part first), asks the router's target for tool
 * calls (or a JSON action object), validates every call against the tool's parameter schema, and
 * on failure asks again with the errors fed back, a bounded number of times. If the model cannot
 * be reached at all it falls back to the rule brain, marking the decision `fallback`; if it keeps
 * answering unusably, the step fails with the raw reply kept in the error.
 */
export class ModelBrain implements Brain {
  readonly name: string;
  private readonly options: Required<Omit<ModelBrainOptions, 'runId'>> & { runId?: string };

  constructor(options: ModelBrainOptions) {
    this.name = `model:${options.target}`;
    this.options = {
      actionFormat: 'tools',
      maxAttempts: 3,
      temperature: 0.7,
      budget: defaultPromptBudget,
      ...options,
    };
  }

  async interview(observation: Observation, question: string, signal: AbortSignal): Promise<string> {
    const messages = buildDecisionMessages(observation, '', this.options.budget);
    const last = messages[messages.length - 1] as { role: 'user'; content: string };
    last.content = `${last.content.replace(/Decide what .* does this .*\.$/, '')}\nAn interviewer asks you (this is outside the simulation and changes nothing):\n<question>\n${question.replace(/<\/?question>/gi, '')}\n</question>\nAnswer in character, in at most five sentences.`;
    const { response } = await this.options.router.chat(
      this.options.target,
      {
        model: '',
        messages,
        temperature: this.options.temperature,
        maxTokens: this.options.budget.replyTokens,
      },
      { signal, checkReply: false, step: observation.step, agentId: observation.self.id },
    );
    return response.text.trim() || '(no answer)';
  }

  async decide(observation: Observation, context: DecisionContext): Promise<Decision> {
    const { router, target, actionFormat, maxAttempts } = this.options;
    const tools = observation.tools;
    const schemas = modelToolSchemas(tools);
    const toolText =
      actionFormat === 'tools' ? JSON.stringify(schemas) : JSON.stringify(jsonActionSchema(tools));
    const messages: ChatMessage[] = buildDecisionMessages(observation, toolText, this.options.budget);
    if (actionFormat === 'json') {
      const last = messages[messages.length - 1] as { role: 'user'; content: string };
      last.content += `\n\nTools you may use (name: description; arguments as JSON Schema):\n${tools
        .map((tool) => `- ${tool.name}: ${tool.description} ${JSON.stringify(tool.parameters.properties)}`)
        .join(
          '\n',
        )}\nAnswer with a JSON object: {"actions": [{"tool": "<name>", "arguments": {…}}], "rationale": "<one sentence>"}.`;
    }
    // Agent parameters name other agents: the agent itself is not a valid target.
    const known = new Set([
      ...observation.contacts.map((contact) => contact.id),
      ...observation.inbox.map((message) => message.from).filter((id) => id !== observation.self.id),
    ]);
    const seed = deriveSeed(this.options.runSeed, ['model', observation.step, observation.self.id]);
    let lastRaw = '';
    let lastProblems: string[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const request: ChatRequest = {
        model: '',
        messages,
        temperature: this.options.temperature,
        maxTokens: this.options.budget.replyTokens,
        seed,
        ...(actionFormat === 'tools'
          ? { tools: schemas, toolChoice: 'required' as const }
          : {
              responseFormat: {
                type: 'json_schema' as const,
                name: 'actions',
                schema: jsonActionSchema(tools),
              },
            }),
        metadata: {
          ...(this.options.runId ? { runId: this.options.runId } : {}),
          step: observation.step,
          agentId: observation.self.id,
        },
      };
      let response: Awaited<ReturnType<ChatRouter['chat']>>['response'];
      try {
        ({ response } = await router.chat(target, request, {
          // Unusable replies come back to this loop, which tells the model what was wrong.
          checkReply: false,
          signal: context.signal,
          ...(context.restartTimeout ? { onSlot: context.restartTimeout } : {}),
          step: observation.step,
          agentId: observation.self.id,
          ...(this.options.runId ? { runId: this.options.runId } : {}),
        }));
      } catch (error) {
        if (context.signal.aborted || !(error instanceof ProviderError) || error.code === 'CASSETTE_MISS')
          throw error;
        const fallback = await this.options.fallback.decide(observation, context);
        return {
          calls: fallback.calls,
          rationale: `model unavailable (${error.code}); rule fallback: ${fallback.rationale}`,
          source: 'fallback',
        };
      }
      const parsed =
        actionFormat === 'tools' && response.toolCalls.length > 0
          ? this.readToolCalls(response.toolCalls, tools, known)
          : this.readJsonActions(response.text, tools, known);
      lastRaw =
        response.toolCalls.length > 0
          ? JSON.stringify(response.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args })))
          : response.text;
      if (parsed.problems.length === 0 && parsed.calls.length > 0) {
        return {
          calls: parsed.calls,
          rationale: firstSentence(parsed.rationale ?? response.text) || '(no reason given)',
          source: 'model',
        };
      }
      lastProblems = parsed.problems.length > 0 ? parsed.problems : ['the reply contained no action'];
      messages.push(
        { role: 'assistant', content: lastRaw },
        {
          role: 'user',
          content: `Your reply could not be used:\n${lastProblems.map((problem) => `- ${problem}`).join('\n')}\nReply again with valid ${actionFormat === 'tools' ? 'tool calls' : 'JSON'}.`,
        },
      );
    }
    throw new SandtableError(
      'MODEL_REPLY_INVALID',
      `no usable reply after ${maxAttempts} attempts (${lastProblems.join('; ')}); last reply: ${lastRaw.slice(0, 2_000)}`,
      { category: 'provider' },
    );
  }

  private check(call: ToolCallRequest, tools: readonly ToolDefinition[], known: Set<string>): string[] {
    const tool = tools.find((candidate) => candidate.name === call.tool);
    if (!tool)
      return [
        `"${call.tool}" is not one of your tools (${tools.map((candidate) => candidate.name).join(', ')})`,
      ];
    return validateToolArguments(tool, call.arguments, (id) => known.has(id));
  }

  private readToolCalls(
    toolCalls: ReadonlyArray<{ name: string; arguments: string }>,
    tools: readonly ToolDefinition[],
    known: Set<string>,
  ) {
    const calls: ToolCallRequest[] = [];
    const problems: string[] = [];
    for (const toolCall of toolCalls) {
      const args = parseToolArguments(toolCall);
      if (!args.ok) {
        problems.push(args.error);
        continue;
      }
      const call = { tool: toolCall.name, arguments: args.value };
      const found = this.check(call, tools, known);
      if (found.length > 0) problems.push(...found);
      else calls.push(call);
    }
    return { calls, problems, rationale: undefined as string | undefined };
  }

  private readJsonActions(text: string, tools: readonly ToolDefinition[], known: Set<string>) {
    const parsed = parseJsonReply(text);
    if (!parsed.ok) return { calls: [], problems: [parsed.error], rationale: undefined };
    const value = parsed.value as { actions?: unknown; rationale?: unknown };
    if (!Array.isArray(value?.actions))
      return { calls: [], problems: ['the JSON has no "actions" list'], rationale: undefined };
    const calls: ToolCallRequest[] = [];
    const problems: string[] = [];
    for (const entry of value.actions as Array<{ tool?: unknown; arguments?: unknown }>) {
      const call = {
        tool: String(entry?.tool ?? ''),
        arguments:
          entry?.arguments && typeof entry.arguments === 'object'
            ? (entry.arguments as Record<string, unknown>)
            : {},
      };
      const found = this.check(call, tools, known);
      if (found.length > 0) problems.push(...found);
      else calls.push(call);
    }
    return { calls, problems, rationale: typeof value.rationale === 'string' ? value.rationale : undefined };
  }
}
