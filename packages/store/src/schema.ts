/**
 * The store's tables as drizzle sees them: one definition for PGlite and PostgreSQL. The SQL that
 * creates them is in `packages/store/migrations/` (hand-written, applied in order on open); the
 * contract suite checks that every column declared here exists there.
 */
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** JSON kept as text (migration 0002): written and read whole, never queried inside. */
const jsonText = <Value>(name: string) =>
  customType<{ data: Value; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as Value,
  })(name);

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id').notNull(),
  name: text('name').notNull(),
  secretHash: text('secret_hash').notNull(),
  createdAt: createdAt(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
});

export const scenarios = pgTable('scenarios', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  latestVersion: integer('latest_version').notNull(),
  clonedFromId: text('cloned_from_id'),
  clonedFromVersion: integer('cloned_from_version'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
});

export const scenarioVersions = pgTable(
  'scenario_versions',
  {
    scenarioId: text('scenario_id').notNull(),
    version: integer('version').notNull(),
    format: text('format').notNull(),
    source: text('source').notNull(),
    sourceSha256: text('source_sha256').notNull(),
    origin: text('origin'),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.scenarioId, table.version] })],
);

export const runs = pgTable('runs', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id').notNull(),
  scenarioId: text('scenario_id').notNull(),
  scenarioVersion: integer('scenario_version').notNull(),
  name: text('name').notNull(),
  status: text('status').notNull(),
  seed: bigint('seed', { mode: 'number' }).notNull(),
  parameters: json('parameters').$type<Record<string, string | number | boolean>>().notNull(),
  options: json('options').$type<Record<string, unknown>>().notNull(),
  parentRunId: text('parent_run_id'),
  forkStep: integer('fork_step'),
  lastStep: integer('last_step').notNull().default(0),
  lastSequence: integer('last_sequence').notNull().default(0),
  totalSteps: integer('total_steps').notNull(),
  outcome: text('outcome'),
  reason: text('reason'),
  error: json('error').$type<{ code: string; message: string }>(),
  totals: json('totals').$type<Record<string, number>>().notNull(),
  createdAt: createdAt(),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
});

export const agents = pgTable(
  'agents',
  {
    runId: text('run_id').notNull(),
    agentId: text('agent_id').notNull(),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    brain: text('brain').notNull(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.agentId] })],
);

export const steps = pgTable(
  'steps',
  {
    runId: text('run_id').notNull(),
    step: integer('step').notNull(),
    firstSequence: integer('first_sequence').notNull(),
    lastSequence: integer('last_sequence').notNull(),
    deltas: jsonText<unknown[]>('deltas').notNull(),
    metrics: json('metrics').$type<Record<string, number>>().notNull(),
    snapshot: jsonText<unknown>('snapshot'),
    committedAt: timestamp('committed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.step] })],
);

export const events = pgTable(
  'events',
  {
    runId: text('run_id').notNull(),
    sequence: integer('sequence').notNull(),
    step: integer('step').notNull(),
    type: text('type').notNull(),
    body: jsonText<unknown>('body').notNull(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.sequence] })],
);

export const messages = pgTable(
  'messages',
  {
    runId: text('run_id').notNull(),
    sequence: integer('sequence').notNull(),
    step: integer('step').notNull(),
    sender: text('sender').notNull(),
    recipient: text('recipient'),
    room: text('room'),
    broadcast: boolean('broadcast').notNull(),
    muted: boolean('muted').notNull(),
    text: text('text').notNull(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.sequence] })],
);

export const modelCalls = pgTable(
  'model_calls',
  {
    runId: text('run_id').notNull(),
    ordinal: integer('ordinal').notNull(),
    step: integer('step'),
    agentId: text('agent_id'),
    target: text('target').notNull(),
    cassetteKey: text('cassette_key').notNull(),
    entry: json('entry').notNull(),
    attempts: json('attempts').$type<unknown[]>(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.ordinal] })],
);

export const controlInputs = pgTable(
  'control_inputs',
  {
    runId: text('run_id').notNull(),
    ordinal: integer('ordinal').notNull(),
    afterStep: integer('after_step').notNull(),
    kind: text('kind').notNull(),
    input: json('input').notNull(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.ordinal] })],
);

export const metrics = pgTable(
  'metrics',
  {
    runId: text('run_id').notNull(),
    step: integer('step').notNull(),
    name: text('name').notNull(),
    value: doublePrecision('value'),
  },
  (table) => [primaryKey({ columns: [table.runId, table.name, table.step] })],
);

export const evaluations = pgTable('evaluations', {
  id: text('id').primaryKey(),
  runId: text('run_id').notNull(),
  kind: text('kind').notNull(),
  body: json('body').notNull(),
  createdAt: createdAt(),
});

export const briefs = pgTable('briefs', {
  id: text('id').primaryKey(),
  runId: text('run_id').notNull(),
  format: text('format').notNull(),
  body: text('body').notNull(),
  data: json('data'),
  createdAt: createdAt(),
});

/** Sweeps (migration 0004): a scenario version over parameter settings × seeds. */
export const sweeps = pgTable('sweeps', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id').notNull(),
  scenarioId: text('scenario_id').notNull(),
  scenarioVersion: integer('scenario_version').notNull(),
  name: text('name').notNull(),
  status: text('status').notNull(),
  definition: json('definition').$type<Record<string, unknown>>().notNull(),
  totalRuns: integer('total_runs').notNull(),
  parallel: integer('parallel').notNull(),
  reason: text('reason'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
});

/** Which stored run is which member of a sweep, and what the sweep kept of it once it ended. */
export const sweepMembers = pgTable(
  'sweep_members',
  {
    sweepId: text('sweep_id').notNull(),
    member: integer('member').notNull(),
    runId: text('run_id').notNull(),
    result: json('result'),
  },
  (table) => [primaryKey({ columns: [table.sweepId, table.member] })],
);

/** Every table, for drizzle's relational queries and the schema check. */
export const schema = {
  workspaces,
  apiTokens,
  scenarios,
  scenarioVersions,
  runs,
  agents,
  steps,
  events,
  messages,
  modelCalls,
  controlInputs,
  metrics,
  evaluations,
  briefs,
  sweeps,
  sweepMembers,
};
