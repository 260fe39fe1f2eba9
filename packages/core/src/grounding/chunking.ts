import type { DocumentSection } from './document-reader';

/** A retrievable piece of a document, with where it came from for citing. */
export interface Passage {
  /** Unique in an index: `<document>#<n>`. */
  id: string;
  /** The document's name as the scenario lists it (relative path). */
  document: string;
  /** 1-based PDF page, when the document has pages. */
  page?: number;
  /** Heading or sheet the passage sits under. */
  section?: string;
  text: string;
}

function pieces(text: string, limit: number): string[] {
  const paragraphs = text.split(/\n\s*\n|\n(?=\d+\.\s)/).map((part) => part.replace(/\s*\n\s*/g, ' ').trim());
  const result: string[] = [];
  for (const paragraph of paragraphs) {
    if (paragraph === '') continue;
    if (paragraph.length <= limit) {
      result.push(paragraph);
      continue;
    }
    // An over-long paragraph is cut at sentence ends, so a citation never starts mid-sentence.
    let current = '';
    for (const sentence of paragraph.split(/(?<=[.!?])\s+/)) {
      if (current && current.length + sentence.length + 1 > limit) {
        result.push(current);
        current = '';
      }
      current = current ? `${current} ${sentence}` : sentence;
      while (current.length > limit) {
        result.push(current.slice(0, limit));
        current = current.slice(limit);
      }
    }
    if (current) result.push(current);
  }
  return result;
}

/**
 * Cuts a document's sections into passages of about `limit` characters: paragraphs (and numbered
 * clauses) are kept whole and joined while they fit; a passage never spans two pages or sections.
 */
export function chunkDocument(
  document: string,
  sections: readonly DocumentSection[],
  limit: number,
): Passage[] {
  const passages: Passage[] = [];
  for (const section of sections) {
    let current = '';
    const push = () => {
      if (!current) return;
      passages.push({
        id: `${document}#${passages.length + 1}`,
        document,
        ...(section.page !== undefined ? { page: section.page } : {}),
        ...(section.section ? { section: section.section } : {}),
        text: current,
      });
      current = '';
    };
    for (const piece of pieces(section.text, limit)) {
      if (current && current.length + piece.length + 1 > limit) push();
      current = current ? `${current}\n${piece}` : piece;
    }
    push();
  }
  return passages;
}

/** How a passage is cited: `supply-agreement.pdf p.3` or `policy.docx § Safety stock`. */
export function citationOf(passage: Pick<Passage, 'document' | 'page' | 'section'>): string {
  if (passage.page !== undefined) return `${passage.document} p.${passage.page}`;
  if (passage.section) return `${passage.document} § ${passage.section}`;
  return passage.document;
}
