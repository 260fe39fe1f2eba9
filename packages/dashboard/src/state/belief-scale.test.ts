import { describe, expect, it } from 'vitest';
import type { BeliefPositionsAtStep } from '../api/api-types';
import {
  beliefColor,
  beliefScaleGradient,
  beliefScaleStops,
  nodeBeliefs,
  noPositionColor,
} from './belief-scale';

const channels = (color: string) => (color.match(/\d+/g) ?? []).map(Number);

describe('the belief colour scale', () => {
  it('maps −1, 0 and +1 to the scale’s ends and middle, and clamps beyond them', () => {
    expect(beliefColor(-1)).toBe('rgb(215, 48, 39)');
    expect(beliefColor(0)).toBe('rgb(254, 224, 144)');
    expect(beliefColor(1)).toBe('rgb(69, 117, 180)');
    expect(beliefColor(-3)).toBe(beliefColor(-1));
    expect(beliefColor(7)).toBe(beliefColor(1));
    expect(beliefColor(Number.NaN)).toBe(noPositionColor);
  });

  it('interpolates between stops, so a position halfway between two stops gets their mean', () => {
    const [lower, upper] = [beliefScaleStops[2]!, beliefScaleStops[3]!];
    expect(channels(beliefColor(0.25))).toEqual(
      lower.rgb.map((channel, index) => Math.round((channel + (upper.rgb[index] as number)) / 2)),
    );
    // Diverging: warmth (red minus blue) falls steadily from red at −1 to blue at +1.
    const warmth = Array.from({ length: 21 }, (_, index) => {
      const [red, , blue] = channels(beliefColor(-1 + index / 10));
      return red! - blue!;
    });
    expect([...warmth].sort((first, second) => second - first)).toEqual(warmth);
    expect(warmth[0]).toBeGreaterThan(0);
    expect(warmth.at(-1)).toBeLessThan(0);
  });

  it('keeps "no position" apart from every colour on the scale', () => {
    for (let position = -1; position <= 1; position += 0.05)
      expect(beliefColor(position)).not.toBe(noPositionColor);
    expect(beliefScaleGradient()).toBe(
      'linear-gradient(to right, rgb(215, 48, 39) 0%, rgb(253, 174, 97) 25%, rgb(254, 224, 144) 50%, rgb(171, 217, 233) 75%, rgb(69, 117, 180) 100%)',
    );
  });

  it('colours each agent by its position on the topic, grey without one', () => {
    const answer: BeliefPositionsAtStep = {
      step: 4,
      topics: ['rumour', 'fares'],
      agents: [
        { id: 'ana', positions: { rumour: -1, fares: 0.2 } },
        { id: 'ben', positions: { fares: 1 } },
      ],
    };
    expect(nodeBeliefs(['ana', 'ben', 'cy'], answer, 'rumour')).toEqual([
      { id: 'ana', position: -1, color: beliefColor(-1) },
      { id: 'ben', color: noPositionColor },
      { id: 'cy', color: noPositionColor },
    ]);
    expect(nodeBeliefs(['ben'], answer, 'fares')).toEqual([
      { id: 'ben', position: 1, color: beliefColor(1) },
    ]);
    expect(nodeBeliefs(['ana'], undefined, undefined)).toEqual([{ id: 'ana', color: noPositionColor }]);
  });
});
