import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../scenario/scenario-loader';
import { renderBriefPdf } from './brief-pdf';
import { analyzeRun } from './run-analysis';
import { captureRun } from './run-capture';

const run = promisify(execFile);
const scenarioFile = fileURLToPath(new URL('../../../../scenarios/port-strike.yaml', import.meta.url));
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sandtable-brief-pdf-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Reads a binary PGM (P5, 8-bit) as written by `pdftoppm -gray`: width, height and pixels. */
function readPgm(bytes: Buffer): { width: number; height: number; pixels: Buffer } {
  const header = bytes.subarray(0, 64).toString('latin1');
  const match = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
  if (!match) throw new Error(`not a binary PGM: ${JSON.stringify(header.slice(0, 16))}`);
  const width = Number(match[1]);
  const height = Number(match[2]);
  return { width, height, pixels: bytes.subarray(match[0].length, match[0].length + width * height) };
}

describe('the brief as PDF', () => {
  it('opens in poppler and its first page shows text and charts (not blank)', async () => {
    const scenario = await loadScenario(scenarioFile, { steps: 20 });
    const analysis = analyzeRun(await captureRun(scenario));
    const pdf = await renderBriefPdf(analysis.brief);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(folder, 'brief.pdf');
    await writeFile(file, pdf);
    const { stdout } = await run('pdfinfo', [file]);
    expect(stdout).toMatch(/Pages:\s+[1-9]/);
    expect(stdout).toContain('Port strike');
    await run('pdftoppm', ['-gray', '-r', '50', '-f', '1', '-l', '1', file, join(folder, 'page')]);
    const image = readPgm(await readFile(join(folder, 'page-1.pgm')));
    expect(image.width).toBeGreaterThan(300);
    let ink = 0;
    for (const pixel of image.pixels) if (pixel < 200) ink += 1;
    const share = ink / (image.width * image.height);
    // Text and six charts cover a few percent of an A4 page; a blank page has none, a broken one all.
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.5);
    // The chart area (the page's upper middle) holds drawn lines, not just text.
    const row = Math.floor(image.height * 0.3);
    let dark = 0;
    for (let x = 0; x < image.width; x += 1)
      if ((image.pixels[row * image.width + x] as number) < 200) dark += 1;
    expect(dark).toBeGreaterThan(0);
  });

  it('is the same file for the same run and date', async () => {
    const scenario = await loadScenario(scenarioFile, { steps: 6 });
    const brief = analyzeRun(await captureRun(scenario)).brief;
    const date = new Date('2026-01-02T03:04:05Z');
    const first = await renderBriefPdf(brief, { createdAt: date });
    const second = await renderBriefPdf(brief, { createdAt: date });
    expect(second.equals(first)).toBe(true);
  });
});
