import type { BeliefPositionsAtStep } from '../api/api-types';

/**
 * The graph's belief colours: a diverging scale over positions −1..+1 (red through pale yellow to
 * blue, ColorBrewer's RdYlBu) and one grey for agents without a position on the topic.
 */

/** The scale's stops, position → `[red, green, blue]`, in ascending position. */
export const beliefScaleStops: ReadonlyArray<{ position: number; rgb: readonly [number, number, number] }> = [
  { position: -1, rgb: [215, 48, 39] },
  { position: -0.5, rgb: [253, 174, 97] },
  { position: 0, rgb: [254, 224, 144] },
  { position: 0.5, rgb: [171, 217, 233] },
  { position: 1, rgb: [69, 117, 180] },
];

/** The colour of an agent with no position on the topic (or at the step shown). */
export const noPositionColor = 'rgb(156, 163, 175)';

const css = (rgb: readonly number[]) => `rgb(${rgb.map((channel) => Math.round(channel)).join(', ')})`;

/**
 * A position's colour on the diverging scale; positions outside [-1, 1] are clamped, and a
 * non-finite one gets {@link noPositionColor}.
 * @example beliefColor(-1) // 'rgb(215, 48, 39)'
 */
export function beliefColor(position: number): string {
  if (!Number.isFinite(position)) return noPositionColor;
  const clamped = Math.max(-1, Math.min(1, position));
  for (let index = 1; index < beliefScaleStops.length; index++) {
    const upper = beliefScaleStops[index]!;
    if (clamped > upper.position) continue;
    const lower = beliefScaleStops[index - 1]!;
    const amount = (clamped - lower.position) / (upper.position - lower.position);
    return css(lower.rgb.map((channel, at) => channel + ((upper.rgb[at] as number) - channel) * amount));
  }
  return css(beliefScaleStops.at(-1)!.rgb);
}

/** The scale as a CSS `linear-gradient` from −1 (left) to +1 (right), for the legend. */
export function beliefScaleGradient(): string {
  const stops = beliefScaleStops.map(
    (stop) => `${css(stop.rgb)} ${Math.round(((stop.position + 1) / 2) * 100)}%`,
  );
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** One node's belief colouring. */
export interface NodeBelief {
  id: string;
  /** The position on the topic, when the agent has one at that step. */
  position?: number;
  color: string;
}

/**
 * Each agent's colour on `topic` from a beliefs answer, in the given agent order: its position's
 * colour, or {@link noPositionColor} when the answer has none for it (or there is no answer).
 */
export function nodeBeliefs(
  agentIds: readonly string[],
  beliefs: BeliefPositionsAtStep | undefined,
  topic: string | undefined,
): NodeBelief[] {
  const positions = new Map<string, number>();
  if (beliefs && topic !== undefined) {
    for (const agent of beliefs.agents) {
      const position = agent.positions[topic];
      if (typeof position === 'number') positions.set(agent.id, position);
    }
  }
  return agentIds.map((id) => {
    const position = positions.get(id);
    return position === undefined
      ? { id, color: noPositionColor }
      : { id, position, color: beliefColor(position) };
  });
}
