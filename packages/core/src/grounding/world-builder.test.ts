import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDefinition, DocumentsDefinition } from './grounding-schema';
import { type BuiltWorld, buildWorld } from './world-builder';

const examples = fileURLToPath(new URL('../../../../scenarios/examples/', import.meta.url));

const data = (files: string[], extra: Record<string, unknown> = {}) =>
  DataDefinition.parse({ files, ...extra });
const documents = (files: string[], extra: Record<string, unknown> = {}) =>
  DocumentsDefinition.parse({ files, ...extra });

describe('world builder on the sample company folder', () => {
  it('infers what each table lists and where its fields are, from headers and values', async () => {
    const world = await buildWorld({ baseDirectory: examples, data: data(['company']) });
    expect(world.warnings).toEqual([]);
    const byTable = Object.fromEntries(
      world.snapshot.mappings.map((mapping) => [mapping.sheet ?? mapping.file, mapping]),
    );
    expect(byTable['company/suppliers.csv']).toMatchObject({
      kind: 'suppliers',
      columns: {
        name: 'Supplier Name',
        volume: 'Monthly Volume (t)',
        price: 'Unit Price (EUR)',
        lead_time_days: 'Lead Time (days)',
        reliability: 'On-time Rate',
        contract: 'Contract',
      },
    });
    expect(byTable.Customers).toMatchObject({
      kind: 'customers',
      columns: { name: 'Customer', volume: 'Annual volume (t)' },
    });
    // "CB-100" is a code, not the number -100: the SKU column stays text.
    expect(byTable.Inventory).toMatchObject({
      kind: 'inventory',
      columns: { sku: 'SKU', on_hand: 'On hand (t)' },
    });
    expect(byTable.Prices).toMatchObject({
      kind: 'prices',
      columns: { commodity: 'Commodity', price: 'Baseline price' },
    });

    const andes = world.snapshot.suppliers.find((supplier) => supplier.name === 'Andes Cocoa Cooperative');
    expect(andes).toMatchObject({
      country: 'Peru',
      commodity: 'cocoa',
      volume: 300,
      price: 7950,
      leadTimeDays: 45,
      reliability: 0.92,
      contract: 'HVF-2026-014',
      source: { file: 'company/suppliers.csv', row: 1 },
    });
    expect(world.snapshot.prices.cocoa).toMatchObject({ price: 8200, currency: 'EUR' });
    expect(world.snapshot.inventory.map((item) => [item.sku, item.onHand])).toEqual([
      ['CB-100', 540],
      ['SG-200', 820],
      ['PK-300', 120],
    ]);
  });

  it('freezes the snapshot: nothing can change it after it is built', async () => {
    const world = await buildWorld({ baseDirectory: examples, data: data(['company/suppliers.csv']) });
    const supplier = world.snapshot.suppliers[0] as { volume?: number };
    expect(Object.isFrozen(world.snapshot)).toBe(true);
    expect(() => {
      supplier.volume = 1;
    }).toThrow(TypeError);
    expect(world.snapshot.suppliers[0]?.volume).toBe(300);
  });

  it('takes the scenario’s column override over the inferred mapping, and names a column that does not exist', async () => {
    const world = await buildWorld({
      baseDirectory: examples,
      data: data(['company/suppliers.csv'], {
        mapping: { 'company/suppliers.csv': { columns: { price: 'Lead Time (days)', volume: 'Tonnes' } } },
      }),
    });
    expect(world.snapshot.mappings[0]?.source).toBe('override');
    expect(world.snapshot.suppliers[0]?.price).toBe(45);
    expect(world.warnings).toEqual([
      expect.objectContaining({
        code: 'WORLD_COLUMN_NOT_FOUND',
        file: 'company/suppliers.csv',
        message: expect.stringContaining('"Tonnes"'),
      }),
    ]);
  });

  it('reads every document with its pages and sections', async () => {
    const world = await buildWorld({ baseDirectory: examples, documents: documents(['company']) });
    expect(world.warnings).toEqual([]);
    const formats = Object.fromEntries(world.summaries.map((summary) => [summary.document, summary.format]));
    expect(formats).toEqual({
      'company/company-data.xlsx': 'xlsx',
      'company/operations-note.md': 'markdown',
      'company/procurement-policy.docx': 'docx',
      'company/suppliers.csv': 'csv',
      'company/supply-agreement-andes-cocoa.pdf': 'pdf',
    });
    const pdf = world.documents.all().filter((passage) => passage.document.endsWith('.pdf'));
    expect(pdf.map((passage) => passage.page)).toEqual([1, 2, 3]);
    expect(pdf[2]?.text).toContain('A port closure or strike lasting more than 14 days is force majeure');
    const policy = world.documents.all().filter((passage) => passage.document.endsWith('.docx'));
    expect(policy.map((passage) => passage.section)).toEqual([
      'Procurement policy › Safety stock',
      'Procurement policy › Approval thresholds',
      'Procurement policy › Supplier diversification',
    ]);
  });
});

describe('JSON tables', () => {
  it('reads an object of arrays as one table per key, with contracts and percentages', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sandtable-json-'));
    try {
      await writeFile(
        join(folder, 'erp-export.json'),
        JSON.stringify({
          vendors: [{ vendor: 'Delta Oils', product: 'Palm oil', qty: '1,200', price: '€ 910', otif: '88%' }],
          contracts: [
            { 'contract id': 'C-77', counterparty: 'Delta Oils', volume: 1200, expiry: '2027-03-31' },
          ],
        }),
      );
      const world = await buildWorld({ baseDirectory: folder, data: data(['erp-export.json']) });
      expect(world.warnings).toEqual([]);
      expect(world.snapshot.suppliers).toEqual([
        expect.objectContaining({
          name: 'Delta Oils',
          commodity: 'palm oil',
          volume: 1200,
          price: 910,
          reliability: 0.88,
        }),
      ]);
      expect(world.snapshot.contracts).toEqual([
        expect.objectContaining({ id: 'C-77', counterparty: 'Delta Oils', volume: 1200, end: '2027-03-31' }),
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('bad input: each file gets a warning naming it, and the rest of the world still builds', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sandtable-bad-input-'));
    await writeFile(join(folder, 'good.md'), '# Note\n\nThe warehouse in Antwerp holds sugar.\n');
    await writeFile(
      join(folder, 'broken.pdf'),
      '%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref\n',
    );
    // An encrypted OOXML file is an OLE compound file: D0 CF 11 E0 A1 B1 1A E1, then sectors.
    await writeFile(
      join(folder, 'locked.docx'),
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]),
    );
    await writeFile(join(folder, 'big.txt'), 'x'.repeat(20_000));
    await writeFile(join(folder, 'slides.pptx'), 'PK\u0003\u0004 not read');
    await writeFile(join(folder, 'renamed.xlsx'), 'Supplier,Volume\nA,1\n');
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Suppliers');
    sheet.addRow(['Supplier', 'Volume', '', 'Price']);
    sheet.addRow(['', 'Monthly (t)', 'Annual (t)', 'EUR per t']);
    sheet.addRow(['Atlas Grain', 120, 1440, 310]);
    sheet.addRow(['Baltic Mills', 80, 960, 295]);
    sheet.mergeCells('B1:C1');
    sheet.mergeCells('A1:A2');
    await book.xlsx.writeFile(join(folder, 'merged.xlsx'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  let built: Promise<BuiltWorld> | undefined;
  /** One build for all the cases: each asserts on its own file. */
  function build(): Promise<BuiltWorld> {
    built ??= buildWorld({
      baseDirectory: folder,
      data: data(['merged.xlsx', 'renamed.xlsx', 'missing.csv']),
      documents: documents(['.'], { max_file_bytes: 16_384 }),
    });
    return built;
  }

  it('names a corrupt PDF', async () => {
    const { warnings } = await build();
    expect(warnings).toContainEqual({
      code: 'WORLD_FILE_CORRUPT',
      file: 'broken.pdf',
      message: expect.stringMatching(/^cannot be read as PDF/),
    });
  });

  it('names a password-protected DOCX by its OLE signature', async () => {
    const { warnings } = await build();
    expect(warnings).toContainEqual({
      code: 'WORLD_FILE_ENCRYPTED',
      file: 'locked.docx',
      message: expect.stringContaining('password-protected'),
    });
  });

  it('reads an XLSX with merged headers as a two-row header and says so', async () => {
    const { warnings, snapshot } = await build();
    expect(warnings).toContainEqual({
      code: 'WORLD_TABLE_MERGED_HEADER',
      file: 'merged.xlsx',
      message: expect.stringContaining('Volume Monthly (t), Volume Annual (t)'),
    });
    expect(snapshot.suppliers.map((supplier) => [supplier.name, supplier.volume, supplier.price])).toEqual([
      ['Atlas Grain', 120, 310],
      ['Baltic Mills', 80, 295],
    ]);
  });

  it('skips a file over the size limit without reading it', async () => {
    const { warnings, summaries } = await build();
    expect(warnings).toContainEqual({
      code: 'WORLD_FILE_TOO_LARGE',
      file: 'big.txt',
      message: expect.stringContaining('over the limit of 16,384'),
    });
    expect(summaries.map((summary) => summary.document)).not.toContain('big.txt');
  });

  it('names an unknown format, a file whose bytes do not match its extension, and a missing file', async () => {
    const { warnings } = await build();
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'WORLD_FILE_UNKNOWN_FORMAT', file: 'slides.pptx' }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'WORLD_FILE_CORRUPT', file: 'renamed.xlsx' }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'WORLD_FILE_NOT_FOUND', file: 'missing.csv' }),
    );
  });

  it('still builds everything that was readable', async () => {
    const { documents: index, summaries } = await build();
    expect(summaries.map((summary) => summary.document).sort()).toEqual(['good.md', 'merged.xlsx']);
    expect(index.query('Antwerp sugar warehouse', 1)[0]?.citation).toBe('good.md § Note');
  });
});
