import { z } from 'zod';

/**
 * The scenario-level `beliefs:` block. Imports nothing but zod so the scenario schema can import it
 * without an import cycle.
 */

const InitialPositions = z
  .object({
    mean: z.number().min(-1).max(1).default(0),
    spread: z
      .number()
      .min(0)
      .max(2)
      .default(0.3)
      .describe('Standard deviation; draws are clamped to [-1, 1]'),
  })
  .strict();

/** One topic agents hold a position on. */
export const BeliefTopic = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    initial: InitialPositions.prefault({}),
    roles: z
      .record(z.string().min(1), InitialPositions)
      .default({})
      .describe('Initial positions per role, overriding `initial`'),
  })
  .strict();

/**
 * Belief dynamics: per agent and topic a position in [-1, 1] and a confidence in [0, 1]; per pair of
 * agents a trust in [0, 1]. Positions move by the Deffuant–Weisbuch bounded-confidence rule: toward
 * a stance read only when |stance − position| < `epsilon`, by `mu` × trust × engagement weight.
 */
export const BeliefsDefinition = z
  .object({
    topics: z.array(BeliefTopic).min(1),
    epsilon: z
      .number()
      .positive()
      .max(2)
      .default(0.5)
      .describe('Confidence bound: stances further than this from a position are ignored'),
    mu: z.number().positive().max(1).default(0.3).describe('Convergence rate (Deffuant–Weisbuch μ)'),
    trust: z
      .object({
        initial: z.number().min(0).max(1).default(0.5),
        learning_rate: z
          .number()
          .min(0)
          .max(1)
          .default(0.1)
          .describe('Trust rises toward 1 after agreement and falls toward 0 after far-apart content'),
      })
      .strict()
      .prefault({}),
    confidence: z
      .object({
        initial: z.number().min(0).max(1).default(0.3),
        learning_rate: z.number().min(0).max(1).default(0.05),
        damping: z
          .number()
          .min(0)
          .max(1)
          .default(0)
          .describe('How much confidence slows movement: rate × (1 − damping × confidence)'),
      })
      .strict()
      .prefault({}),
    engagement: z
      .object({
        read: z.number().min(0).max(3).default(1),
        liked: z.number().min(0).max(3).default(1.5),
        reposted: z.number().min(0).max(3).default(2),
        replied: z.number().min(0).max(3).default(1),
        replied_against: z
          .number()
          .min(0)
          .max(3)
          .default(0.25)
          .describe('Weight when the reply takes the other side of the post'),
      })
      .strict()
      .prefault({})
      .describe('Multipliers of the pull by how the agent met the content'),
    history_limit: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Content hashes remembered per agent; the oldest are forgotten first'),
  })
  .strict()
  .refine(
    (definition) => new Set(definition.topics.map((topic) => topic.name)).size === definition.topics.length,
    {
      message: 'topic names must be unique',
      path: ['topics'],
    },
  );

/** A validated `beliefs:` block. */
export type BeliefsDefinition = z.output<typeof BeliefsDefinition>;
/** A `beliefs:` block as written, before defaults. */
export type BeliefsDefinitionInput = z.input<typeof BeliefsDefinition>;
export type BeliefTopic = z.output<typeof BeliefTopic>;
