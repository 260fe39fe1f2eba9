import { z } from 'zod';

/**
 * The scenario blocks that steer analysis: `evaluation` (the rubric a run is scored against) and
 * `brief` (what the executive brief focuses on). Both are optional; without them the brief uses
 * every scenario metric and the evaluation has no criteria to score.
 */

/** One rubric criterion: what is judged and, for the rule-based evaluation, which metric shows it. */
export const EvaluationCriterion = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must start with a letter or _ and hold only letters, digits and _'),
    description: z.string().min(1).describe('What a good score means, in words a reviewer understands'),
    metric: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A metric that shows the criterion (a scenario metric or a built-in such as messages, failures, actions.<tool>); without one, only a model can score it',
      ),
    direction: z
      .enum(['maximize', 'minimize'])
      .default('maximize')
      .describe('Whether more of the metric is better'),
    target: z
      .number()
      .optional()
      .describe(
        'The final value that earns full marks; without one the score follows the change from the start',
      ),
    weight: z.number().positive().default(1),
  })
  .strict();

/** The rubric: criteria, and the model tier that judges them when a model is configured. */
export const EvaluationDefinition = z
  .object({
    model: z.string().min(1).default('smart').describe('Tier or endpoint of the evaluation agent'),
    criteria: z.array(EvaluationCriterion).min(1, 'a rubric needs at least one criterion'),
  })
  .strict();

/** What the executive brief focuses on. */
export const BriefSettings = z
  .object({
    model: z.string().min(1).default('smart').describe('Tier or endpoint that writes the brief'),
    audience: z.string().optional().describe('Who reads the brief (shapes the model-written tone)'),
    metrics: z
      .array(z.string().min(1))
      .optional()
      .describe('The main metrics: charted and quantified first (default: the scenario metrics, in order)'),
    thresholds: z
      .record(z.string(), z.union([z.number(), z.array(z.number()).min(1)]))
      .default({})
      .describe('Metric levels whose crossing is a turning point, e.g. { shelf_availability: 0.8 }'),
  })
  .strict();

export type EvaluationCriterion = z.output<typeof EvaluationCriterion>;
export type EvaluationDefinition = z.output<typeof EvaluationDefinition>;
export type BriefSettings = z.output<typeof BriefSettings>;
