/**
 * The values a plain-English sentence names that a template parameter can take: places, months,
 * durations, percentages, money amounts, counts of things and earthquake magnitudes. Pattern-based
 * and deterministic; every value keeps the words it came from, so the user sees what was read.
 */

/** A duration in days (hours as fractions), with the words it came from. */
export interface FoundDuration {
  days: number;
  text: string;
}

/** A number with the words it came from. */
export interface FoundNumber {
  value: number;
  text: string;
}

/** A number followed by a noun ("8 boats"). */
export interface FoundCount extends FoundNumber {
  /** The noun, lower case, as written. */
  noun: string;
}

/** Everything recognised in one sentence. */
export interface SentenceEntities {
  places: string[];
  months: string[];
  durations: FoundDuration[];
  percents: FoundNumber[];
  /** Money, in millions. */
  amounts: FoundNumber[];
  counts: FoundCount[];
  magnitudes: FoundNumber[];
  /** Lower-case words of the sentence, in order. */
  words: string[];
}

const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const numberWords: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  hundred: 100,
  dozen: 12,
};
const unitDays: Record<string, number> = {
  hour: 1 / 24,
  day: 1,
  week: 7,
  fortnight: 14,
  month: 30,
  year: 365,
};
/** Capitalised words that start sentences or name institutions rather than places. */
const notPlaces = new Set([
  'a',
  'an',
  'the',
  'in',
  'on',
  'at',
  'if',
  'what',
  'when',
  'after',
  'before',
  'during',
  'as',
  'our',
  'my',
  'we',
  'i',
  'it',
  'this',
  'that',
  'there',
  'how',
  'will',
  'would',
  'suppose',
  'imagine',
  'simulate',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'spring',
  'summer',
  'autumn',
  'winter',
  'ceo',
  'un',
  'gdpr',
  'ai',
]);

const numberPattern = String.raw`(\d[\d,]*(?:\.\d+)?|${Object.keys(numberWords).join('|')})`;

function readNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower in numberWords) return numberWords[lower] as number;
  return Number(lower.replace(/,/g, ''));
}

function findPlaces(sentence: string, isKeyword: (word: string) => boolean): string[] {
  const places: string[] = [];
  // Sequences of capitalised words, joined by "of"/"de"/"la" inside names ("Port of Spain").
  const pattern = /\b([A-Z][\p{L}'’-]+(?:\s+(?:of\s+|de\s+|la\s+)?[A-Z][\p{L}'’-]+)*)/gu;
  for (const match of sentence.matchAll(pattern)) {
    const tokens = (match[1] as string).split(/\s+/);
    // Drop leading words that are not names: sentence openers, months and — at the start of a
    // sentence, where every word is capitalised — a word a template keys on ("Flooding in …").
    const sentenceStart = /(^|[.!?;:]\s*)$/.test(sentence.slice(0, match.index));
    let position = 0;
    while (tokens.length > 0) {
      const first = (tokens[0] as string).toLowerCase();
      const opener = notPlaces.has(first) || monthNames.some((month) => month.toLowerCase() === first);
      if (!opener && !(sentenceStart && position === 0 && isKeyword(first))) break;
      tokens.shift();
      position += 1;
    }
    // Trailing generic words belong to the template ("Silicon Valley Bank" → "Silicon Valley").
    while (tokens.length > 1) {
      const final = (tokens.at(-1) as string).toLowerCase();
      if (!monthNames.some((month) => month.toLowerCase() === final) && !isKeyword(final)) break;
      tokens.pop();
    }
    const name = tokens.join(' ').replace(/['’]s$/, '');
    if (name.length >= 2 && !places.includes(name)) places.push(name);
  }
  return places;
}

/**
 * Finds the values a sentence names.
 * @param isKeyword whether a lower-case word is one the templates key on ("Strike" at the start
 * of a sentence is not a place)
 * @example
 * findEntities('A 3-week strike closes Rotterdam port in March', (word) => word === 'strike');
 * // places ['Rotterdam'], months ['March'], durations [{ days: 21, text: '3-week' }]
 */
export function findEntities(
  sentence: string,
  isKeyword: (word: string) => boolean = () => false,
): SentenceEntities {
  const words = sentence.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
  const months = monthNames.filter((month) => new RegExp(`\\b${month}\\b`, 'i').test(sentence));
  const durations: FoundDuration[] = [];
  const durationPattern = new RegExp(
    String.raw`\b${numberPattern}[\s-]+(hour|day|week|fortnight|month|year)s?\b`,
    'gi',
  );
  for (const match of sentence.matchAll(durationPattern)) {
    const unit = (match[2] as string).toLowerCase();
    durations.push({ days: readNumber(match[1] as string) * (unitDays[unit] as number), text: match[0] });
  }
  if (durations.length === 0 && /\bfortnight\b/i.test(sentence))
    durations.push({ days: 14, text: 'fortnight' });
  const percents: FoundNumber[] = [];
  for (const match of sentence.matchAll(
    /(\d+(?:\.\d+)?)\s*(%|percent\b|per cent\b|basis points?\b|bps\b|bp\b)/gi,
  )) {
    const basisPoints = /^b/i.test(match[2] as string);
    percents.push({ value: Number(match[1]) / (basisPoints ? 100 : 1), text: match[0] });
  }
  const amounts: FoundNumber[] = [];
  const amountPattern =
    /([$€£]|\b(?:usd|eur|gbp)\s*)?(\d[\d,]*(?:\.\d+)?)\s*(trillion|billion|bn|million|mn|m|thousand|k)?\b\s*(dollars|euros|pounds)?/gi;
  const scale: Record<string, number> = {
    trillion: 1e6,
    billion: 1e3,
    bn: 1e3,
    million: 1,
    mn: 1,
    m: 1,
    thousand: 1e-3,
    k: 1e-3,
  };
  for (const match of sentence.matchAll(amountPattern)) {
    const currency = match[1] ?? match[4];
    if (!currency) continue;
    const magnitude = match[3] ? (scale[match[3].toLowerCase()] as number) : 1e-6;
    amounts.push({
      value: Number((match[2] as string).replace(/,/g, '')) * magnitude,
      text: match[0].trim(),
    });
  }
  const counts: FoundCount[] = [];
  const countPattern = new RegExp(String.raw`\b${numberPattern}\s+(?:[a-z]+\s+)?([a-z]+(?:-[a-z]+)*)`, 'gi');
  for (const match of sentence.matchAll(countPattern)) {
    counts.push({
      value: readNumber(match[1] as string),
      noun: (match[2] as string).toLowerCase(),
      text: match[0],
    });
    // The optional adjective can swallow the noun: also record the word right after the number.
    const next = /^\S+\s+([a-z]+(?:-[a-z]+)*)/i.exec(match[0]);
    if (next?.[1] && next[1].toLowerCase() !== (match[2] as string).toLowerCase()) {
      counts.push({
        value: readNumber(match[1] as string),
        noun: next[1].toLowerCase(),
        text: `${match[1]} ${next[1]}`,
      });
    }
  }
  const magnitudes: FoundNumber[] = [];
  for (const match of sentence.matchAll(
    /\b(?:magnitude|M)\s*-?\s*(\d(?:\.\d)?)\b|\b(\d\.\d)\s*(?:magnitude|quake|earthquake)/g,
  )) {
    magnitudes.push({ value: Number(match[1] ?? match[2]), text: match[0] });
  }
  return {
    places: findPlaces(sentence, isKeyword),
    months,
    durations,
    percents,
    amounts,
    counts,
    magnitudes,
    words,
  };
}
