/**
 * Writes the binary files of the sample company folder (Harbour & Vale Foods): the customer,
 * inventory and price workbook (XLSX), the supply contract (PDF, three pages) and the procurement
 * policy (DOCX). The CSV and Markdown files are hand-written. The generated files are committed;
 * run this again after changing it:
 *
 *   npx tsx scenarios/examples/make-company-fixtures.ts
 *
 * Output is deterministic in content (fixed dates, no random values), so re-running changes
 * nothing a reader would notice.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';

const here = fileURLToPath(new URL('./company/', import.meta.url));
const fixed = new Date('2026-01-15T00:00:00Z');

async function workbook(): Promise<void> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Harbour & Vale Foods';
  book.created = fixed;
  book.modified = fixed;
  const customers = book.addWorksheet('Customers');
  customers.addRow(['Customer', 'Segment', 'Annual volume (t)', 'Price per tonne (EUR)', 'Region']);
  customers.addRow(['Brightmart Supermarkets', 'retail', 4200, 6100, 'Benelux']);
  customers.addRow(['Caffè Lumo Chain', 'food service', 950, 6900, 'Italy']);
  customers.addRow(['Nordbake Industrial', 'industrial', 2600, 5600, 'Germany']);
  const inventory = book.addWorksheet('Inventory');
  inventory.addRow(['SKU', 'Item', 'On hand (t)', 'Daily usage (t)', 'Warehouse']);
  inventory.addRow(['CB-100', 'Cocoa beans', 540, 18, 'Rotterdam']);
  inventory.addRow(['SG-200', 'Cane sugar', 820, 22, 'Antwerp']);
  inventory.addRow(['PK-300', 'Foil packaging', 120, 3, 'Rotterdam']);
  const prices = book.addWorksheet('Prices');
  prices.addRow(['Commodity', 'Baseline price', 'Unit', 'Currency']);
  prices.addRow(['cocoa', 8200, 'tonne', 'EUR']);
  prices.addRow(['sugar', 510, 'tonne', 'EUR']);
  prices.addRow(['freight', 2100, 'container', 'EUR']);
  await book.xlsx.writeFile(join(here, 'company-data.xlsx'));
}

async function contract(): Promise<void> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { CreationDate: fixed, Title: 'Supply agreement' },
  });
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(join(here, 'supply-agreement-andes-cocoa.pdf'));
    out.on('finish', resolve);
    out.on('error', reject);
    pdf.pipe(out);
  });
  pdf.fontSize(16).text('Supply Agreement HVF-2026-014');
  pdf.moveDown().fontSize(11);
  pdf.text('Between Harbour & Vale Foods B.V. (the Buyer) and Andes Cocoa Cooperative (the Supplier).');
  pdf.moveDown();
  pdf.text(
    '1. Volumes. The Supplier shall deliver 300 tonnes of fermented cocoa beans per month to the port of Rotterdam.',
  );
  pdf.moveDown();
  pdf.text('2. Price. The price is fixed at EUR 7,950 per tonne for the calendar year 2026.');
  pdf.addPage();
  pdf.fontSize(14).text('Delivery and penalties');
  pdf.moveDown().fontSize(11);
  pdf.text(
    '3. Late delivery. For every week a monthly delivery is late, the Supplier pays a penalty of 2% of the value of the late shipment, capped at 10%.',
  );
  pdf.moveDown();
  pdf.text('4. Lead time. Orders are shipped within 45 days of confirmation.');
  pdf.addPage();
  pdf.fontSize(14).text('Force majeure');
  pdf.moveDown().fontSize(11);
  pdf.text(
    '5. Force majeure. A port closure or strike lasting more than 14 days is force majeure: neither party is liable for the delay, and the Buyer may source up to 40% of the monthly volume from alternative suppliers without penalty.',
  );
  pdf.end();
  await done;
}

async function policy(): Promise<void> {
  const document = new Document({
    creator: 'Harbour & Vale Foods',
    title: 'Procurement policy',
    sections: [
      {
        children: [
          new Paragraph({ text: 'Procurement policy', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ text: 'Safety stock', heading: HeadingLevel.HEADING_2 }),
          new Paragraph(
            'The company keeps at least 21 days of cocoa inventory. Below 21 days, procurement must place an emergency order with an approved alternative supplier.',
          ),
          new Paragraph({ text: 'Approval thresholds', heading: HeadingLevel.HEADING_2 }),
          new Paragraph(
            'Spot purchases above EUR 250,000 need approval from the finance director. Price increases above 8% require a renegotiation of the contract.',
          ),
          new Paragraph({ text: 'Supplier diversification', heading: HeadingLevel.HEADING_2 }),
          new Paragraph('No single supplier may provide more than 60% of any commodity.'),
        ],
      },
    ],
  });
  await writeFile(join(here, 'procurement-policy.docx'), await Packer.toBuffer(document));
}

await workbook();
await contract();
await policy();
console.log('wrote company-data.xlsx, supply-agreement-andes-cocoa.pdf, procurement-policy.docx');
