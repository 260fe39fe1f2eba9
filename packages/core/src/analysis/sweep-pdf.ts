import { formatValue } from '../environments/world-actions-environment';
import { drawIntervalChart, drawLineChart, palette, printable } from './pdf-charts';
import { meanConfidenceInterval } from './statistics';
import type { SweepReport } from './sweep-report';

const margin = 50;
const contentWidth = 595.28 - 2 * margin;

function settingLabel(parameters: Record<string, number | boolean | string>): string {
  return (
    Object.entries(parameters)
      .map(([name, value]) => `${name}=${typeof value === 'number' ? formatValue(value) : String(value)}`)
      .join(' ') || 'defaults'
  );
}

/**
 * How the 95% interval of a metric's mean narrows as seeds are added: for one setting, the
 * interval's width over the first k seeds (in seed order), k = 2…n.
 */
export function intervalWidths(
  report: SweepReport,
  setting: number,
  metric: string,
): { seeds: number[]; widths: number[] } {
  const values = report.members
    .filter((member) => member.setting === setting && member.finals?.[metric] !== undefined)
    .sort((a, b) => a.seed - b.seed)
    .map((member) => member.finals?.[metric] as number);
  const seeds: number[] = [];
  const widths: number[] = [];
  for (let count = 2; count <= values.length; count += 1) {
    const interval = meanConfidenceInterval(values.slice(0, count));
    seeds.push(count);
    widths.push(interval.high - interval.low);
  }
  return { seeds, widths };
}

/**
 * Renders a sweep report as a PDF: per metric, each setting's mean with its 95% interval; then,
 * for the first setting, how the interval's width shrinks as seeds are added.
 */
export async function renderSweepPdf(
  report: SweepReport,
  options: { createdAt?: Date; maxMetrics?: number } = {},
): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const document = new PDFDocument({
    size: 'A4',
    margin,
    info: {
      Title: printable(`Sweep: ${report.name}`),
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
  document
    .font('Helvetica-Bold')
    .fontSize(18)
    .fillColor('#111111')
    .text(printable(`Sweep: ${report.name}`));
  document
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#555555')
    .text(
      printable(
        `${report.runs} runs (${report.settings.length} settings x ${report.seeds.length} seeds)${report.failed ? `, ${report.failed} failed` : ''}. Final value of each metric over seeds: mean (dot) and 95% t interval (bar).`,
      ),
      { width: contentWidth },
    );
  document.moveDown(0.8);
  const metrics = report.metrics.slice(0, options.maxMetrics ?? 8);
  const chartWidth = (contentWidth - 16) / 2;
  const grid = (
    charts: Array<(box: { x: number; y: number; width: number; height: number }, color: string) => void>,
    chartHeight: number,
  ) => {
    for (let index = 0; index < charts.length; index += 2) {
      if (document.y + chartHeight > document.page.height - margin) document.addPage();
      const y = document.y;
      for (let column = 0; column < 2; column += 1) {
        const draw = charts[index + column];
        if (draw)
          draw(
            { x: margin + column * (chartWidth + 16), y, width: chartWidth, height: chartHeight },
            palette[(index + column) % palette.length] as string,
          );
      }
      document.x = margin;
      document.y = y + chartHeight + 10;
    }
  };
  grid(
    metrics.map((metric) => (box, color) => {
      const stats = report.settings.map((setting) => setting.statistics[metric]);
      drawIntervalChart(
        document,
        {
          title: metric,
          labels: report.settings.map((setting) => settingLabel(setting.parameters)),
          means: stats.map((entry) => entry?.mean ?? Number.NaN),
          lows: stats.map((entry) => entry?.confidence.low ?? Number.NaN),
          highs: stats.map((entry) => entry?.confidence.high ?? Number.NaN),
        },
        box,
        color,
      );
    }),
    140,
  );
  if (report.seeds.length >= 3) {
    // Keep the heading with its charts.
    if (document.y + 160 > document.page.height - margin) document.addPage();
    document.moveDown(0.5);
    document
      .font('Helvetica-Bold')
      .fontSize(12)
      .fillColor('#1f3b5a')
      .text(
        printable(
          `Width of the 95% interval as seeds are added (${settingLabel(report.settings[0]?.parameters ?? {})})`,
        ),
        margin,
      );
    document.moveDown(0.3);
    grid(
      metrics.slice(0, 4).map((metric) => (box, color) => {
        const { seeds, widths } = intervalWidths(report, 0, metric);
        drawLineChart(document, { metric, steps: seeds, values: widths, axis: 'seeds' }, box, color);
      }),
      120,
    );
  }
  document.end();
  return done;
}
