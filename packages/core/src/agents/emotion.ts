/**
 * Emotional state (seed 001's "emotional profile") on Russell's circumplex model of affect: a
 * mood is a point with `valence` (unpleasant −1 … +1 pleasant) and `arousal` (calm 0 … 1 activated).
 * Events, limits hit, messages and progress on goals move it; each step it relaxes toward the
 * agent's baseline. It is shown in model prompts, read by the rule brain (arousal adds
 * impulsiveness, valence shifts cooperation), and visible to expressions as `self.mood.valence`
 * and `self.mood.arousal`.
 */
export interface Mood {
  valence: number;
  arousal: number;
}

/** How fast a mood relaxes toward baseline each step (share of the gap closed). */
export const moodRecovery = 0.15;

/** The mood an agent starts from, and relaxes toward: from its traits when set. */
export function baselineMood(traits: Record<string, number>): Mood {
  return {
    valence: clamp(traits.optimism !== undefined ? traits.optimism * 2 - 1 : 0.1, -1, 1),
    arousal: clamp(traits.excitability ?? 0.3, 0, 1),
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Moves a mood by a stimulus, saturating at the bounds. */
export function shiftMood(mood: Mood, stimulus: Partial<Mood>): void {
  mood.valence = clamp(mood.valence + (stimulus.valence ?? 0), -1, 1);
  mood.arousal = clamp(mood.arousal + (stimulus.arousal ?? 0), 0, 1);
}

/** One step of relaxation toward the baseline. */
export function relaxMood(mood: Mood, baseline: Mood): void {
  mood.valence += (baseline.valence - mood.valence) * moodRecovery;
  mood.arousal += (baseline.arousal - mood.arousal) * moodRecovery;
}

/** Stimuli of the things that happen to agents, as documented in docs/scenario-reference.md. */
export const moodStimuli = {
  /** A scheduled or injected event affecting the agent, unless the event sets its own `mood`. */
  event: { valence: -0.15, arousal: 0.2 },
  /** One of the agent's own variables was clamped at its minimum. */
  hitMinimum: { valence: -0.2, arousal: 0.15 },
  /** Clamped at its maximum (a ceiling reached). */
  hitMaximum: { valence: 0.05, arousal: 0.05 },
  /** A direct message received (attention, a little activation). */
  directMessage: { valence: 0, arousal: 0.05 },
  /** The agent's own step failed. */
  failure: { valence: -0.1, arousal: 0.1 },
} as const;

/** Valence change from goal progress: relative change of the goal values, bounded. */
export function progressStimulus(relativeProgress: number): Partial<Mood> {
  return {
    valence: clamp(relativeProgress, -0.3, 0.3),
    arousal: clamp(Math.abs(relativeProgress) * 0.5, 0, 0.2),
  };
}

/**
 * A word for a mood, from the quadrant and strength of the circumplex (e.g. "anxious" for
 * unpleasant and activated, "content" for pleasant and calm).
 */
export function describeMood(mood: Mood): string {
  const { valence, arousal } = mood;
  if (Math.abs(valence) < 0.15 && arousal < 0.4) return 'calm';
  if (Math.abs(valence) < 0.15) return 'alert';
  if (valence > 0) {
    if (arousal >= 0.6) return valence > 0.5 ? 'elated' : 'excited';
    return valence > 0.5 ? 'happy' : 'content';
  }
  if (arousal >= 0.6) return valence < -0.5 ? 'distressed' : 'anxious';
  return valence < -0.5 ? 'despondent' : 'downcast';
}
