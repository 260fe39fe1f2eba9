import type { PathIssue } from '../scenario-checks';
import {
  AgentIdAllocator,
  actAction,
  baseName,
  type ConversionOptions,
  inferVariable,
  isRecord,
  type NativeScenarioInput,
  type NativeVariable,
  positiveInteger,
  type SeedConversion,
  text,
  toIdentifier,
} from './seed-conversion';

/** Stances seed 003's agents choose between (opinion dynamics on the run's topic). */
const opinionStances = ['support', 'oppose', 'question', 'share_news', 'stay_neutral'] as const;

/** Seed 003's `EngineConfig.max_memory_rounds`: how many rounds an agent remembers. */
const seedMemoryRounds = 20;

const knownTopLevel = new Set([
  'name',
  'title',
  'seed',
  'seed_text',
  'goal',
  'entities',
  'environments',
  'rounds',
  'concurrency',
  'variables',
  'scheduled_events',
  'enrichment',
]);

function firstSentence(value: string, limit: number): string {
  const sentence = value.trim().split(/(?<=[.!?])\s/)[0] ?? value;
  return sentence.length > limit ? `${sentence.slice(0, limit - 1).trimEnd()}…` : sentence;
}

function convertVariables(
  variables: unknown,
  notes: string[],
  issues: PathIssue[],
): Record<string, NativeVariable> {
  const converted: Record<string, NativeVariable> = {};
  const add = (rawName: string, definition: NativeVariable, note?: string) => {
    const name = toIdentifier(rawName);
    if (name !== rawName) notes.push(`variables.${rawName}: renamed ${name} (expressions need plain names).`);
    if (note) notes.push(`variables.${rawName}: ${note}.`);
    converted[name] = definition;
  };
  if (variables === undefined || variables === null) return converted;
  if (Array.isArray(variables)) {
    variables.forEach((entry, index) => {
      const name = isRecord(entry) ? text(entry.name) : undefined;
      if (!isRecord(entry) || !name) {
        issues.push({ path: ['variables', index], message: 'a variable entry needs a name and a value' });
        return;
      }
      const value = entry.value ?? entry.default ?? entry.initial;
      const { definition, note } = inferVariable(value);
      const numeric = definition.type === 'float';
      add(
        name,
        {
          ...definition,
          ...(numeric && typeof entry.min === 'number' ? { min: entry.min } : {}),
          ...(numeric && typeof entry.max === 'number' ? { max: entry.max } : {}),
          ...(text(entry.description) ? { description: entry.description as string } : {}),
        },
        note,
      );
    });
    return converted;
  }
  if (!isRecord(variables)) {
    issues.push({
      path: ['variables'],
      message: 'variables must be a mapping of names to values, or a list',
    });
    return converted;
  }
  for (const [name, value] of Object.entries(variables)) {
    const { definition, note } = inferVariable(value);
    add(name, definition, note);
  }
  return converted;
}

function convertEvents(
  events: unknown,
  issues: PathIssue[],
  notes: string[],
): NonNullable<NativeScenarioInput['events']> {
  if (events === undefined || events === null) return [];
  if (!Array.isArray(events)) {
    issues.push({ path: ['scheduled_events'], message: 'scheduled_events must be a list' });
    return [];
  }
  const converted: NonNullable<NativeScenarioInput['events']> = [];
  const droppedFields = new Set<string>();
  events.forEach((event, index) => {
    const path = ['scheduled_events', index];
    if (!isRecord(event)) {
      issues.push({ path, message: 'a scheduled event needs a round and a description' });
      return;
    }
    const step = positiveInteger(event.round ?? event.step);
    if (step === undefined) {
      issues.push({ path: [...path, 'round'], message: 'round must be a positive whole number' });
      return;
    }
    const description =
      text(event.description) ??
      text(event.content) ??
      text(event.text) ??
      text(event.title) ??
      text(event.event);
    const type = text(event.type) ?? text(event.event_type) ?? 'scheduled';
    for (const key of Object.keys(event))
      if (
        !['round', 'step', 'description', 'content', 'text', 'title', 'event', 'type', 'event_type'].includes(
          key,
        )
      )
        droppedFields.add(key);
    converted.push({ step, type, description: description ?? type });
  });
  if (droppedFields.size > 0)
    notes.push(
      `scheduled_events: fields ${[...droppedFields].join(', ')} dropped (native events change variables through effects expressions; add them by hand).`,
    );
  return converted;
}

/**
 * Converts seed 003's `SimulationConfig` JSON (`seed_text`, `goal`, `entities`, `environments`,
 * `rounds`, `concurrency`, `variables`, `scheduled_events`) to the native format: `rounds` →
 * `clock.steps`, `concurrency` → `execution.concurrency`, each entity → an agent (persona
 * `You are {name}. {summary}`, brain `fast` like the seed's agent loop, memory of 20 rounds),
 * `variables` → typed variables (types inferred from the values), `scheduled_events` → `events`,
 * `goal` → `goal`, `seed_text` → `description`. Environments (social, market, economic) and
 * enrichment have no native equivalent yet: they are dropped and named in the notes; a social
 * feed (the seed's default environment) becomes a `feed` room everyone is in.
 */
export function convertSeed003(data: unknown, options: ConversionOptions = {}): SeedConversion {
  const notes: string[] = [];
  const issues: PathIssue[] = [];
  const source = isRecord(data) ? data : {};
  if (!isRecord(data)) issues.push({ path: [], message: 'a SimulationConfig must be a JSON object' });
  for (const key of Object.keys(source))
    if (!knownTopLevel.has(key)) notes.push(`${key}: not part of SimulationConfig; dropped.`);

  const rounds = positiveInteger(source.rounds);
  if (rounds === undefined)
    issues.push({
      path: source.rounds === undefined ? [] : ['rounds'],
      message:
        source.rounds === undefined
          ? 'rounds is required (how many rounds to run)'
          : 'rounds must be a positive whole number',
    });
  const concurrency = positiveInteger(source.concurrency);
  if (source.concurrency !== undefined && concurrency === undefined)
    issues.push({ path: ['concurrency'], message: 'concurrency must be a positive whole number' });

  const entities = source.entities;
  const agents: NonNullable<NativeScenarioInput['agents']> = [];
  if (!Array.isArray(entities) || entities.length === 0) {
    issues.push({
      path: entities === undefined ? [] : ['entities'],
      message: 'entities must be a non-empty list',
    });
  } else {
    const ids = new AgentIdAllocator();
    const extraFields = new Set<string>();
    entities.forEach((entity, index) => {
      const name = isRecord(entity) ? text(entity.name) : undefined;
      if (!isRecord(entity) || !name) {
        issues.push({ path: ['entities', index], message: 'an entity needs a name' });
        return;
      }
      const summary = text(entity.summary) ?? text(entity.description) ?? '';
      const role = text(entity.type) ?? text(entity.entity_type) ?? text(entity.role) ?? 'entity';
      for (const key of Object.keys(entity))
        if (!['name', 'summary', 'description', 'type', 'entity_type', 'role'].includes(key))
          extraFields.add(key);
      agents.push({
        id: ids.allocate(name, `entity-${index + 1}`),
        name,
        role: role.toLowerCase(),
        persona: `You are ${name}. ${summary}`.trim(),
        brain: 'fast',
      });
    });
    if (extraFields.size > 0)
      notes.push(`entities: fields ${[...extraFields].join(', ')} have no native equivalent; dropped.`);
  }

  const environments = Array.isArray(source.environments) ? source.environments : [];
  const environmentKinds = environments.map((environment, index) =>
    isRecord(environment)
      ? (text(environment.type) ?? text(environment.kind) ?? text(environment.name) ?? `#${index + 1}`)
      : String(environment),
  );
  if (environmentKinds.length > 0)
    notes.push(
      `environments dropped (no native equivalent yet): ${environmentKinds.join(', ')}; agents act through the generic act action and messages.`,
    );
  const social =
    environmentKinds.length === 0 || environmentKinds.some((kind) => kind.toLowerCase().includes('social'));
  if (source.enrichment !== undefined)
    notes.push('enrichment dropped (persona enrichment runs outside the engine).');

  const goal = text(source.goal);
  const seedText = text(source.seed_text);
  notes.push(`agents remember ${seedMemoryRounds} rounds (seed 003's max_memory_rounds).`);
  const file: NativeScenarioInput = {
    name:
      text(source.name) ??
      text(source.title) ??
      baseName(options.file) ??
      (goal ? firstSentence(goal, 80) : 'Converted SimulationConfig'),
    description: seedText ?? '',
    ...(typeof source.seed === 'number' ? { seed: source.seed } : {}),
    ...(goal ? { goal } : {}),
    clock: { steps: rounds ?? 1, unit: 'round' },
    execution: { ...(concurrency ? { concurrency } : {}), memory_window: seedMemoryRounds },
    variables: convertVariables(source.variables, notes, issues),
    actions: [actAction(opinionStances)],
    agents,
    ...(social && agents.length > 0
      ? {
          rooms: [
            { name: 'feed', description: 'The public feed every agent reads and posts to', members: ['*'] },
          ],
        }
      : {}),
    events: convertEvents(source.scheduled_events, issues, notes),
  };
  return { file, notes, issues };
}
