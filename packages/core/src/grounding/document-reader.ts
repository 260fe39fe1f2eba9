import { extractText, getDocumentProxy } from 'unpdf';
import type { WorldFileFormat } from './file-format';
import { GroundingError } from './grounding-error';
import { readTables } from './tabular-reader';

/** A stretch of a document with its place: a PDF page, a heading's section, a sheet. */
export interface DocumentSection {
  text: string;
  /** 1-based PDF page. */
  page?: number;
  /** The heading (DOCX, Markdown) or sheet (XLSX) the text sits under. */
  section?: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function htmlText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return entities[name.toLowerCase()] ?? whole;
    })
    .trim();
}

/** Sections from a list of (heading level or 0 for body, text) blocks: each heading opens one. */
function sectionsFromBlocks(blocks: Array<{ level: number; text: string }>): DocumentSection[] {
  const sections: DocumentSection[] = [];
  const trail: string[] = [];
  let body: string[] = [];
  const flush = () => {
    if (body.length === 0) return;
    const section = trail.filter(Boolean).join(' › ');
    sections.push({ text: body.join('\n\n'), ...(section ? { section } : {}) });
    body = [];
  };
  for (const block of blocks) {
    if (block.text === '') continue;
    if (block.level > 0) {
      flush();
      trail.length = block.level - 1;
      trail[block.level - 1] = block.text;
    } else body.push(block.text);
  }
  flush();
  return sections;
}

async function pdfSections(file: string, bytes: Uint8Array): Promise<DocumentSection[]> {
  try {
    // verbosity 0: pdf.js reports problems by throwing, not on the console.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    const { text } = await extractText(pdf, { mergePages: false });
    return text
      .map((pageText, index) => ({ text: pageText.replace(/[ \t]+\n/g, '\n').trim(), page: index + 1 }))
      .filter((section) => section.text !== '');
  } catch (error) {
    const reason = (error as Error).message ?? String(error);
    if (/password/i.test(reason)) {
      throw new GroundingError('WORLD_FILE_ENCRYPTED', file, 'is a password-protected PDF', { cause: error });
    }
    throw new GroundingError('WORLD_FILE_CORRUPT', file, `cannot be read as PDF (${reason})`, {
      cause: error,
    });
  }
}

async function docxSections(file: string, bytes: Uint8Array): Promise<DocumentSection[]> {
  const { default: mammoth } = await import('mammoth');
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch (error) {
    throw new GroundingError(
      'WORLD_FILE_CORRUPT',
      file,
      `cannot be read as DOCX (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const blocks: Array<{ level: number; text: string }> = [];
  for (const match of html.matchAll(/<(h[1-6]|p|li|td)\b[^>]*>([\s\S]*?)<\/\1>/gi)) {
    const tag = (match[1] as string).toLowerCase();
    blocks.push({
      level: tag.startsWith('h') ? Number(tag.slice(1)) : 0,
      text: htmlText(match[2] as string),
    });
  }
  return sectionsFromBlocks(blocks);
}

function markdownSections(text: string): DocumentSection[] {
  const blocks: Array<{ level: number; text: string }> = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ level: 0, text: paragraph.join(' ').trim() });
    paragraph = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ level: (heading[1] as string).length, text: (heading[2] as string).trim() });
    } else if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return sectionsFromBlocks(blocks);
}

/**
 * Reads a document into sections that keep their place: PDF by page, DOCX and Markdown by
 * heading, text by paragraph, tables row by row (one section per sheet).
 * @throws {GroundingError} WORLD_FILE_CORRUPT or WORLD_FILE_ENCRYPTED when the file cannot be read
 */
export async function readDocument(
  file: string,
  bytes: Uint8Array,
  format: WorldFileFormat,
): Promise<DocumentSection[]> {
  switch (format) {
    case 'pdf':
      return pdfSections(file, bytes);
    case 'docx':
      return docxSections(file, bytes);
    case 'markdown':
      return markdownSections(Buffer.from(bytes).toString('utf8'));
    case 'text':
      return markdownSections(Buffer.from(bytes).toString('utf8').replace(/^#/gm, '\\#'));
    case 'csv':
    case 'xlsx':
    case 'json': {
      const { tables } = await readTables(file, bytes, format);
      return tables.map((table) => ({
        text: table.rows
          .map((row) =>
            Object.entries(row)
              .filter(([, value]) => value !== null && value !== '')
              .map(([header, value]) => `${header}: ${value}`)
              .join('; '),
          )
          .join('\n'),
        ...(table.sheet ? { section: table.sheet } : {}),
      }));
    }
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}
