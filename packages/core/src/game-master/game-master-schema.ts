import { z } from 'zod';

/**
 * The `game_master:` block of a native scenario (seed 004): an engine-side authority that reads
 * each step's agent responses and rules on the world — state updates, narrative events and a
 * personal message per agent. Without a model for `brain` (and `rules_fallback` left on), the
 * rule-based game master narrates the step instead.
 *
 * @example
 * game_master:
 *   brain: smart
 *   system_prompt: You are the game master of a geopolitical simulation.
 *   simulation_plan: Tensions build around steps 10–15; respond realistically to agent actions.
 *   context_window: 5
 */
export const GameMasterDefinition = z
  .object({
    brain: z
      .string()
      .min(1)
      .default('smart')
      .describe('A model tier (fast, smart, …), an endpoint id, or endpoint/model'),
    system_prompt: z.string().min(1).describe("The game master's role and rules of thumb"),
    simulation_plan: z.string().min(1).describe('What should happen over the run, in broad strokes'),
    realism_guidelines: z.string().optional().describe('Specific constraints on how the world may change'),
    context_window: z
      .number()
      .int()
      .nonnegative()
      .default(5)
      .describe('How many past steps the game master sees, as deltas'),
    max_attempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe('Model replies per step before the run fails; invalid replies are retried with the errors'),
    temperature: z.number().min(0).max(2).optional(),
    rules_fallback: z
      .boolean()
      .default(true)
      .describe('Without a model for brain, narrate with the rule-based game master instead of failing'),
  })
  .strict();

/** A game master block as written in a scenario file. */
export type GameMasterDefinitionInput = z.input<typeof GameMasterDefinition>;

/** A game master block after validation and defaults. */
export type GameMasterSettings = z.output<typeof GameMasterDefinition>;

/**
 * The game master settings of a loaded scenario (`scenario.gameMaster`), or undefined when it
 * has none. Takes any object so it works whether or not the scenario type declares the field.
 */
export function gameMasterDefinitionOf(scenario: object): GameMasterSettings | undefined {
  return (scenario as { gameMaster?: GameMasterSettings }).gameMaster;
}
