import { z } from 'zod';

/**
 * Every request body and query the API accepts, as zod schemas. The routes validate with them
 * (`@hono/zod-validator`) and `/openapi.json` is generated from them, so the two cannot drift.
 */

const scenarioSource = z
  .string()
  .min(1)
  .describe('The scenario file as YAML or JSON text (native format, or seed 003/004 formats).');

/** A scenario parameter override, as `sandtable run --set name=value` takes it. */
export const ParameterValues = z
  .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
  .describe('Scenario parameter overrides: name → value (converted to the parameter type).');

/** A world variable value. */
export const VariableValueSchema = z.union([z.number(), z.boolean(), z.string(), z.array(z.string())]);

/** POST /scenarios */
export const ScenarioCreateBody = z.strictObject({
  source: scenarioSource,
  name: z.string().min(1).max(200).optional().describe('Defaults to the scenario file’s `name`.'),
});

/** PUT /scenarios/:id — adds a new immutable version. */
export const ScenarioUpdateBody = z.strictObject({
  source: scenarioSource,
  name: z.string().min(1).max(200).optional(),
});

/** POST /scenarios/:id/clone */
export const ScenarioCloneBody = z.strictObject({
  name: z.string().min(1).max(200).optional().describe('Defaults to "<name> (copy)".'),
  version: z.int().min(1).optional().describe('The version to copy; the latest when left out.'),
});

/** POST /scenarios/validate */
export const ScenarioValidateBody = z.strictObject({
  source: scenarioSource,
  parameters: ParameterValues.optional(),
});

/** POST /runs */
export const RunCreateBody = z
  .strictObject({
    scenarioId: z.string().min(1).optional().describe('A stored scenario (or give `scenario`).'),
    version: z.int().min(1).optional().describe('Scenario version; the latest when left out.'),
    scenario: scenarioSource.optional().describe('Inline scenario text instead of `scenarioId`.'),
    seed: z.int().min(0).max(2_147_483_647).optional(),
    steps: z.int().min(1).max(1_000_000).optional(),
    clock: z.enum(['rounds', 'events']).optional(),
    parameters: ParameterValues.optional(),
    paused: z.boolean().optional().describe('Start paused before step 1 (then /step or /resume it).'),
  })
  .refine((body) => (body.scenarioId === undefined) !== (body.scenario === undefined), {
    message: 'give exactly one of scenarioId or scenario',
    path: ['scenarioId'],
  });

/** POST /runs/:id/stop */
export const StopBody = z.strictObject({ reason: z.string().max(500).optional() });

/** POST /runs/:id/messages — the operator speaks (a manual override). */
export const InjectMessageBody = z.strictObject({
  text: z.string().min(1).max(20_000),
  to: z.string().min(1).optional().describe('An agent id: a direct message.'),
  room: z.string().min(1).optional().describe('A room name; neither `to` nor `room`: a broadcast.'),
  from: z.string().min(1).max(200).optional().describe('Shown as the sender; `operator` by default.'),
});

/** POST /runs/:id/events — fires an event at the start of the next step. */
export const InjectEventBody = z.strictObject({
  type: z.string().min(1).max(200),
  description: z.string().min(1).max(5_000),
  effects: z
    .record(z.string(), z.string())
    .optional()
    .describe('Targets (`var` or `self.var`) to CEL expressions, as in scenario events.'),
  affects: z.array(z.string().min(1)).optional().describe('Agent ids; everyone when left out.'),
  mood: z.strictObject({ valence: z.number().optional(), arousal: z.number().optional() }).optional(),
});

/** PUT /runs/:id/variables/:name */
export const SetVariableBody = z.strictObject({
  value: VariableValueSchema,
  agentId: z.string().min(1).optional().describe('Set this agent’s own variable instead of a global one.'),
});

/** POST /runs/:id/fork */
export const ForkBody = z.strictObject({
  step: z.int().min(0).describe('The child shares the parent’s steps 1..step and runs on from there.'),
  parameters: ParameterValues.optional().describe(
    'Changed parameters from the fork on: expressions read the new values from the step after the fork.',
  ),
  variables: z
    .record(z.string(), VariableValueSchema)
    .optional()
    .describe('Global variables set in the child at the boundary after step `step`.'),
  events: z
    .array(InjectEventBody)
    .max(100)
    .optional()
    .describe('Events fired in the child’s first own step.'),
  messages: z
    .array(InjectMessageBody)
    .max(100)
    .optional()
    .describe('Operator messages delivered in the child’s first own step.'),
  name: z.string().min(1).max(200).optional(),
});

/** POST /runs/:id/agents/:agentId/interview */
export const InterviewBody = z.strictObject({ question: z.string().min(1).max(5_000) });

const integerText = z.coerce.number().int().min(0);

/** GET /runs */
export const RunListQuery = z.strictObject({
  status: z.enum(['queued', 'created', 'running', 'paused', 'completed', 'stopped', 'failed']).optional(),
  sweep: z.string().min(1).optional().describe('Only the member runs of this sweep (`404 SWEEP_NOT_FOUND`).'),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** GET /runs/:id/history/events */
export const EventHistoryQuery = z.strictObject({
  after: integerText.optional().describe('Only events with a larger sequence number.'),
  type: z.string().min(1).optional().describe('One event type, e.g. `agent-acted`.'),
  fromStep: integerText.optional(),
  toStep: integerText.optional(),
  limit: z.coerce.number().int().min(1).max(5_000).optional().describe('At most this many (default 500).'),
});

/** GET /runs/:id/history/messages */
export const MessageHistoryQuery = z.strictObject({
  agent: z
    .string()
    .min(1)
    .optional()
    .describe('Messages sent by or to this agent (incl. its rooms and broadcasts).'),
  room: z.string().min(1).optional(),
  fromStep: integerText.optional(),
  toStep: integerText.optional(),
  limit: z.coerce.number().int().min(1).max(5_000).optional(),
});

/** GET /runs/:id/state */
export const StateQuery = z.strictObject({
  step: integerText.optional().describe('The state after this step; the latest when left out.'),
});

/** GET /runs/:id/history/model-calls */
export const ModelCallQuery = z.strictObject({
  agent: z.string().min(1).optional(),
  fromStep: integerText.optional(),
  toStep: integerText.optional(),
  limit: z.coerce.number().int().min(1).max(5_000).optional(),
});

/** GET /runs/:id/events (SSE) */
export const EventStreamQuery = z.strictObject({
  lastEventId: integerText
    .optional()
    .describe('Same as the Last-Event-ID header (EventSource cannot set it on the first connect).'),
  token: z.string().optional().describe('The API token, for EventSource, which cannot set headers.'),
});
