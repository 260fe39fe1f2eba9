import { z } from 'zod';
import { BriefSettings, EvaluationDefinition } from '../analysis/analysis-schema';
import { BeliefsDefinition } from '../beliefs/beliefs-schema';
import { EnvironmentDefinitions } from '../environments/environment-schemas';
import { GameMasterDefinition } from '../game-master/game-master-schema';
import {
  DataDefinition,
  DocumentsDefinition,
  MemoryDefinition,
  PersonasDefinition,
} from '../grounding/grounding-schema';

/**
 * The native scenario format, as a user writes it (`ScenarioFile`). The loader validates a file
 * against this schema, then checks what a schema cannot (expressions, references, min ≤ max) and
 * expands populations into a {@link Scenario}. `sandtable schema` prints this as JSON Schema.
 */

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const agentIdPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** A name usable inside expressions: letters, digits and underscores, not starting with a digit. */
export const Identifier = z
  .string()
  .regex(identifierPattern, 'must start with a letter or _ and hold only letters, digits and _');

/** An expression in the CEL language (see docs/scenario-reference.md). */
export const Expression = z.string().min(1, 'expression is empty').describe('A CEL expression');

const scalar = z.union([z.number(), z.boolean(), z.string()]);
const value = z.union([scalar, z.array(scalar)]);

/** A typed variable, global or per agent. Numeric writes are clamped to [min, max]. */
export const VariableDefinition = z
  .object({
    type: z.enum(['int', 'float', 'bool', 'enum', 'string', 'list']),
    default: value
      .optional()
      .describe('Initial value; 0, false, "" or [] when left out (first value for enum)'),
    min: z.number().optional(),
    max: z.number().optional(),
    values: z.array(z.string()).min(1).optional().describe('Allowed values of an enum'),
    description: z.string().optional(),
    visible: z.boolean().default(true).describe('Whether agents see this variable in their observation'),
  })
  .strict();

/** A named knob of the scenario, overridable with `--set name=value`; readable in expressions. */
export const ParameterDefinition = z
  .object({
    type: z.enum(['int', 'float', 'bool', 'string']).default('float'),
    default: scalar,
    min: z.number().optional(),
    max: z.number().optional(),
    description: z.string().optional(),
  })
  .strict();

/** A rule applied at the start of every step: `set` a variable `to` an expression, optionally `when`. */
export const Dynamic = z
  .object({
    set: z
      .string()
      .regex(/^(self\.)?[A-Za-z_][A-Za-z0-9_]*$/, 'must be a global variable name or self.<agent variable>'),
    to: Expression,
    when: Expression.optional(),
    description: z.string().optional(),
  })
  .strict();

/** One parameter of an action (a tool), in the spirit of a JSON Schema property. */
export const ActionParameter = z
  .object({
    type: z.enum(['number', 'integer', 'string', 'boolean', 'agent']),
    description: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    enum: z.array(z.string()).min(1).optional(),
    default: scalar.optional(),
  })
  .strict();

/**
 * Something agents can do to the world, offered to every brain as a tool. `effects` map targets
 * (`global_var`, `self.var`, `target.var` when a parameter has type `agent`) to expressions that
 * may read the action's parameters by name.
 */
export const ActionDefinition = z
  .object({
    name: Identifier,
    description: z.string().min(1),
    parameters: z.record(Identifier, ActionParameter).default({}),
    available: Expression.optional().describe('When false for an agent, the action is not offered to it'),
    effects: z.record(z.string(), Expression).default({}),
    roles: z.array(z.string()).optional().describe('Roles that may take this action; all when left out'),
    utility: Expression.optional().describe('Extra appeal of the action to rule-based agents'),
    message: z.string().optional().describe('Template a rule-based agent says when it takes the action'),
  })
  .strict();

/** What an agent wants; rule-based agents score actions by how they move these. */
export const Goal = z
  .object({
    description: z.string().optional(),
    maximize: Expression.optional(),
    minimize: Expression.optional(),
    weight: z.number().positive().default(1),
  })
  .strict()
  .refine((goal) => !(goal.maximize && goal.minimize), 'a goal has either maximize or minimize, not both')
  .refine(
    (goal) => goal.maximize || goal.minimize || goal.description,
    'a goal needs a description, maximize or minimize',
  );

const distribution = z.union([
  z.object({ min: z.number(), max: z.number() }).strict(),
  z.object({ mean: z.number(), sd: z.number().nonnegative() }).strict(),
]);

/** A brain: `rules` (tier 0), a named tier (`fast`, `smart`, …) or an explicit `provider/model`. */
export const BrainName = z.string().min(1).default('rules');

/** One agent, or with `count` a population of agents built from this template. */
export const AgentDefinition = z
  .object({
    id: z.string().regex(agentIdPattern, 'may hold letters, digits, _, . and -'),
    name: z.string().optional().describe('Display name; generated for populations'),
    role: z.string().min(1),
    persona: z.string().optional(),
    goals: z.array(Goal).default([]),
    traits: z.record(z.string(), z.number().min(0).max(1)).default({}),
    brain: BrainName,
    variables: z.record(z.string(), z.union([value, distribution])).default({}),
    actions: z.array(z.string()).optional().describe('Tools this agent may use; all when left out'),
    count: z.number().int().positive().optional().describe('Expand into a population of this many agents'),
    jitter: z.number().min(0).max(1).default(0.1).describe('Random spread added to traits in a population'),
    memory_window: z.number().int().positive().optional(),
  })
  .strict();

/** A chat room; `members` are agent ids, `role:<role>` or `*`. */
export const RoomDefinition = z
  .object({
    name: Identifier,
    description: z.string().optional(),
    members: z.array(z.string()).min(1),
  })
  .strict();

/** Something that happens: at a fixed `step`, or the first time `when` holds. */
export const ScheduledEvent = z
  .object({
    step: z.number().int().positive().optional(),
    when: Expression.optional(),
    type: z.string().min(1),
    description: z.string().min(1),
    effects: z.record(z.string(), Expression).default({}),
    affects: z.array(z.string()).optional().describe('Agent ids, role:<role> or *; all when left out'),
    message: z.string().optional().describe('Announcement delivered to the affected agents'),
    mood: z
      .object({
        valence: z.number().min(-1).max(1).default(0),
        arousal: z.number().min(-1).max(1).default(0),
      })
      .strict()
      .optional()
      .describe(
        'How the event moves the affected agents’ mood (default: a little unpleasant and activating)',
      ),
  })
  .strict()
  .refine(
    (event) => (event.step === undefined) !== (event.when === undefined),
    'an event needs step or when',
  );

/** A number tracked every step. */
export const MetricDefinition = z.union([
  Expression,
  z
    .object({ expression: Expression, description: z.string().optional(), unit: z.string().optional() })
    .strict(),
]);

/** A condition that ends the run early, with the outcome it means. */
export const TerminationCondition = z
  .object({
    when: Expression,
    outcome: z.string().min(1).default('ended'),
    description: z.string().optional(),
  })
  .strict();

/** The schema of a native scenario file. */
export const ScenarioFileSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().default(''),
    category: z.string().default('custom'),
    seed: z.number().int().nonnegative().default(1),
    goal: z.string().optional().describe('The question the simulation answers'),
    clock: z
      .object({
        steps: z.number().int().positive(),
        unit: z.string().default('step'),
        mode: z
          .enum(['rounds', 'events'])
          .default('rounds')
          .describe('rounds: every agent acts each step; events: agents act when something reaches them'),
        min_interval: z
          .number()
          .positive()
          .max(1)
          .default(0.25)
          .describe(
            'events clock: least time between two actions of one agent, and the delay before a reaction',
          ),
        heartbeat: z
          .number()
          .nonnegative()
          .default(1)
          .describe('events clock: an agent nothing reaches still acts this often (0: never)'),
      })
      .strict()
      .refine(
        (clock) =>
          Number.isInteger(Math.round(1 / clock.min_interval)) &&
          Math.abs(1 / clock.min_interval - Math.round(1 / clock.min_interval)) < 1e-9,
        {
          message: 'min_interval must divide one step evenly (1, 0.5, 0.25, 0.2, 0.1, …)',
          path: ['min_interval'],
        },
      ),
    execution: z
      .object({
        concurrency: z.number().int().positive().default(32),
        decision_timeout_ms: z.number().int().positive().default(30_000),
        memory_window: z.number().int().positive().default(10),
      })
      .strict()
      .default({ concurrency: 32, decision_timeout_ms: 30_000, memory_window: 10 }),
    parameters: z.record(Identifier, ParameterDefinition).default({}),
    variables: z.record(Identifier, VariableDefinition).default({}),
    agent_variables: z.record(Identifier, VariableDefinition).default({}),
    dynamics: z.array(Dynamic).default([]),
    actions: z.array(ActionDefinition).default([]),
    agents: z.array(AgentDefinition).min(1, 'a scenario needs at least one agent'),
    rooms: z.array(RoomDefinition).default([]),
    events: z.array(ScheduledEvent).default([]),
    metrics: z.record(Identifier, MetricDefinition).default({}),
    termination: z.array(TerminationCondition).default([]),
    environments: EnvironmentDefinitions.default([]).describe(
      'Social, market and economic environments agents act in',
    ),
    beliefs: BeliefsDefinition.optional().describe('Belief topics and the opinion-dynamics parameters'),
    data: DataDefinition.optional().describe(
      'Company tables (CSV, XLSX, JSON) that become the world snapshot: suppliers, customers, inventory, prices, contracts',
    ),
    documents: DocumentsDefinition.optional().describe(
      'Documents agents search (search_documents) and cite: PDF, DOCX, XLSX, CSV, Markdown, text',
    ),
    personas: PersonasDefinition.optional().describe(
      'Agents generated from the world snapshot for the roles the category needs',
    ),
    memory: MemoryDefinition.optional().describe('Long-term memory beyond the recent-memory window'),
    game_master: GameMasterDefinition.optional().describe(
      'An authority over the world variables that rules on every step (seed 004)',
    ),
    evaluation: EvaluationDefinition.optional().describe(
      'The rubric a finished run is scored against (by the evaluation agent, or by rules from metrics)',
    ),
    brief: BriefSettings.optional().describe('What the executive brief focuses on'),
  })
  .strict();

/** What a user wrote, before validation. */
export type ScenarioFileInput = z.input<typeof ScenarioFileSchema>;
/** A scenario file after schema validation and defaults, before expansion. */
export type ScenarioFile = z.output<typeof ScenarioFileSchema>;
export type VariableDefinition = z.output<typeof VariableDefinition>;
export type ParameterDefinition = z.output<typeof ParameterDefinition>;
export type Dynamic = z.output<typeof Dynamic>;
export type ActionDefinition = z.output<typeof ActionDefinition>;
export type ActionParameter = z.output<typeof ActionParameter>;
export type AgentDefinition = z.output<typeof AgentDefinition>;
export type Goal = z.output<typeof Goal>;
export type RoomDefinition = z.output<typeof RoomDefinition>;
export type ScheduledEvent = z.output<typeof ScheduledEvent>;
export type TerminationCondition = z.output<typeof TerminationCondition>;

/** The JSON Schema of the scenario format, for editors (`sandtable schema > scenario.schema.json`). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ScenarioFileSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://sandtable.dev/schema/scenario.json',
    title: 'Sandtable scenario',
  };
}
