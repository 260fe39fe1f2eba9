import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { chunkDocument, type Passage } from './chunking';
import { mapTable } from './column-mapping';
import { PassageIndex } from './document-index';
import { readDocument } from './document-reader';
import { detectFormat, isKnownExtension, tabularFormats, type WorldFileFormat } from './file-format';
import { GroundingError, type GroundingWarning, warningOf } from './grounding-error';
import type { DataDefinition, DocumentsDefinition } from './grounding-schema';
import { readTables } from './tabular-reader';
import { buildSnapshot, type WorldSnapshot } from './world-snapshot';

/** A document that was read, for the report. */
export interface DocumentSummary {
  document: string;
  format: WorldFileFormat;
  passages: number;
  /** Pages (PDF) or sections read. */
  parts: number;
}

/** Everything built from a scenario's world files. */
export interface BuiltWorld {
  snapshot: WorldSnapshot;
  documents: PassageIndex;
  summaries: DocumentSummary[];
  /** One per file that could not be used, or was used with a caveat; the rest of the world still built. */
  warnings: GroundingWarning[];
}

/** Where the world files are and how to read them. */
export interface WorldFiles {
  /** Paths in `data.files` and `documents.files` are relative to this (the scenario's folder). */
  baseDirectory: string;
  data?: DataDefinition;
  documents?: DocumentsDefinition;
}

const tabularExtensions = new Set(['.csv', '.xlsx', '.json']);

/** @defaultValue used when the scenario has data but no documents block */
const defaultMaxFileBytes = 50 * 1024 * 1024;

/** The files named by `entries`; `listed` collects those named directly rather than found in a folder. */
async function listFiles(
  baseDirectory: string,
  entries: readonly string[],
  warnings: GroundingWarning[],
  listed: Set<string> = new Set(),
): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries) {
    const path = resolve(baseDirectory, entry);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      warnings.push({ code: 'WORLD_FILE_NOT_FOUND', file: entry, message: `not found (looked in ${path})` });
      continue;
    }
    if (!info.isDirectory()) {
      files.push(path);
      listed.add(path);
      continue;
    }
    const names = (await readdir(path, { recursive: true, withFileTypes: true }))
      .filter((item) => item.isFile() && !item.name.startsWith('.'))
      .map((item) => join(item.parentPath, item.name))
      .sort();
    files.push(...names);
  }
  return [...new Set(files)];
}

/**
 * Builds a company's world from its files: tables (CSV, XLSX, JSON) mapped and merged into a
 * frozen {@link WorldSnapshot}; documents (PDF, DOCX, XLSX, CSV, Markdown, text) chunked with
 * their page or section and indexed for `search_documents`. A file that cannot be used — missing,
 * too large, encrypted, corrupt, of an unknown format — becomes a warning naming it, and the rest
 * of the world still builds.
 */
export async function buildWorld(files: WorldFiles): Promise<BuiltWorld> {
  const warnings: GroundingWarning[] = [];
  const maxBytes = files.documents?.max_file_bytes ?? defaultMaxFileBytes;
  const listedData = new Set<string>();
  const dataFiles = files.data
    ? await listFiles(files.baseDirectory, files.data.files, warnings, listedData)
    : [];
  const documentFiles = files.documents
    ? await listFiles(files.baseDirectory, files.documents.files, warnings)
    : [];
  const readable = new Map<string, { name: string; bytes: Uint8Array; format: WorldFileFormat }>();
  const rejected = new Set<string>();

  const open = async (path: string) => {
    if (readable.has(path) || rejected.has(path)) return readable.get(path);
    const name = relative(files.baseDirectory, path) || path;
    try {
      // The extension is checked before reading, so an unknown 200 MB file is never loaded.
      if (!isKnownExtension(path)) detectFormat(name, new Uint8Array());
      const size = (await stat(path)).size;
      if (size > maxBytes) {
        throw new GroundingError(
          'WORLD_FILE_TOO_LARGE',
          name,
          `is ${size.toLocaleString('en-GB')} bytes, over the limit of ${maxBytes.toLocaleString('en-GB')} (documents.max_file_bytes); skipped`,
        );
      }
      const bytes = new Uint8Array(await readFile(path));
      const entry = { name, bytes, format: detectFormat(name, bytes) };
      readable.set(path, entry);
      return entry;
    } catch (error) {
      if (!(error instanceof GroundingError)) throw error;
      rejected.add(path);
      warnings.push(warningOf(error));
      return undefined;
    }
  };

  const tables: Parameters<typeof buildSnapshot>[0] extends ReadonlyArray<infer Item> ? Item[] : never = [];
  for (const path of dataFiles) {
    // A data folder may hold documents too: those are for the documents block, not an error here.
    if (
      !listedData.has(path) &&
      isKnownExtension(path) &&
      !tabularExtensions.has(extname(path).toLowerCase())
    ) {
      continue;
    }
    const entry = await open(path);
    if (!entry) continue;
    if (!tabularFormats.has(entry.format)) {
      if (!documentFiles.includes(path)) {
        warnings.push({
          code: 'WORLD_TABLE_UNMAPPED',
          file: entry.name,
          message: `is a ${entry.format} document, not a table; list it under documents`,
        });
      }
      continue;
    }
    try {
      const reading = await readTables(entry.name, entry.bytes, entry.format);
      warnings.push(...reading.warnings);
      for (const table of reading.tables) {
        const key = table.sheet ? `${table.file}#${table.sheet}` : table.file;
        const override =
          files.data?.mapping[key] ?? (table.sheet ? undefined : files.data?.mapping[table.file]);
        tables.push({ table, mapping: mapTable(table, override, warnings) });
      }
    } catch (error) {
      if (!(error instanceof GroundingError)) throw error;
      warnings.push(warningOf(error));
    }
  }
  const snapshot = buildSnapshot(tables, warnings);

  const passages: Passage[] = [];
  const summaries: DocumentSummary[] = [];
  for (const path of documentFiles) {
    const entry = await open(path);
    if (!entry) continue;
    try {
      const sections = await readDocument(entry.name, entry.bytes, entry.format);
      const chunks = chunkDocument(entry.name, sections, files.documents?.chunk_characters ?? 900);
      if (chunks.length === 0) {
        warnings.push({
          code: 'WORLD_FILE_CORRUPT',
          file: entry.name,
          message: 'holds no text (a scanned PDF needs OCR first)',
        });
      }
      passages.push(...chunks);
      summaries.push({
        document: entry.name,
        format: entry.format,
        passages: chunks.length,
        parts: sections.length,
      });
    } catch (error) {
      if (!(error instanceof GroundingError)) throw error;
      warnings.push(warningOf(error));
    }
  }
  return { snapshot, documents: new PassageIndex(passages), summaries, warnings };
}
