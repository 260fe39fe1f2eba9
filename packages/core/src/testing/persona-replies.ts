import type { SimulatedChatRequest } from './simulated-server-types';

/** Options of {@link personaReplyFromFacts}. */
export interface PersonaReplyOptions {
  /** The share a behavioural threshold moves by (a term of the data stays). @defaultValue -0.03 */
  thresholdShift?: number;
  /**
   * Personas (by name) whose first reply invents a volume (`ships 999 t a month`), so the
   * validation must feed it back and the retry is valid. @defaultValue none
   */
  inventFor?: readonly string[];
}

/**
 * A model's answer to a persona-writing request (`personas.writer: model`), built from the facts
 * in its prompt, for the simulated model server's `reply`: the persona named as the facts name
 * it, each behavioural threshold moved by `thresholdShift` (terms of the data kept), each
 * relationship described with its party, kind and contract reference. Answers other requests
 * with undefined (use the server's default then).
 * @example
 * const server = await SimulatedModelServer.start({ reply: (request) => personaReplyFromFacts(request) ?? 'ok' });
 */
export function personaReplyFromFacts(
  request: SimulatedChatRequest,
  options: PersonaReplyOptions = {},
): string | undefined {
  const facts = request.messages.find((message) => message.content.startsWith('<facts>'))?.content;
  if (facts === undefined) return undefined;
  const name = /^name: (.*)$/m.exec(facts)?.[1] ?? 'someone';
  const shift = options.thresholdShift ?? -0.03;
  const thresholds = Object.fromEntries(
    [...facts.matchAll(/^threshold: (\w+) ([\d,.]+) \((.*)\)$/gm)].map(([, key, value, note]) => {
      const level = Number(value?.replace(/,/g, ''));
      return [key, note?.startsWith('a term') ? level : Math.round(level * (1 + shift))];
    }),
  );
  const relationships = [...facts.matchAll(/^relationship: (\S+) (\S+) \((.*)\)$/gm)].map(
    ([, kind, other, detail]) => ({ with: other, kind, detail: `${detail}; keeps to it under pressure` }),
  );
  const invented =
    (options.inventFor ?? []).includes(name) &&
    !JSON.stringify(request.messages).includes('numbers not in the facts');
  return JSON.stringify({
    persona: `${name} is a careful party that keeps its word${invented ? ' and ships 999 t a month' : ''} when ports close.`,
    traits: { cooperation: 0.7, risk_aversion: 0.4, activity: 0.8 },
    thresholds,
    relationships,
  });
}
