import { formatValue } from '../environments/world-actions-environment';

/** Line colours of the charts, in order. */
export const palette = ['#1f5fa8', '#c0392b', '#2e8b57', '#8e44ad', '#d35400', '#16a085'];

/** A box on the page, in points. */
export interface ChartBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const replacements: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '≥': '>=',
  '≤': '<=',
  '±': '+/-',
  '−': '-',
  '×': 'x',
};
/** Text the standard PDF fonts can print (WinAnsi): arrows and comparison signs become ASCII, anything else `?`. */
export function printable(text: string): string {
  return text
    .replace(/[→←≥≤−]/g, (character) => replacements[character] ?? '?')
    .replace(/[^\t\n\u0020-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?');
}

/** Draws a titled line chart of `values` over `steps` with pdfkit's vector primitives; gaps where values are not finite. */
export function drawLineChart(
  document: PDFKit.PDFDocument,
  chart: { metric: string; steps: number[]; values: number[]; axis?: string },
  box: ChartBox,
  color: string,
): void {
  const finite = chart.values.filter(Number.isFinite);
  const left = box.x + 42;
  const top = box.y + 16;
  const width = box.width - 50;
  const height = box.height - 34;
  document
    .font('Helvetica-Bold')
    .fontSize(9)
    .fillColor('#222222')
    .text(printable(chart.metric), box.x, box.y, {
      width: box.width,
      lineBreak: false,
    });
  document.lineWidth(0.5).strokeColor('#999999').rect(left, top, width, height).stroke();
  if (finite.length === 0) return;
  let low = Math.min(...finite);
  let high = Math.max(...finite);
  if (high === low) {
    low -= Math.abs(low) * 0.1 || 1;
    high += Math.abs(high) * 0.1 || 1;
  }
  const firstStep = chart.steps[0] ?? 0;
  const lastStep = chart.steps.at(-1) ?? firstStep;
  const spanSteps = lastStep - firstStep || 1;
  const toX = (step: number) => left + ((step - firstStep) / spanSteps) * width;
  const toY = (value: number) => top + height - ((value - low) / (high - low)) * height;
  document.strokeColor('#e3e3e3').lineWidth(0.4);
  for (let line = 1; line < 4; line += 1) {
    const y = top + (height * line) / 4;
    document
      .moveTo(left, y)
      .lineTo(left + width, y)
      .stroke();
  }
  document.font('Helvetica').fontSize(7).fillColor('#555555');
  document.text(formatValue(high), box.x, top - 3, { width: 40, align: 'right', lineBreak: false });
  document.text(formatValue(low), box.x, top + height - 6, { width: 40, align: 'right', lineBreak: false });
  document.text(`${chart.axis ?? 'step'} ${formatValue(firstStep)}`, left, top + height + 3, {
    lineBreak: false,
  });
  document.text(`${chart.axis ?? 'step'} ${formatValue(lastStep)}`, left + width - 40, top + height + 3, {
    width: 40,
    align: 'right',
    lineBreak: false,
  });
  document.strokeColor(color).lineWidth(1.4);
  let drawing = false;
  chart.values.forEach((value, index) => {
    if (!Number.isFinite(value)) {
      drawing = false;
      return;
    }
    const x = toX(chart.steps[index] as number);
    const y = toY(value);
    if (drawing) document.lineTo(x, y);
    else document.moveTo(x, y);
    drawing = true;
  });
  document.stroke();
  if (finite.length === 1) {
    const index = chart.values.findIndex(Number.isFinite);
    document.circle(toX(chart.steps[index] as number), toY(finite[0] as number), 2).fill(color);
  }
}

/**
 * Draws each category's mean as a dot with its interval as a vertical bar (the sweep's settings
 * side by side), with the labels under the axis.
 */
export function drawIntervalChart(
  document: PDFKit.PDFDocument,
  chart: { title: string; labels: string[]; means: number[]; lows: number[]; highs: number[] },
  box: ChartBox,
  color: string,
): void {
  const left = box.x + 42;
  const top = box.y + 16;
  const width = box.width - 50;
  const height = box.height - 44;
  document
    .font('Helvetica-Bold')
    .fontSize(9)
    .fillColor('#222222')
    .text(printable(chart.title), box.x, box.y, {
      width: box.width,
      lineBreak: false,
    });
  document.lineWidth(0.5).strokeColor('#999999').rect(left, top, width, height).stroke();
  const values = [...chart.means, ...chart.lows, ...chart.highs].filter(Number.isFinite);
  if (values.length === 0) return;
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high === low) {
    low -= Math.abs(low) * 0.1 || 1;
    high += Math.abs(high) * 0.1 || 1;
  }
  const toY = (value: number) => top + height - ((value - low) / (high - low)) * height;
  document.font('Helvetica').fontSize(7).fillColor('#555555');
  document.text(formatValue(high), box.x, top - 3, { width: 40, align: 'right', lineBreak: false });
  document.text(formatValue(low), box.x, top + height - 6, { width: 40, align: 'right', lineBreak: false });
  const slot = width / Math.max(1, chart.labels.length);
  chart.labels.forEach((label, index) => {
    const x = left + slot * (index + 0.5);
    const mean = chart.means[index] as number;
    const lower = chart.lows[index] as number;
    const upper = chart.highs[index] as number;
    if (Number.isFinite(lower) && Number.isFinite(upper)) {
      document.strokeColor(color).lineWidth(1.2);
      document.moveTo(x, toY(lower)).lineTo(x, toY(upper)).stroke();
      document
        .moveTo(x - 4, toY(lower))
        .lineTo(x + 4, toY(lower))
        .stroke();
      document
        .moveTo(x - 4, toY(upper))
        .lineTo(x + 4, toY(upper))
        .stroke();
    }
    if (Number.isFinite(mean)) document.circle(x, toY(mean), 2.5).fill(color);
    document
      .font('Helvetica')
      .fontSize(6)
      .fillColor('#333333')
      .text(printable(label), x - slot / 2, top + height + 4, {
        width: slot,
        align: 'center',
        height: 22,
        ellipsis: true,
      });
  });
}
