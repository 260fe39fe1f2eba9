import { basename } from 'node:path';
import type { GroundingWarning } from './grounding-error';
import type { TableMappingOverride } from './grounding-schema';
import type { CellValue, RawTable } from './tabular-reader';

/** What a table lists. */
export type TableKind = 'suppliers' | 'customers' | 'inventory' | 'prices' | 'contracts';

type FieldType = 'text' | 'number' | 'fraction';

interface FieldSpec {
  type: FieldType;
  /** Header words that name this field, most specific first. */
  synonyms: string[];
  required?: boolean;
}

/**
 * The snapshot's fields per table kind, with the header words that name them. A header matches a
 * field when its words contain a synonym; values must fit the field's type (mostly numbers for a
 * number field), so "Contract" text is never taken for a price.
 */
export const tableFields: Record<TableKind, Record<string, FieldSpec>> = {
  suppliers: {
    name: {
      type: 'text',
      synonyms: ['supplier name', 'supplier', 'vendor', 'company', 'name'],
      required: true,
    },
    country: { type: 'text', synonyms: ['country', 'origin', 'location'] },
    commodity: { type: 'text', synonyms: ['commodity', 'material', 'product', 'item', 'category'] },
    volume: {
      type: 'number',
      synonyms: ['monthly volume', 'volume', 'quantity', 'qty', 'tonnes', 'capacity'],
    },
    price: { type: 'number', synonyms: ['unit price', 'price', 'cost', 'rate'] },
    lead_time_days: { type: 'number', synonyms: ['lead time', 'lead', 'days'] },
    reliability: {
      type: 'fraction',
      synonyms: ['on time', 'otif', 'reliability', 'service level', 'fill rate'],
    },
    contract: { type: 'text', synonyms: ['contract', 'agreement', 'reference'] },
  },
  customers: {
    name: {
      type: 'text',
      synonyms: ['customer name', 'customer', 'client', 'account', 'name'],
      required: true,
    },
    segment: { type: 'text', synonyms: ['segment', 'channel', 'type', 'tier'] },
    volume: { type: 'number', synonyms: ['annual volume', 'volume', 'quantity', 'qty', 'demand'] },
    price: { type: 'number', synonyms: ['price per tonne', 'price', 'unit price', 'revenue per'] },
    region: { type: 'text', synonyms: ['region', 'country', 'market', 'location'] },
  },
  inventory: {
    sku: { type: 'text', synonyms: ['sku', 'item code', 'part number', 'code', 'id'], required: true },
    item: { type: 'text', synonyms: ['item', 'description', 'product', 'material', 'name'] },
    on_hand: { type: 'number', synonyms: ['on hand', 'stock', 'quantity', 'qty', 'inventory', 'balance'] },
    daily_usage: { type: 'number', synonyms: ['daily usage', 'usage', 'consumption', 'burn', 'demand'] },
    location: { type: 'text', synonyms: ['warehouse', 'location', 'site', 'plant'] },
  },
  prices: {
    commodity: {
      type: 'text',
      synonyms: ['commodity', 'item', 'product', 'material', 'name'],
      required: true,
    },
    price: {
      type: 'number',
      synonyms: ['baseline price', 'baseline', 'price', 'spot', 'value'],
      required: true,
    },
    unit: { type: 'text', synonyms: ['unit', 'per', 'uom'] },
    currency: { type: 'text', synonyms: ['currency', 'ccy'] },
  },
  contracts: {
    id: {
      type: 'text',
      synonyms: ['contract id', 'contract', 'agreement', 'reference', 'id'],
      required: true,
    },
    counterparty: { type: 'text', synonyms: ['counterparty', 'supplier', 'customer', 'party', 'vendor'] },
    commodity: { type: 'text', synonyms: ['commodity', 'product', 'material', 'item'] },
    volume: { type: 'number', synonyms: ['volume', 'quantity', 'qty'] },
    price: { type: 'number', synonyms: ['price', 'rate', 'unit price'] },
    start: { type: 'text', synonyms: ['start', 'from', 'effective'] },
    end: { type: 'text', synonyms: ['end', 'until', 'expiry', 'expires'] },
  },
};

/** Words in a file or sheet name that suggest a kind. */
const kindWords: Record<TableKind, string[]> = {
  suppliers: ['supplier', 'vendor', 'sourcing'],
  customers: ['customer', 'client', 'account', 'sales'],
  inventory: ['inventory', 'stock', 'warehouse'],
  prices: ['price', 'commodity', 'baseline', 'market'],
  contracts: ['contract', 'agreement'],
};

/** How a table was understood: its kind and which column holds each field. */
export interface TableMapping {
  file: string;
  sheet?: string;
  kind: TableKind | 'ignore';
  /** Field → column header. */
  columns: Record<string, string>;
  /** Headers no field took. */
  unmapped: string[];
  /** `inferred` from headers and values, or `override` from the scenario's `data.mapping`. */
  source: 'inferred' | 'override';
}

/** Header text reduced to lowercase words: units in parentheses and punctuation dropped. */
export function normaliseHeader(header: string): string {
  return header
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** A number read from a cell: `7,950`, `€7950`, `92%` (→ 0.92 when `fraction`). */
export function numberFrom(value: CellValue, type: FieldType = 'number'): number | undefined {
  if (typeof value === 'number')
    return type === 'fraction' && value > 1 && value <= 100 ? value / 100 : value;
  if (typeof value !== 'string') return undefined;
  // Only what reads as a number: an optional currency sign or code, digits with thousands commas,
  // an optional percent sign. "CB-100" or "HVF-2026-014" are codes, not numbers.
  const trimmed = value.trim();
  const percent = trimmed.endsWith('%');
  const bare = trimmed
    .replace(/^(?:[€$£¥]|[A-Z]{3}\s)\s*/, '')
    .replace(/%$/, '')
    .trim();
  if (!/^-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$/.test(bare) || !/\d/.test(bare)) return undefined;
  const parsed = Number(bare.replace(/,/g, ''));
  if (!Number.isFinite(parsed)) return undefined;
  return percent || (type === 'fraction' && parsed > 1 && parsed <= 100) ? parsed / 100 : parsed;
}

function fitsType(table: RawTable, header: string, type: FieldType): boolean {
  const values = table.rows.map((row) => row[header]).filter((value) => value !== null && value !== '');
  if (values.length === 0) return true;
  const numeric = values.filter((value) => numberFrom(value as CellValue) !== undefined).length;
  return type === 'text' ? numeric < values.length : numeric / values.length >= 0.8;
}

function matchColumns(table: RawTable, kind: TableKind): { columns: Record<string, string>; score: number } {
  const columns: Record<string, string> = {};
  const taken = new Set<string>();
  let score = 0;
  for (const [field, spec] of Object.entries(tableFields[kind])) {
    let best: { header: string; rank: number } | undefined;
    for (const header of table.headers) {
      if (taken.has(header)) continue;
      const words = ` ${normaliseHeader(header)} `;
      const rank = spec.synonyms.findIndex((synonym) => words.includes(` ${synonym} `));
      if (rank === -1 || !fitsType(table, header, spec.type)) continue;
      if (!best || rank < best.rank) best = { header, rank };
    }
    if (best) {
      columns[field] = best.header;
      taken.add(best.header);
      score += spec.required ? 2 : 1;
    } else if (spec.required) score -= 2;
  }
  return { columns, score };
}

/**
 * Infers what a table lists and where its fields are, from the file and sheet name, the header
 * words and the values' types; applies the scenario's override when there is one.
 */
export function mapTable(
  table: RawTable,
  override: TableMappingOverride | undefined,
  warnings: GroundingWarning[],
): TableMapping {
  const where = table.sheet ? `${table.file}#${table.sheet}` : table.file;
  const nameWords = `${basename(table.file)} ${table.sheet ?? ''}`.toLowerCase();
  let kind: TableKind | 'ignore' | undefined = override?.kind;
  let columns: Record<string, string> = {};
  if (kind === undefined) {
    let best: { kind: TableKind; score: number } | undefined;
    for (const candidate of Object.keys(tableFields) as TableKind[]) {
      const { score } = matchColumns(table, candidate);
      const named = kindWords[candidate].some((word) => nameWords.includes(word)) ? 3 : 0;
      if (!best || score + named > best.score) best = { kind: candidate, score: score + named };
    }
    if (best && best.score >= 3) kind = best.kind;
  }
  if (kind === undefined) {
    warnings.push({
      code: 'WORLD_TABLE_UNMAPPED',
      file: where,
      message: `could not tell what this table lists (headers: ${table.headers.join(', ')}); set data.mapping["${where}"].kind`,
    });
    return {
      file: table.file,
      ...(table.sheet ? { sheet: table.sheet } : {}),
      kind: 'ignore',
      columns: {},
      unmapped: table.headers,
      source: 'inferred',
    };
  }
  if (kind !== 'ignore') {
    columns = { ...matchColumns(table, kind).columns };
    for (const [field, header] of Object.entries(override?.columns ?? {})) {
      if (!table.headers.includes(header)) {
        warnings.push({
          code: 'WORLD_COLUMN_NOT_FOUND',
          file: where,
          message: `data.mapping sets ${field} to column "${header}", which the table does not have (headers: ${table.headers.join(', ')})`,
        });
        continue;
      }
      for (const [other, taken] of Object.entries(columns)) if (taken === header) delete columns[other];
      columns[field] = header;
    }
    const missing = Object.entries(tableFields[kind])
      .filter(([field, spec]) => spec.required && !columns[field])
      .map(([field]) => field);
    if (missing.length > 0) {
      warnings.push({
        code: 'WORLD_COLUMN_NOT_FOUND',
        file: where,
        message: `read as ${kind} but no column for ${missing.join(', ')}; rows are skipped — map it in data.mapping["${where}"].columns`,
      });
    }
  }
  const used = new Set(Object.values(columns));
  return {
    file: table.file,
    ...(table.sheet ? { sheet: table.sheet } : {}),
    kind,
    columns,
    unmapped: table.headers.filter((header) => !used.has(header)),
    source: override ? 'override' : 'inferred',
  };
}

/** The field's value in a row, typed: numbers parsed, text trimmed; undefined when empty. */
export function fieldValue(
  row: Record<string, CellValue>,
  mapping: TableMapping,
  field: string,
): string | number | undefined {
  if (mapping.kind === 'ignore') return undefined;
  const header = mapping.columns[field];
  if (!header) return undefined;
  const value = row[header];
  if (value === null || value === undefined || value === '') return undefined;
  const spec = tableFields[mapping.kind][field];
  if (spec && spec.type !== 'text') return numberFrom(value, spec.type);
  return String(value);
}
