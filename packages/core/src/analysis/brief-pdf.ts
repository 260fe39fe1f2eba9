import type { ExecutiveBrief } from './executive-brief';
import { drawLineChart, palette, printable } from './pdf-charts';

/** Options of {@link renderBriefPdf}. */
export interface BriefPdfOptions {
  /** The document's creation date; pass the run's end so the same run gives the same file. @defaultValue 1 January 2000 UTC */
  createdAt?: Date;
  /** Charts drawn, at most. @defaultValue 6 */
  maxCharts?: number;
}

const margin = 50;
const pageWidth = 595.28;
const contentWidth = pageWidth - 2 * margin;

// The standard PDF fonts encode WinAnsi only; the rest would print as garbage.
/** Bold and code marks are for the .md file; the PDF prints plain text (underscores stay: metric names hold them). */
function plain(text: string): string {
  return printable(text.replace(/\*\*|`/g, ''));
}

/**
 * Renders the brief as a PDF (A4): title, question and run line, the headline, line charts of the
 * main metrics drawn with pdfkit's vector primitives (two per row), then every section of the
 * brief. Resolves to the file's bytes.
 */
export async function renderBriefPdf(brief: ExecutiveBrief, options: BriefPdfOptions = {}): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const document = new PDFDocument({
    size: 'A4',
    margin,
    info: {
      Title: printable(brief.title),
      Creator: 'Sandtable',
      CreationDate: options.createdAt ?? new Date(Date.UTC(2000, 0, 1)),
    },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  document.font('Helvetica-Bold').fontSize(18).fillColor('#111111').text(printable(brief.title));
  document.moveDown(0.3);
  if (brief.question)
    document
      .font('Helvetica-Oblique')
      .fontSize(10)
      .fillColor('#333333')
      .text(printable(`Question: ${brief.question}`));
  document.font('Helvetica').fontSize(8).fillColor('#666666').text(printable(brief.runLine));
  document.moveDown(0.6);
  const heading = (title: string) => {
    document.moveDown(0.4);
    document.font('Helvetica-Bold').fontSize(12).fillColor('#1f3b5a').text(title, margin);
    document.moveDown(0.2);
  };
  heading('Headline');
  document
    .font('Helvetica')
    .fontSize(10.5)
    .fillColor('#111111')
    .text(plain(brief.headline), { width: contentWidth });

  const charts = brief.charts.slice(0, options.maxCharts ?? 6);
  if (charts.length > 0) {
    heading('Main metrics');
    const chartWidth = (contentWidth - 16) / 2;
    const chartHeight = 120;
    for (let index = 0; index < charts.length; index += 2) {
      if (document.y + chartHeight > document.page.height - margin) document.addPage();
      const y = document.y;
      for (let column = 0; column < 2; column += 1) {
        const chart = charts[index + column];
        if (!chart) continue;
        drawLineChart(
          document,
          chart,
          { x: margin + column * (chartWidth + 16), y, width: chartWidth, height: chartHeight },
          palette[(index + column) % palette.length] as string,
        );
      }
      document.x = margin;
      document.y = y + chartHeight + 8;
    }
  }
  const bullets = (title: string, items: string[]) => {
    if (items.length === 0) return;
    heading(title);
    document.font('Helvetica').fontSize(9.5).fillColor('#111111');
    for (const item of items)
      document.text(`• ${plain(item)}`, margin, undefined, { width: contentWidth, paragraphGap: 2 });
  };
  bullets('What happened', brief.whatHappened);
  bullets(
    'Turning points',
    brief.turningPoints.map((point) => `Step ${point.step}: ${point.text}`),
  );
  bullets(
    'Quantified impacts',
    brief.impacts.map((impact) => `${impact.metric}: ${impact.text}`),
  );
  bullets(
    'Stakeholder positions',
    brief.positions.map((position) => `${position.stakeholder}: ${position.text}`),
  );
  bullets('Recommended actions', brief.recommendations);
  heading('Confidence');
  document
    .font('Helvetica')
    .fontSize(9.5)
    .fillColor('#111111')
    .text(plain(`${brief.confidence.level} — ${brief.confidence.text}`), { width: contentWidth });
  bullets('Caveats', brief.caveats);
  document.end();
  return done;
}
