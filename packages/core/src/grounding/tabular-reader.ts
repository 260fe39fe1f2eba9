import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { WorldFileFormat } from './file-format';
import { GroundingError, type GroundingWarning } from './grounding-error';

/** A cell value after reading: numbers stay numbers, dates become ISO dates, the rest text. */
export type CellValue = string | number | boolean | null;

/** One table read from a file: a CSV, one XLSX sheet, or one array of a JSON file. */
export interface RawTable {
  /** The file as the scenario names it. */
  file: string;
  /** The sheet (XLSX) or key (JSON object of arrays), when the file holds several tables. */
  sheet?: string;
  headers: string[];
  rows: Array<Record<string, CellValue>>;
}

/** What reading a file's tables produced. */
export interface TableReading {
  tables: RawTable[];
  warnings: GroundingWarning[];
}

function cellValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.trim();
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('result' in value) return cellValue(value.result as ExcelJS.CellValue);
    if ('richText' in value)
      return value.richText
        .map((part) => part.text)
        .join('')
        .trim();
    if ('text' in value) return String(value.text).trim();
    if ('error' in value) return null;
  }
  return String(value);
}

function rowValues(sheet: ExcelJS.Worksheet, rowNumber: number, columns: number): CellValue[] {
  const row = sheet.getRow(rowNumber);
  return Array.from({ length: columns }, (_, index) => cellValue(row.getCell(index + 1).value));
}

/** Merged ranges (`A1:C1`) that touch the first row: a two-level header. */
function headerMerges(sheet: ExcelJS.Worksheet): string[] {
  const merges = (sheet.model as { merges?: string[] }).merges ?? [];
  return merges.filter((range) => /^[A-Z]+1:/.test(range));
}

function sheetTable(
  file: string,
  sheet: ExcelJS.Worksheet,
  warnings: GroundingWarning[],
  named: boolean,
): RawTable | undefined {
  const columns = sheet.actualColumnCount > 0 ? sheet.columnCount : 0;
  if (columns === 0 || sheet.rowCount === 0) return undefined;
  let headers: string[];
  let firstDataRow = 2;
  const merges = headerMerges(sheet);
  const where = named ? `${file}#${sheet.name}` : file;
  if (merges.length > 0) {
    // A merged top row groups the columns below it ("Volume" over "Monthly" and "Annual"): the
    // header is the two rows read together, since either row alone names the columns ambiguously.
    const top = rowValues(sheet, 1, columns);
    const second = rowValues(sheet, 2, columns);
    let group = '';
    headers = top.map((value, index) => {
      const master = sheet.getRow(1).getCell(index + 1).master;
      const topText = value === null ? (master ? String(cellValue(master.value) ?? '') : '') : String(value);
      if (topText) group = topText;
      const below = second[index] === null ? '' : String(second[index]);
      return [topText || group, below].filter(Boolean).join(' ').trim();
    });
    firstDataRow = 3;
    warnings.push({
      code: 'WORLD_TABLE_MERGED_HEADER',
      file: where,
      message: `merged header cells (${merges.join(', ')}): read rows 1–2 together as the header (${headers.filter(Boolean).join(', ')}); check the mapping or flatten the header`,
    });
  } else {
    headers = rowValues(sheet, 1, columns).map((value) => (value === null ? '' : String(value)));
  }
  const used = headers.map((header, index) => header || `column ${index + 1}`);
  const rows: Array<Record<string, CellValue>> = [];
  for (let rowNumber = firstDataRow; rowNumber <= sheet.rowCount; rowNumber++) {
    const values = rowValues(sheet, rowNumber, columns);
    if (values.every((value) => value === null || value === '')) continue;
    rows.push(Object.fromEntries(used.map((header, index) => [header, values[index] ?? null])));
  }
  return { file, ...(named ? { sheet: sheet.name } : {}), headers: used, rows };
}

function jsonTables(file: string, bytes: Uint8Array): RawTable[] {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new GroundingError('WORLD_FILE_CORRUPT', file, `is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const arrays: Array<[string | undefined, unknown[]]> = Array.isArray(data)
    ? [[undefined, data]]
    : typeof data === 'object' && data !== null
      ? Object.entries(data).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]))
      : [];
  return arrays.flatMap(([key, items]) => {
    const rows = items
      .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
      .map((item) =>
        Object.fromEntries(
          Object.entries(item).map(([name, value]) => [
            name,
            typeof value === 'number' ||
            typeof value === 'boolean' ||
            typeof value === 'string' ||
            value === null
              ? value
              : JSON.stringify(value),
          ]),
        ),
      );
    if (rows.length === 0) return [];
    const headers = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    return [{ file, ...(key ? { sheet: key } : {}), headers, rows }];
  });
}

/**
 * Reads the tables of a CSV, XLSX or JSON file. The first row is the header; a header with merged
 * cells is read as two rows and reported.
 * @throws {GroundingError} WORLD_FILE_CORRUPT when the file cannot be parsed
 */
export async function readTables(
  file: string,
  bytes: Uint8Array,
  format: WorldFileFormat,
): Promise<TableReading> {
  const warnings: GroundingWarning[] = [];
  if (format === 'json') return { tables: jsonTables(file, bytes), warnings };
  // Loaded on first use: a world without tables (and every other command) never pays for it.
  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  try {
    if (format === 'csv') await book.csv.read(Readable.from([Buffer.from(bytes)]));
    else if (format === 'xlsx') await book.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    else return { tables: [], warnings };
  } catch (error) {
    throw new GroundingError(
      'WORLD_FILE_CORRUPT',
      file,
      `cannot be read as ${format.toUpperCase()} (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const named = format === 'xlsx' && book.worksheets.length > 1;
  const tables = book.worksheets.flatMap((sheet) => sheetTable(file, sheet, warnings, named) ?? []);
  return { tables, warnings };
}
