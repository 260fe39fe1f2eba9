import type { Scenario } from '../scenario/scenario';
import type { VariableDefinition } from '../scenario/scenario-schema';
import type { ConstraintHit, StateChange } from '../world/world-state';
import type { GameMasterStepRecord, GameMasterStepView } from './game-master-history';
import type { GameMasterSettings } from './game-master-schema';
import { type AgentDirectory, describeDelta, describeValue, hitLines, latestHits } from './world-delta';

/** Most lines in one list of a prompt section (changes, hits, responses); the rest are counted. */
const linesPerList = 40;
/** Most agents whose variables are listed in CURRENT STATE. */
const agentsInState = 200;
/** Most agents described in the setup. */
const agentsInSetup = 50;

function capped(lines: string[], indent: string, limit = linesPerList): string[] {
  if (lines.length <= limit) return lines.map((line) => `${indent}${line}`);
  return [
    ...lines.slice(0, limit).map((line) => `${indent}${line}`),
    `${indent}… and ${lines.length - limit} more`,
  ];
}

function describeBounds(definition: VariableDefinition): string {
  const parts: string[] = [definition.type];
  if (definition.type === 'enum') parts.push(`one of ${(definition.values ?? []).join(', ')}`);
  if (definition.min !== undefined && definition.max !== undefined)
    parts.push(`${describeValue(definition.min)} to ${describeValue(definition.max)}`);
  else if (definition.min !== undefined) parts.push(`min ${describeValue(definition.min)}`);
  else if (definition.max !== undefined) parts.push(`max ${describeValue(definition.max)}`);
  return parts.join(', ');
}

function variableLines(definitions: Record<string, VariableDefinition>): string[] {
  return Object.entries(definitions).map(
    ([name, definition]) =>
      `${name}: ${describeBounds(definition)}${definition.description ? ` — ${definition.description}` : ''}`,
  );
}

/** `Agent A: economic_strength -200` / `Global: geopolitical_tension +0.15`. */
function changeLines(changes: readonly StateChange[], directory: AgentDirectory): string[] {
  return changes.map(
    (change) =>
      `${change.agentId === undefined ? 'Global' : directory.nameOf(change.agentId)}: ${describeDelta(change)}`,
  );
}

function constraintLines(hits: readonly ConstraintHit[], directory: AgentDirectory): string[] {
  return latestHits(hits).flatMap((hit) =>
    hitLines(hit, hit.agentId === undefined ? undefined : directory.nameOf(hit.agentId)),
  );
}

/**
 * The game master's system prompt: everything that stays the same for the whole run (setup,
 * variables and their bounds, agents, the reply format), so servers with prefix caching reuse it.
 */
export function gameMasterSystemPrompt(
  scenario: Scenario,
  settings: GameMasterSettings,
  directory: AgentDirectory,
): string {
  const lines: string[] = ['=== SIMULATION SETUP ===', settings.system_prompt.trim(), ''];
  lines.push('Simulation Plan:', settings.simulation_plan.trim(), '');
  if (settings.realism_guidelines) lines.push('Realism Guidelines:', settings.realism_guidelines.trim(), '');
  lines.push(`Scenario: ${scenario.name}`);
  if (scenario.description.trim()) lines.push(scenario.description.trim());
  if (scenario.goal) lines.push(`Goal: ${scenario.goal}`);
  lines.push(
    `The run lasts ${scenario.clock.steps} ${scenario.clock.unit}s. You rule at the end of every step, after all agents have acted: your updates apply at once, and each agent reads your message at the start of the next step.`,
    '',
    'Variables (type, bounds):',
    '  Global:',
    ...capped(variableLines(scenario.variables), '    '),
    '  Per agent:',
    ...capped(variableLines(scenario.agentVariables), '    '),
    '',
    'Agents:',
    ...capped(
      scenario.agents.map(
        (agent) =>
          `${agent.name} (id ${agent.id}, role ${agent.role})${agent.persona ? `: ${agent.persona.trim().replace(/\s+/g, ' ')}` : ''}`,
      ),
      '  ',
      agentsInSetup,
    ),
  );
  const conditional = scenario.events.filter((event) => event.when !== undefined);
  if (conditional.length > 0) {
    lines.push(
      '',
      'Conditional events (each fires the first time its condition holds):',
      ...conditional.map((event) => `  when \`${event.when}\`: ${event.type} - ${event.description}`),
    );
  }
  // The example names real agents, so a model copying it produces valid references.
  const [first = '"Agent A"', second] = directory.allNames().map((name) => JSON.stringify(name));
  const pair = (firstValue: string, secondValue: string, indent: string) =>
    second
      ? [`${indent}${first}: ${firstValue},`, `${indent}${second}: ${secondValue}`]
      : [`${indent}${first}: ${firstValue}`];
  lines.push(
    '',
    '=== RESPONSE FORMAT ===',
    'Return JSON format:',
    '{',
    '  "state_updates": {',
    '    "global_vars": {"var_name": new_value, ...},',
    '    "agent_vars": {',
    ...pair('{"var_name": new_value, ...}', '{...}', '      '),
    '    }',
    '  },',
    '  "events": [',
    '    {',
    '      "type": "event_type",',
    '      "description": "What happened",',
    `      "affects": [${second ? `${first}, ${second}` : first}],`,
    '      "duration": 3',
    '    }',
    '  ],',
    '  "agent_messages": {',
    ...pair(
      '"Your personalized narrative with context and optional suggestions"',
      '"Different narrative based on their situation"',
      '    ',
    ),
    '  },',
    '  "reasoning": "Why you made these updates and generated these events"',
    '}',
    '',
    'IMPORTANT: Only include variables that CHANGED. Omit unchanged variables.',
    'Name agents exactly as listed above. Each value must match its variable type: int a whole number, float a number, bool true or false, enum one of its values, list a JSON array, string text.',
    'A value beyond a bound is clamped to the bound and reported back to you as a constraint hit.',
  );
  return lines.join('\n');
}

function historyLines(record: GameMasterStepRecord, directory: AgentDirectory): string[] {
  const lines = [`Step ${record.step}:`];
  if (record.changes.length > 0)
    lines.push('  Changes:', ...capped(changeLines(record.changes, directory), '    '));
  for (const event of record.events) lines.push(`  Event: ${event.type} - ${event.description}`);
  if (record.responses.length > 0) lines.push('  Agent Responses:', ...capped(record.responses, '    '));
  if (record.reasoning) lines.push(`  Reasoning: ${record.reasoning}`);
  lines.push(...capped(constraintLines(record.constraintHits, directory), '  ', linesPerList * 2));
  return lines;
}

/**
 * The step's prompt in seed 004's sections: UPCOMING SCRIPTED EVENTS, CURRENT STATE, RECENT
 * HISTORY (deltas, events, responses, reasoning and constraint hits of the last steps), THIS STEP
 * (what happened since the last ruling and the agents' responses) and YOUR TASK.
 */
export function gameMasterStepPrompt(
  scenario: Scenario,
  view: GameMasterStepView,
  directory: AgentDirectory,
): string {
  const { step } = view;
  const upcoming = scenario.events
    .filter((event) => event.step !== undefined && event.step > step)
    .sort((a, b) => (a.step ?? 0) - (b.step ?? 0))
    .map((event) => `Step ${event.step}: ${event.type} - ${event.description}`);
  const lines = ['=== UPCOMING SCRIPTED EVENTS ===', ...(upcoming.length > 0 ? upcoming : ['(none)']), ''];

  lines.push(`=== CURRENT STATE (Step ${step}) ===`, 'Global Variables:');
  const globals = Object.entries(view.state.globals);
  if (globals.length === 0) lines.push('  (none)');
  for (const [name, value] of globals) lines.push(`  ${name}: ${describeValue(value)}`);
  lines.push('', 'Agent Variables:');
  const agents = Object.entries(view.state.agents);
  for (const [agentId, variables] of agents.slice(0, agentsInState)) {
    lines.push(`  ${directory.nameOf(agentId)}:`);
    for (const [name, value] of Object.entries(variables)) lines.push(`    ${name}: ${describeValue(value)}`);
  }
  if (agents.length > agentsInState) lines.push(`  … and ${agents.length - agentsInState} more agents`);

  if (view.history.length > 0) {
    lines.push('', `=== RECENT HISTORY (Last ${view.history.length} steps) ===`);
    for (const record of view.history) lines.push('', ...historyLines(record, directory));
  }

  lines.push('', `=== THIS STEP (Step ${step}) ===`);
  for (const event of view.events) lines.push(`Event: ${event.type} - ${event.description}`);
  if (view.changes.length > 0)
    lines.push(
      'Changes before your ruling (events, scenario rules, agent actions):',
      ...capped(changeLines(view.changes, directory), '  '),
    );
  const hits = constraintLines(view.constraintHits, directory);
  if (hits.length > 0) lines.push(...capped(hits, '', linesPerList * 2));
  lines.push('Agent Responses:', ...capped(view.responses.length > 0 ? view.responses : ['(none)'], '  '));

  lines.push(
    '',
    '=== YOUR TASK ===',
    `Process the agent responses of Step ${step}.`,
    `Update world state realistically for Step ${step}.`,
    `Generate personalized messages for each agent (they read them at the start of Step ${step + 1}).`,
    'Return JSON in the RESPONSE FORMAT given above.',
    'IMPORTANT: Only include variables that CHANGED. Omit unchanged variables.',
  );
  return lines.join('\n');
}
