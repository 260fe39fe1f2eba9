import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument, citationOf } from './chunking';
import { PassageIndex } from './document-index';
import { DocumentsDefinition } from './grounding-schema';
import { buildWorld } from './world-builder';

const examples = fileURLToPath(new URL('../../../../scenarios/examples/', import.meta.url));

describe('retrieval over the sample company documents', () => {
  let index: PassageIndex;

  beforeAll(async () => {
    ({ documents: index } = await buildWorld({
      baseDirectory: examples,
      documents: DocumentsDefinition.parse({ files: ['company'] }),
    }));
  });

  it.each([
    [
      'what happens to the contract if a strike closes the port',
      'company/supply-agreement-andes-cocoa.pdf p.3',
    ],
    ['penalty for late delivery', 'company/supply-agreement-andes-cocoa.pdf p.2'],
    [
      'how many days of safety stock must we keep',
      'company/procurement-policy.docx § Procurement policy › Safety stock',
    ],
    [
      'who approves a large spot purchase',
      'company/procurement-policy.docx § Procurement policy › Approval thresholds',
    ],
    [
      'divert containers to Antwerp',
      'company/operations-note.md § Operations note: Rotterdam exposure › Alternative routes',
    ],
    ['Nordbake Industrial annual volume', 'company/company-data.xlsx § Customers'],
  ])('"%s" → %s', (query, citation) => {
    expect(index.query(query, 1)[0]?.citation).toBe(citation);
  });

  it('ranks deterministically and returns nothing for an empty query', () => {
    expect(index.query('cocoa', 5)).toEqual(index.query('cocoa', 5));
    expect(index.query('   ', 3)).toEqual([]);
  });
});

describe('chunking', () => {
  it('keeps passages within a page and under the size, cutting at sentence ends', () => {
    const long = Array.from(
      { length: 12 },
      (_, index) => `Sentence number ${index + 1} is about cocoa.`,
    ).join(' ');
    const passages = chunkDocument(
      'contract.pdf',
      [
        { text: long, page: 4 },
        { text: 'Short second page.', page: 5 },
      ],
      200,
    );
    expect(passages.every((passage) => passage.text.length <= 200)).toBe(true);
    expect(
      passages
        .filter((passage) => passage.page === 4)
        .map((passage) => passage.text)
        .join(' '),
    ).toBe(long);
    expect(passages.every((passage) => /^Sentence|^Short/.test(passage.text))).toBe(true);
    expect(citationOf(passages.at(-1)!)).toBe('contract.pdf p.5');
  });

  it('gives every passage a unique id in one index', () => {
    const passages = chunkDocument(
      'a.md',
      [
        { text: 'one\n\ntwo', section: 'A' },
        { text: 'three', section: 'B' },
      ],
      3,
    );
    const index = new PassageIndex(passages);
    expect(index.size).toBe(passages.length);
    expect(new Set(passages.map((passage) => passage.id)).size).toBe(passages.length);
  });
});
