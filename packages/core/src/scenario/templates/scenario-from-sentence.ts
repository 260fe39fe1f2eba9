import { SandtableError } from '../../errors';
import type { ChatRouter } from '../../model/run-recording';
import { isProviderError } from '../../model/types';
import { chooseTemplateWithModel, type ModelTemplateChoice } from './model-template-choice';
import { TemplateError } from './scenario-template';
import { matchSentence, type SentenceMatch } from './sentence-matcher';
import type { TemplateCatalogue } from './template-catalogue';
import { type FilledTemplate, fillTemplate } from './template-filling';

/** Options of {@link scenarioFromSentence}. */
export interface ScenarioFromSentenceOptions {
  /** A model router; without one (or when it has no `target`) the matcher is used. */
  router?: ChatRouter;
  /** @defaultValue `'smart'` */
  target?: string;
  /** Model calls in all before falling back to the matcher. @defaultValue 3 */
  maxAttempts?: number;
  /** Written in the `$schema` comment of the scenario text. */
  schemaPath?: string;
  signal?: AbortSignal;
}

/** A scenario made from a sentence, and how. */
export interface ScenarioFromSentence {
  /** `model`: a model chose the template and values; `matcher`: the deterministic matcher did. */
  method: 'model' | 'matcher';
  filled: FilledTemplate;
  /** The matcher's result (set when the matcher was used). */
  match?: SentenceMatch;
  /** The model's answer (set when the model was used). */
  model?: ModelTemplateChoice;
  /** Why the model was not used, when it was not. */
  fallbackReason?: string;
  /** Human-readable lines: what was chosen, guessed, left at defaults. */
  report: string[];
}

function matcherReport(match: SentenceMatch): string[] {
  const template = match.template;
  const lines = [
    match.score > 0
      ? `template: ${template.name} (${template.category}) — matched ${match.matchedKeywords.map((keyword) => `"${keyword.replace(/\*$/, '')}"`).join(', ')}; score ${match.score}`
      : `template: ${template.name} (${template.category}) — no template's keywords matched; used the first one. Pick one with --template (see \`sandtable templates\`).`,
  ];
  const close = match.alternatives.filter((entry) => entry.score > 0);
  if (close.length > 0)
    lines.push(`next best: ${close.map((entry) => `${entry.name} (${entry.score})`).join(', ')}`);
  for (const guess of match.guesses) {
    lines.push(
      `guessed: ${guess.parameter} = ${guess.value} (from "${guess.from}")${guess.note ? ` — ${guess.note}` : ''}`,
    );
  }
  if (match.defaults.length > 0) {
    lines.push(
      `defaults: ${match.defaults.map((name) => `${name} = ${template.parameters[name]?.default}`).join(', ')}`,
    );
  }
  return lines;
}

/**
 * Turns a plain-English description into a scenario that passes validation. With a router that
 * serves `target`, a model picks the template and values (structured output, validated, repaired
 * and retried with the errors fed back); if it cannot give a valid answer within `maxAttempts`, or
 * no model is configured, the deterministic matcher ({@link matchSentence}) decides. A pure
 * function of its inputs and the model's replies: it reads and writes no files.
 * @throws {SandtableError} `TEMPLATE_DESCRIPTION_EMPTY` (user) for an empty description
 * @example
 * const result = await scenarioFromSentence('A 3-week strike closes Rotterdam port in March', catalogue);
 * result.filled.text; // native scenario YAML
 */
export async function scenarioFromSentence(
  description: string,
  catalogue: TemplateCatalogue,
  options: ScenarioFromSentenceOptions = {},
): Promise<ScenarioFromSentence> {
  const sentence = description.trim();
  if (sentence === '') {
    throw new SandtableError(
      'TEMPLATE_DESCRIPTION_EMPTY',
      'describe the scenario in a sentence, e.g. "A 3-week strike closes Rotterdam port in March"',
      {
        category: 'user',
      },
    );
  }
  const target = options.target ?? 'smart';
  const notes = [`From the description: "${sentence.replace(/\s+/g, ' ').slice(0, 200)}"`];
  const fillOptions = { notes, ...(options.schemaPath ? { schemaPath: options.schemaPath } : {}) };
  let fallbackReason: string | undefined;
  if (!options.router) fallbackReason = 'no model configured';
  else if (!options.router.hasTarget(target))
    fallbackReason = `the model configuration has no "${target}" tier or endpoint`;
  else {
    try {
      const model = await chooseTemplateWithModel(sentence, catalogue, options.router, {
        ...fillOptions,
        target,
        ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const values = model.filled.setParameters.map((name) => `${name} = ${model.filled.values[name]}`);
      return {
        method: 'model',
        filled: model.filled,
        model,
        report: [
          `template: ${model.filled.template.name} (${model.filled.template.category}) — chosen by the model in ${model.calls} call${model.calls === 1 ? '' : 's'}${model.rejections.length ? ` (${model.rejections.length} rejected: ${model.rejections.join(' | ')})` : ''}`,
          ...(model.rationale ? [`why: ${model.rationale}`] : []),
          ...(values.length ? [`set: ${values.join(', ')}`] : []),
        ],
      };
    } catch (error) {
      if (!isProviderError(error)) throw error;
      fallbackReason = `the model gave no valid answer (${error.code}: ${error.message})`;
    }
  }
  const match = matchSentence(sentence, catalogue);
  let filled: FilledTemplate;
  try {
    filled = fillTemplate(match.template, match.values, fillOptions);
  } catch (error) {
    // Guessed values are clamped into bounds, so this only happens when values conflict (an event
    // step past the clock); the defaults always validate, so fall back to them.
    if (!(error instanceof TemplateError)) throw error;
    filled = fillTemplate(match.template, {}, fillOptions);
    match.defaults = Object.keys(match.template.parameters);
    match.guesses = [];
    match.values = {};
  }
  return {
    method: 'matcher',
    filled,
    match,
    ...(fallbackReason ? { fallbackReason } : {}),
    report: [`offline matcher (${fallbackReason})`, ...matcherReport(match)],
  };
}
