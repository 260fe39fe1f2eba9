import type { Environment, EnvironmentContext } from '../environments/environment';
import type { ToolCallRequest, ToolDefinition } from '../environments/tool';
import { formatValue, type WorldActionsEnvironment } from '../environments/world-actions-environment';
import { type CompiledExpression, compileExpression } from '../expression';
import { documentsEnvironmentName } from '../grounding/documents-view';
import type { Random } from '../random';
import type { ActionParameter, Goal } from '../scenario/scenario-schema';
import type { AgentView } from '../world/world-state';
import type { AgentRuntime } from './agent-runtime';
import type { Brain, Decision, DecisionContext, Observation } from './brain';

/**
 * Trait defaults the rule brain uses when an agent does not set them (all in [0, 1]):
 * - `activity`: chance of acting at all in a step;
 * - `sociability`: chance of also sending a message;
 * - `cooperation`: 0.5 is indifferent to others; above helps them, below harms them;
 * - `risk_aversion`: how much more a loss weighs than an equal gain;
 * - `impulsiveness`: how much random noise enters the choice.
 */
export const ruleTraitDefaults = {
  activity: 0.85,
  sociability: 0.3,
  cooperation: 0.5,
  risk_aversion: 0.5,
  impulsiveness: 0.2,
} as const;

type TraitName = keyof typeof ruleTraitDefaults;

/** Most argument combinations scored per action. */
const maxCandidatesPerAction = 8;

interface Candidate {
  call: ToolCallRequest;
  score: number;
  goalNote: string;
}

/** What the rule brain needs from the run to look ahead. */
export interface RuleBrainDependencies {
  actions: WorldActionsEnvironment;
  context(): EnvironmentContext;
  /** Environments that propose moves for rule agents ({@link Environment.ruleCandidates}). */
  environments?: () => readonly Environment[];
}

function trait(agent: AgentRuntime, name: TraitName): number {
  return agent.spec.traits[name] ?? ruleTraitDefaults[name];
}

function numericValues(parameter: ActionParameter): number[] {
  if (parameter.min !== undefined && parameter.max !== undefined) {
    const middle = (parameter.min + parameter.max) / 2;
    const values = [parameter.min, middle, parameter.max];
    return parameter.type === 'integer' ? [...new Set(values.map(Math.round))] : values;
  }
  if (typeof parameter.default === 'number') return [parameter.default];
  return [parameter.min ?? parameter.max ?? 1];
}

/**
 * Tier 0: a deterministic, seeded, utility-based policy. For each tool it may call it enumerates a
 * few argument choices, previews the action's effects, scores how they move the agent's goals
 * (losses weighted by risk aversion, effects on other agents weighted by cooperation, plus the
 * action's own `utility` and trait-scaled noise), and takes the best. With `sociability` it also
 * sends a templated message. It needs no model and costs nothing, so one run can hold thousands.
 */
export class RuleBrain implements Brain {
  readonly name = 'rules';
  readonly synchronous = true;
  private readonly goalExpressions = new Map<string, CompiledExpression>();
  private readonly utilityExpressions = new Map<string, CompiledExpression>();

  constructor(private readonly dependencies: RuleBrainDependencies) {}

  private compiled(cache: Map<string, CompiledExpression>, source: string): CompiledExpression {
    let expression = cache.get(source);
    if (!expression) {
      expression = compileExpression(source);
      cache.set(source, expression);
    }
    return expression;
  }

  /**
   * A factual, deterministic answer from what the agent knows: who it is, how its goals stand,
   * what it did last, how it feels, and — when asked why or what next — how it chooses.
   */
  interview(observation: Observation, question: string): string {
    const { self } = observation;
    const context = this.dependencies.context();
    const view = context.agents.get(self.id)?.view;
    const scope = view ? context.scope.forAgent(view) : undefined;
    const goals = self.goals.map((goal) => {
      const value = scope ? this.goalValue(goal, scope) : undefined;
      const label = goal.description ?? goal.maximize ?? goal.minimize ?? 'a goal';
      return value === undefined ? label : `${label} (now ${formatValue(value)})`;
    });
    const lastDeed = observation.memory.findLast(
      (line) => !/: (send_message|post_to_room|broadcast)\(/.test(line),
    );
    const parts = [
      `I am ${self.name}, ${self.role}.${self.persona ? ` ${self.persona.trim()}` : ''}`,
      goals.length > 0 ? `I am trying to ${goals.join('; ')}.` : 'I have no explicit goal.',
      lastDeed ? `Most recently: ${lastDeed}.` : 'I have not acted yet.',
      `I feel ${self.mood.label}.`,
    ];
    if (/\b(why|reason|how do you (decide|choose))\b/i.test(question)) {
      parts.push(
        'Each step I weigh what every option I have would do to those goals, counting losses more than gains as my caution dictates, and take the best.',
      );
    }
    if (/\b(next|plan|will you|going to)\b/i.test(question)) {
      const options = observation.tools.filter(
        (tool) => tool.environment === 'world' && tool.name !== 'wait',
      );
      parts.push(
        options.length > 0
          ? `My options now are ${options.map((tool) => tool.name).join(', ')}; I will take whichever moves my goals most.`
          : 'I have nothing useful to do right now but wait.',
      );
    }
    return parts.join(' ');
  }

  decide(observation: Observation, { random, agent }: DecisionContext): Decision {
    if (random.next() > trait(agent, 'activity')) {
      return {
        calls: [{ tool: 'wait', arguments: {} }],
        rationale: `held back this step (activity ${trait(agent, 'activity').toFixed(2)})`,
        source: 'rules',
      };
    }
    const context = this.dependencies.context();
    // Arousal makes choices noisier (seed 001's emotional agents act less predictably when agitated).
    const noise = (0.02 + 0.2 * trait(agent, 'impulsiveness')) * (1 + 0.5 * agent.mood.arousal);
    // Waiting is scored like any candidate, noise included, so a no-op action does not win by default.
    const candidates: Candidate[] = [
      {
        call: { tool: 'wait', arguments: {} },
        score: (random.next() * 2 - 1) * noise,
        goalNote: 'no action looked better than waiting',
      },
    ];
    const inboxSenders = new Set(observation.inbox.map((message) => message.from));
    for (const tool of observation.tools) {
      if (tool.environment !== 'world' || tool.name === 'wait') continue;
      for (const args of this.argumentChoices(tool, observation, random)) {
        const scored = this.score(agent, tool.name, args, context, inboxSenders);
        if (scored) candidates.push({ ...scored, score: scored.score + (random.next() * 2 - 1) * noise });
      }
    }
    const offered = new Set(observation.tools.map((tool) => tool.name));
    for (const environment of this.dependencies.environments?.() ?? []) {
      if (!environment.ruleCandidates) continue;
      for (const candidate of environment.ruleCandidates(agent, observation, context, random)) {
        if (!offered.has(candidate.call.tool) || !Number.isFinite(candidate.score)) continue;
        candidates.push({
          call: candidate.call,
          score: candidate.score + (random.next() * 2 - 1) * noise,
          goalNote: candidate.note,
        });
      }
    }
    let best = candidates[0] as Candidate;
    for (const candidate of candidates) if (candidate.score > best.score) best = candidate;
    const calls = [best.call];
    const message = this.message(agent, observation, best.call, random);
    if (message) calls.push(message);
    const rendered = Object.entries(best.call.arguments)
      .map(([name, value]) => `${name}=${typeof value === 'number' ? formatValue(value) : value}`)
      .join(', ');
    return {
      calls,
      rationale: `${best.call.tool}(${rendered}): ${best.goalNote}${citationNote(observation)}`,
      source: 'rules',
    };
  }

  private argumentChoices(
    tool: ToolDefinition,
    observation: Observation,
    random: Random,
  ): Array<Record<string, unknown>> {
    const action = this.dependencies.actions.action(tool.name);
    if (!action) return [];
    let combinations: Array<Record<string, unknown>> = [{}];
    for (const [name, parameter] of Object.entries(action.definition.parameters)) {
      let values: unknown[];
      switch (parameter.type) {
        case 'number':
        case 'integer':
          values = numericValues(parameter);
          break;
        case 'boolean':
          values = [true, false];
          break;
        case 'string':
          values = parameter.enum ?? [parameter.default ?? ''];
          break;
        case 'agent': {
          // Who wrote to this agent directly comes first (at most two), then a seeded sample of contacts.
          const senders = observation.inbox
            .filter((message) => message.to === observation.self.id)
            .map((message) => message.from)
            .filter(
              (id) => id !== observation.self.id && observation.contacts.some((contact) => contact.id === id),
            );
          const others = observation.contacts.map((contact) => contact.id);
          values = [...new Set([...senders.slice(-2), ...random.shuffle(others)])].slice(0, 4);
          break;
        }
        default: {
          const unreachable: never = parameter.type;
          values = unreachable;
        }
      }
      if (values.length === 0) return [];
      const next: Array<Record<string, unknown>> = [];
      for (const combination of combinations)
        for (const value of values) next.push({ ...combination, [name]: value });
      combinations =
        next.length > maxCandidatesPerAction ? random.shuffle(next).slice(0, maxCandidatesPerAction) : next;
    }
    return combinations;
  }

  private goalValue(goal: Goal, scope: Record<string, unknown>): number | undefined {
    const source = goal.maximize ?? goal.minimize;
    if (!source) return undefined;
    const value = this.compiled(this.goalExpressions, source).evaluate(scope);
    return typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : undefined;
  }

  private score(
    agent: AgentRuntime,
    toolName: string,
    args: Record<string, unknown>,
    context: EnvironmentContext,
    inboxSenders: Set<string>,
  ): (Omit<Candidate, 'call'> & { call: ToolCallRequest }) | undefined {
    let writes: ReturnType<WorldActionsEnvironment['project']>;
    try {
      writes = this.dependencies.actions.project(agent, toolName, args, context);
    } catch {
      return undefined;
    }
    const self: AgentView = { ...agent.view };
    const globals: Record<string, unknown> = {};
    let othersGain = 0;
    for (const write of writes) {
      const definition = context.world.definitionOf(write.variable, write.agentId);
      if (!definition) continue;
      const current = context.world.read(write.variable, write.agentId);
      if (current === undefined) continue;
      const { value } = context.world.coerce(definition, current, write.value);
      if (write.agentId === undefined) globals[write.variable] = value;
      else if (write.agentId === agent.spec.id) self[write.variable] = value;
      else if (typeof value === 'number' && typeof current === 'number') {
        othersGain += (value - current) / Math.max(Math.abs(current), 1);
      }
    }
    const before = context.scope.forAgent(agent.view);
    const after = context.scope.forAgent(self, globals);
    const lossWeight = 1 + 1.5 * trait(agent, 'risk_aversion');
    let score = 0;
    let bestNote = '';
    let bestContribution = 0;
    for (const goal of agent.spec.goals) {
      const was = this.goalValue(goal, before);
      const will = this.goalValue(goal, after);
      if (was === undefined || will === undefined || !Number.isFinite(was) || !Number.isFinite(will))
        continue;
      let change = ((will - was) / Math.max(Math.abs(was), 1)) * (goal.minimize ? -1 : 1);
      if (change < 0) change *= lossWeight;
      const contribution = change * goal.weight;
      score += contribution;
      if (Math.abs(contribution) > Math.abs(bestContribution)) {
        bestContribution = contribution;
        const direction = goal.minimize ? 'minimize' : 'maximize';
        bestNote = `${direction} ${goal.description ?? goal.maximize ?? goal.minimize} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%)`;
      }
    }
    // A good mood makes an agent a little more generous, a bad one a little less.
    const cooperation = Math.min(1, Math.max(0, trait(agent, 'cooperation') + 0.1 * agent.mood.valence));
    score += (cooperation - 0.5) * 2 * othersGain;
    const action = this.dependencies.actions.action(toolName);
    for (const [name, parameter] of Object.entries(action?.definition.parameters ?? {})) {
      if (parameter.type === 'agent' && inboxSenders.has(String(args[name]))) score += 0.1 * cooperation;
    }
    if (action?.definition.utility) {
      const extra = this.compiled(this.utilityExpressions, action.definition.utility).evaluate(
        this.dependencies.actions.argumentScope(agent, toolName, args, context),
      );
      if (typeof extra === 'number' && Number.isFinite(extra)) score += extra;
    }
    const notes = [
      bestNote || 'no goal moves',
      othersGain !== 0
        ? `others ${othersGain > 0 ? 'gain' : 'lose'} (cooperation ${cooperation.toFixed(2)})`
        : '',
    ];
    return { call: { tool: toolName, arguments: args }, score, goalNote: notes.filter(Boolean).join('; ') };
  }

  private message(
    agent: AgentRuntime,
    observation: Observation,
    call: ToolCallRequest,
    random: Random,
  ): ToolCallRequest | undefined {
    if (random.next() > trait(agent, 'sociability')) return undefined;
    const action = this.dependencies.actions.action(call.tool);
    const template =
      action?.definition.message ??
      (call.tool === 'wait'
        ? 'Holding position for now.'
        : `I am going to ${action?.definition.description.replace(/\.$/, '').toLowerCase() ?? call.tool}.`);
    const targetId = Object.entries(action?.definition.parameters ?? {}).find(
      ([, parameter]) => parameter.type === 'agent',
    )?.[0];
    const target = targetId ? String(call.arguments[targetId]) : undefined;
    const text = renderTemplate(
      template,
      observation,
      call.arguments,
      target,
      this.dependencies.context().scenario.parameters,
    );
    if (target && offers(observation, 'send_message'))
      return { tool: 'send_message', arguments: { to: target, text } };
    const room = observation.rooms[0];
    if (room && offers(observation, 'post_to_room'))
      return { tool: 'post_to_room', arguments: { room, text } };
    // Reply only to agents: the operator and the game master are not addressable.
    const lastSender = observation.inbox.findLast(
      (message) =>
        message.to === observation.self.id &&
        observation.contacts.some((contact) => contact.id === message.from),
    )?.from;
    if (lastSender && offers(observation, 'send_message')) {
      return { tool: 'send_message', arguments: { to: lastSender, text: `Noted. ${text}` } };
    }
    return undefined;
  }
}

/**
 * The top document passage for the agent's situation, cited: rule agents ground their choice in
 * the company's documents the way model agents are asked to (`[document p.N]`).
 */
function citationNote(observation: Observation): string {
  const passages = observation.environments[documentsEnvironmentName]?.passages;
  const top = Array.isArray(passages)
    ? (passages[0] as { citation?: unknown; text?: unknown } | undefined)
    : undefined;
  if (!top || typeof top.citation !== 'string' || typeof top.text !== 'string') return '';
  const quote = top.text.replace(/\s+/g, ' ').trim();
  return `; per [${top.citation}]: "${quote.length > 90 ? `${quote.slice(0, 89)}…` : quote}"`;
}

function offers(observation: Observation, tool: string): boolean {
  return observation.tools.some((offered) => offered.name === tool);
}

/**
 * Fills `{{self.name}}`, `{{self.<variable>}}`, `{{args.<parameter>}}`, `{{target}}` and
 * `{{<global variable>}}` in a message template. Unknown names stay as written.
 */
export function renderTemplate(
  template: string,
  observation: Observation,
  args: Record<string, unknown>,
  target?: string,
  parameters: Record<string, unknown> = {},
): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, path: string) => {
    const [head, field] = path.split('.', 2) as [string, string | undefined];
    let value: unknown;
    if (head === 'self' && field) {
      value =
        field in observation.self
          ? observation.self[field as keyof Observation['self']]
          : observation.self.variables[field];
    } else if (head === 'args' && field) value = args[field];
    else if (head === 'target') value = target;
    else value = observation.world[head] ?? parameters[head];
    if (value === undefined || typeof value === 'object') return whole;
    return typeof value === 'number' ? formatValue(value) : String(value);
  });
}
