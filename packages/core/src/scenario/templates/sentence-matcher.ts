import type { ScenarioTemplate, TemplateParameter } from './scenario-template';
import { findEntities, type SentenceEntities } from './sentence-entities';
import type { TemplateCatalogue } from './template-catalogue';

/** One parameter value read from the sentence. */
export interface ParameterGuess {
  parameter: string;
  value: string | number;
  /** The words it came from, e.g. `3-week`. */
  from: string;
  /** Set when the value was moved into the parameter's bounds. */
  note?: string;
}

/** What the matcher chose for a sentence and why. */
export interface SentenceMatch {
  template: ScenarioTemplate;
  /** Keyword score of the chosen template (0: nothing matched; the first template was used). */
  score: number;
  /** The keywords of the chosen template found in the sentence. */
  matchedKeywords: string[];
  /** The next best templates with their scores, best first (at most three). */
  alternatives: Array<{ name: string; score: number }>;
  /** Parameter values to set, by name. */
  values: Record<string, string | number>;
  guesses: ParameterGuess[];
  /** Parameters left at their defaults. */
  defaults: string[];
}

const suffixes = ['', 's', 'es', 'd', 'ed', 'ing', 'er', 'ers', 'n'];

function keywordHits(keyword: string, words: string[], sentence: string): boolean {
  if (keyword.includes(' ')) return sentence.includes(keyword);
  if (keyword.endsWith('*')) {
    const stem = keyword.slice(0, -1);
    return words.some((word) => word.startsWith(stem));
  }
  const bare = keyword.endsWith('e') ? keyword.slice(0, -1) : keyword;
  return words.some((word) => suffixes.some((suffix) => word === keyword + suffix || word === bare + suffix));
}

/**
 * Keyword score of a template for a sentence: 1 per keyword found, 2 per phrase of several words,
 * and 1.5 when the template's own name (its words) all appear.
 */
export function scoreTemplate(template: ScenarioTemplate, entities: SentenceEntities, sentence: string) {
  const lower = sentence.toLowerCase();
  const matched = template.keywords.filter((keyword) =>
    keywordHits(keyword.toLowerCase(), entities.words, lower),
  );
  let score = matched.reduce((total, keyword) => total + (keyword.includes(' ') ? 2 : 1), 0);
  const nameWords = template.name.split('-');
  if (nameWords.every((word) => keywordHits(word, entities.words, lower))) score += 1.5;
  return { score, matched };
}

function nounMatches(noun: string, nouns: readonly string[]): boolean {
  return nouns.some((candidate) => {
    const singular = candidate.toLowerCase();
    return (
      noun === singular ||
      noun === `${singular}s` ||
      noun === `${singular}es` ||
      (singular.endsWith('y') && noun === `${singular.slice(0, -1)}ies`)
    );
  });
}

function fit(parameter: TemplateParameter, value: number): { value: number; note?: string } {
  let fitted = parameter.type === 'int' ? Math.round(value) : Math.round(value * 1000) / 1000;
  let note: string | undefined;
  if (parameter.min !== undefined && fitted < parameter.min) {
    note = `${fitted} is below the template's minimum; used ${parameter.min}`;
    fitted = parameter.min;
  }
  if (parameter.max !== undefined && fitted > parameter.max) {
    note = `${fitted} is above the template's maximum; used ${parameter.max}`;
    fitted = parameter.max;
  }
  return note ? { value: fitted, note } : { value: fitted };
}

const unitDays = { hour: 1 / 24, day: 1, week: 7, month: 30 } as const;

/** Reads the parameters of `template` from what the sentence names. */
export function guessParameters(template: ScenarioTemplate, entities: SentenceEntities): ParameterGuess[] {
  const guesses: ParameterGuess[] = [];
  const places = [...entities.places];
  const percents = [...entities.percents];
  const usedCounts = new Set<string>();
  for (const [name, parameter] of Object.entries(template.parameters)) {
    const numeric = (value: number, from: string) => {
      const fitted = fit(parameter, value);
      guesses.push({
        parameter: name,
        value: fitted.value,
        from,
        ...(fitted.note ? { note: fitted.note } : {}),
      });
    };
    switch (parameter.recognise) {
      case undefined:
        break;
      case 'place': {
        const place = places.shift();
        if (place) guesses.push({ parameter: name, value: place, from: place });
        break;
      }
      case 'month': {
        const month = entities.months[0];
        if (month) guesses.push({ parameter: name, value: month, from: month });
        break;
      }
      case 'duration': {
        const duration = entities.durations[0];
        if (duration) numeric(duration.days / unitDays[parameter.unit ?? 'day'], duration.text);
        break;
      }
      case 'percent': {
        const percent = percents.shift();
        if (percent) numeric(percent.value, percent.text);
        break;
      }
      case 'amount': {
        const amount = entities.amounts[0];
        const perUnit = { thousand: 0.001, million: 1, billion: 1000 }[parameter.money_unit ?? 'million'];
        if (amount) numeric(amount.value / perUnit, amount.text);
        break;
      }
      case 'count': {
        const count = entities.counts.find(
          (candidate) =>
            !usedCounts.has(candidate.text) && nounMatches(candidate.noun, parameter.nouns ?? []),
        );
        if (count) {
          usedCounts.add(count.text);
          numeric(count.value, count.text);
        }
        break;
      }
      case 'magnitude': {
        const magnitude = entities.magnitudes[0];
        if (magnitude) numeric(magnitude.value, magnitude.text);
        break;
      }
      default: {
        const unreachable: never = parameter.recognise;
        throw new Error(`unknown recognised kind ${String(unreachable)}`);
      }
    }
  }
  return guesses;
}

/**
 * The deterministic plain-English path: scores every template by the keywords (and synonyms) the
 * sentence contains, picks the best (ties go to the earlier template in the catalogue), and reads
 * the parameters it can recognise. No model, no randomness: the same sentence always gives the
 * same match.
 * @example
 * const match = matchSentence('A 3-week strike closes Rotterdam port in March', catalogue);
 * // match.template.name === 'port-strike', match.values → { port: 'Rotterdam', duration_days: 21, month: 'March' }
 */
export function matchSentence(sentence: string, catalogue: TemplateCatalogue): SentenceMatch {
  const templates = catalogue.list();
  const keywords = templates.flatMap((template) =>
    template.keywords.filter((keyword) => !keyword.includes(' ')),
  );
  const isKeyword = (word: string) =>
    keywords.some((keyword) => keywordHits(keyword.toLowerCase(), [word], word));
  const entities = findEntities(sentence, isKeyword);
  const scored = templates
    .map((template, index) => ({ template, index, ...scoreTemplate(template, entities, sentence) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
  const best = scored[0];
  if (!best) throw new Error('the template catalogue is empty');
  const guesses = guessParameters(best.template, entities);
  const values = Object.fromEntries(guesses.map((guess) => [guess.parameter, guess.value]));
  return {
    template: best.template,
    score: best.score,
    matchedKeywords: best.matched,
    alternatives: scored.slice(1, 4).map((entry) => ({ name: entry.template.name, score: entry.score })),
    values,
    guesses,
    defaults: Object.keys(best.template.parameters).filter((name) => !(name in values)),
  };
}
