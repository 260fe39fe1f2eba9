/**
 * Dashboard frame times while a large run streams in: builds the dashboard, starts the real
 * `sandtable serve` on a loopback port with a temporary store, and in headless Chromium starts a
 * 200-rule-agent × 90-step run from the home page, so the run console follows it live from its
 * first event. Every `requestAnimationFrame` delta is recorded in the page from the moment the
 * console opens until it has applied the run's final event; median, p95 and worst are reported.
 * Target (issue 7): median under 50 ms.
 *
 * Usage: `npx tsx bench/dashboard-frames.ts [--runs 3]`. Writes bench/results/dashboard-frames.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboard } from '../packages/dashboard/src/e2e/dashboard-build';
import { launchChromium } from '../packages/dashboard/src/e2e/headless-chromium';
import { freePort, SandtableServerProcess } from '../packages/dashboard/src/e2e/sandtable-server-process';
import { median, option, resultsDirectory, round } from './support/reporting';

/** The little of the page's DOM the benchmark reads. */
interface PageDocument {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
}

const agents = 200;
const steps = 90;

/** 200 rule agents who act and talk every day: ~350 actions and ~150 messages per step. */
const scenario = `name: Dashboard crowd
description: ${agents} rule agents talking in a town square for ${steps} days (dashboard frame benchmark).
seed: 1
clock: { steps: ${steps}, unit: day }
variables:
  tension: { type: float, default: 0.3, min: 0, max: 1 }
  trust: { type: float, default: 0.5, min: 0, max: 1 }
dynamics:
  - set: tension
    to: "tension * 0.98 + 0.01"
actions:
  - name: calm_down
    description: Try to calm things down.
    effects: { tension: "tension - 0.001", trust: "trust + 0.0005" }
  - name: escalate
    description: Push harder.
    effects: { tension: "tension + 0.0012", trust: "trust - 0.0004" }
rooms:
  - name: square
    members: ["*"]
agents:
  - id: resident
    count: ${agents}
    role: resident
    goals:
      - minimize: tension
    traits: { activity: 1, sociability: 0.8, cooperation: 0.5 }
    jitter: 0.3
events:
  - step: 30
    type: shock
    description: The factory closes.
    effects: { tension: "tension + 0.3" }
metrics:
  tension: tension
  trust: trust
`;

/** Runs in the page before the app: records every requestAnimationFrame delta in `frameDeltas`. */
const frameRecorder = `
  window.frameDeltas = [];
  let last = performance.now();
  function tick(now) {
    window.frameDeltas.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
`;

interface FrameSample {
  run: number;
  events: number;
  frames: number;
  seconds: number;
  medianFrameMs: number;
  p95FrameMs: number;
  worstFrameMs: number;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN
  );
}

async function main(): Promise<void> {
  const runs = Number(option('runs') ?? 3);
  const started = performance.now();
  await buildDashboard();
  const dataDirectory = await mkdtemp(join(tmpdir(), 'sandtable-dashboard-frames-'));
  const server = new SandtableServerProcess({ port: await freePort(), dataDirectory });
  const [browser] = await Promise.all([launchChromium(), server.start()]);
  const samples: FrameSample[] = [];
  try {
    await server.api('POST', '/scenarios', { source: scenario });
    for (let run = 1; run <= runs; run++) {
      const page = await browser.newPage({ viewport: { width: 1500, height: 980 } });
      // Record every frame's delta from the first frame on; the page reads nothing of this. A
      // string, not a function: tsx would wrap a function in helpers the page does not have.
      await page.addInitScript({ content: frameRecorder });
      await page.goto(`${server.url}/#/`);
      const row = page.locator(`[data-scenario="Dashboard crowd"]`);
      await row.waitFor();
      // Frames before the console opens are the home page's: start counting at the click.
      await page.evaluate(() => {
        (globalThis as unknown as { frameDeltas: number[] }).frameDeltas.length = 0;
      });
      const clicked = performance.now();
      await row.getByRole('button', { name: 'Start run' }).click();
      await page.waitForURL(/#\/runs\//);
      await page.waitForFunction(
        // Runs in the page; the root tsconfig has no DOM types, hence the narrow shape.
        () =>
          (globalThis as unknown as { document: PageDocument }).document
            .querySelector('.run-console')
            ?.getAttribute('data-status') === 'completed',
        undefined,
        { timeout: 300_000, polling: 250 },
      );
      const seconds = (performance.now() - clicked) / 1000;
      const deltas = await page.evaluate(() =>
        (globalThis as unknown as { frameDeltas: number[] }).frameDeltas.slice(1),
      );
      const events = Number(await page.locator('.run-console').getAttribute('data-event-count'));
      samples.push({
        run,
        events,
        frames: deltas.length,
        seconds: round(seconds),
        medianFrameMs: round(median(deltas)),
        p95FrameMs: round(percentile(deltas, 0.95)),
        worstFrameMs: round(Math.max(...deltas)),
      });
      console.log(
        `run ${run}: ${events} events in ${round(seconds)} s, ${deltas.length} frames, median ${round(median(deltas))} ms, p95 ${round(percentile(deltas, 0.95))} ms, worst ${round(Math.max(...deltas))} ms`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    await rm(dataDirectory, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'dashboard-frames',
    command: `npx tsx bench/dashboard-frames.ts --runs ${runs}`,
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    scenario: `${agents} rule agents × ${steps} steps, streamed live to the run console (headless Chromium, software rendering)`,
    targetMedianFrameMs: 50,
    medianFrameMs: round(median(samples.map((sample) => sample.medianFrameMs))),
    p95FrameMs: round(median(samples.map((sample) => sample.p95FrameMs))),
    worstFrameMs: round(Math.max(...samples.map((sample) => sample.worstFrameMs))),
    totalSeconds: round((performance.now() - started) / 1000),
    samples,
  };
  await writeFile(join(resultsDirectory, 'dashboard-frames.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `median frame ${result.medianFrameMs} ms, p95 ${result.p95FrameMs} ms (target: median < 50 ms)`,
  );
}

await main();
