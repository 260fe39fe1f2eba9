import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepDetail } from '../api/sweep-api';
import { artifactDirectory, buildDashboard } from './dashboard-build';
import { launchChromium } from './headless-chromium';
import { freePort, SandtableServerProcess } from './sandtable-server-process';

/**
 * The sweeps view end to end: Vite builds the dashboard, the real `sandtable serve` serves it from
 * a temporary embedded store, and the system's Chromium starts, follows
 * and stops sweeps like a user.
 */

let browser: Browser;
let context: BrowserContext;
let server: SandtableServerProcess;
let dataDirectory: string;
let scenarioId: string;

/** The shipped bank run, made small: 30 depositors instead of 10,000 and 6 days (rule agents only). */
async function smallBankRun(): Promise<string> {
  const file = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'bank-run.yaml');
  const source = (await readFile(file, 'utf8'))
    .replace('name: Bank run', 'name: Small bank run')
    .replace('clock: { steps: 30,', 'clock: { steps: 6,')
    .replace('count: 10000', 'count: 30')
    .replace('/ 10000.0', '/ 30.0');
  expect(source).toContain('count: 30');
  return source;
}

beforeAll(async () => {
  await mkdir(artifactDirectory, { recursive: true });
  dataDirectory = await mkdtemp(join(tmpdir(), 'sandtable-sweeps-e2e-'));
  // On loopback without a token (dashboard.int.test.ts covers the token; `sandtable token create`
  // would cost this file another CLI process before the server can start).
  server = new SandtableServerProcess({ port: await freePort(), dataDirectory });
  [browser] = await Promise.all([launchChromium(), buildDashboard().then(() => server.start())]);
  scenarioId = (await server.api<{ id: string }>('POST', '/scenarios', { source: await smallBankRun() })).id;
  context = await browser.newContext({ viewport: { width: 1500, height: 980 }, acceptDownloads: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

/** Runs a test's steps on a fresh page; on failure leaves a screenshot and the server's log. */
async function withPage(name: string, steps: (page: Page) => Promise<void>): Promise<void> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await steps(page);
    expect(pageErrors).toEqual([]);
  } catch (error) {
    await page.screenshot({ path: join(artifactDirectory, `${name}-failure.png`) }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- server log ---\n${server.log}`, { cause: error });
  } finally {
    await page.close();
  }
}

/** How long a UI change may take to show on a shared machine. */
const uiWait = { timeout: 20_000, interval: 100 };

/** The sweep id the page shows (`#/sweeps?sweep=<id>`). */
async function shownSweepId(page: Page): Promise<string> {
  await expect.poll(() => new URL(page.url()).hash, uiWait).toMatch(/sweep=sw_/);
  return new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('sweep') as string;
}

/** The member rows of the sweep panel: run id and status. */
function memberRows(page: Page) {
  return page
    .getByTestId('sweep-members')
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => ({ run: row.getAttribute('data-run'), status: row.getAttribute('data-status') })),
    );
}

describe('sweeps view end to end', () => {
  it(
    'starts a sweep from the form, shows its members completing with their results, and opens a member’s run',
    { timeout: 90_000 },
    () =>
      withPage('sweep-start', async (page) => {
        await page.goto(`${server.url}/#/sweeps`);
        await page.getByText('No sweeps yet').waitFor();
        const form = page.getByTestId('sweep-form');
        await expect.poll(() => form.getByLabel('Sweep scenario').inputValue(), uiWait).toBe(scenarioId);
        await form.getByLabel('Seeds', { exact: true }).fill('2');
        await form.getByLabel('Parallel runs').fill('2');
        await form.getByRole('button', { name: 'Add parameter' }).click();
        await form.getByLabel('Grid parameter 1', { exact: true }).fill('rumour_strength');
        // 2 is outside the parameter's range (0–1): the server's 422 shows at the grid row.
        await form.getByLabel('Grid values 1', { exact: true }).fill('0.2, 2');
        await form.getByRole('button', { name: 'Start sweep' }).click();
        await form.getByText('SCENARIO_INVALID').waitFor(uiWait);
        await expect
          .poll(() => form.locator('[data-grid-row="0"] .field-issues').textContent(), uiWait)
          .toMatch(/outside/);

        await page.screenshot({ path: join(artifactDirectory, 'sweep-form-error.png') });
        await form.getByLabel('Grid values 1', { exact: true }).fill('0.2, 0.8');
        await form.getByRole('button', { name: 'Start sweep' }).click();
        const sweepId = await shownSweepId(page);
        const panel = page.getByTestId('sweep-detail');
        await expect.poll(() => panel.getAttribute('data-sweep'), uiWait).toBe(sweepId);
        // Progress and status update by themselves until every member has completed.
        await expect
          .poll(() => panel.getAttribute('data-status'), { ...uiWait, timeout: 60_000 })
          .toBe('completed');
        await expect
          .poll(() => page.getByTestId('sweep-progress').first().getAttribute('data-ended'), uiWait)
          .toBe('4');
        const rows = await memberRows(page);
        expect(rows.map((row) => row.status)).toEqual(['completed', 'completed', 'completed', 'completed']);

        // The members are the sweep's runs (GET /api/runs?sweep=), each with its final metric values.
        const listed = await server.api<{ runs: Array<{ id: string }> }>('GET', `/runs?sweep=${sweepId}`);
        expect(rows.map((row) => row.run).sort()).toEqual(listed.runs.map((run) => run.id).sort());
        const members = page.getByTestId('sweep-members');
        expect(await members.locator('thead th').allTextContents()).toEqual(
          expect.arrayContaining(['rumour_strength', 'seed', 'panic', 'liquidity']),
        );
        expect(await members.locator('tbody tr').first().textContent()).toContain('0.2');
        const sweep = await server.api<SweepDetail>('GET', `/sweeps/${sweepId}`);
        expect(sweep.report?.effects.length).toBeGreaterThan(0);
        await page
          .getByTestId('sweep-effects')
          .locator('[data-effect="rumour_strength:panic"]')
          .first()
          .waitFor();
        await page.getByTestId('sweep-metrics').locator('[data-metric="panic"]').waitFor();

        const compare = await panel
          .getByRole('link', { name: 'Compare the member runs' })
          .getAttribute('href');
        expect(compare).toBe(`#/compare?runs=${rows.map((row) => row.run).join(',')}`);
        await page.screenshot({ path: join(artifactDirectory, 'sweep-completed.png'), fullPage: true });

        // The report downloads (fetched with the page's headers, so a token would go along).
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          panel.getByRole('link', { name: 'Report (Markdown)' }).click(),
        ]);
        expect(await readFile(await download.path(), 'utf8')).toContain('# Sweep: Small bank run sweep');

        // A member's link opens its run console.
        const first = rows[0]?.run as string;
        await members.getByRole('link', { name: first }).click();
        await expect.poll(() => new URL(page.url()).hash, uiWait).toBe(`#/runs/${first}`);
        await expect
          .poll(() => page.locator('.run-console').getAttribute('data-status'), uiWait)
          .toBe('completed');
      }),
  );

  it(
    'stops a running sweep from its panel: no member runs on, and the sweep shows stopped',
    { timeout: 90_000 },
    () =>
      withPage('sweep-stop', async (page) => {
        await page.goto(`${server.url}/#/sweeps`);
        const form = page.getByTestId('sweep-form');
        await expect.poll(() => form.getByLabel('Sweep scenario').inputValue(), uiWait).toBe(scenarioId);
        await form.getByLabel('Sweep name').fill('long sweep');
        await form.getByLabel('Seeds', { exact: true }).fill('20');
        await form.getByLabel('Steps per run').fill('5000');
        await form.getByLabel('Parallel runs').fill('1');
        await form.getByRole('button', { name: 'Start sweep' }).click();
        const sweepId = await shownSweepId(page);
        const panel = page.getByTestId('sweep-detail');
        await expect.poll(() => panel.getAttribute('data-sweep'), uiWait).toBe(sweepId);
        await expect.poll(() => panel.getAttribute('data-status'), uiWait).toBe('running');
        // Stop once a member is executing.
        await expect
          .poll(async () => (await memberRows(page)).some((row) => row.status === 'running'), uiWait)
          .toBe(true);
        await panel.getByRole('button', { name: 'Stop sweep' }).click();

        await expect.poll(() => panel.getAttribute('data-status'), uiWait).toBe('stopped');
        await expect
          .poll(async () => (await memberRows(page)).every((row) => row.status === 'stopped'), uiWait)
          .toBe(true);
        expect(await panel.getByRole('button', { name: 'Stop sweep' }).count()).toBe(0);
        await expect
          .poll(
            () => page.getByTestId('sweep-list').locator(`[data-sweep="${sweepId}"] .status`).textContent(),
            uiWait,
          )
          .toBe('stopped');
        await page.screenshot({ path: join(artifactDirectory, 'sweep-stopped.png'), fullPage: true });
        const sweep = await server.api<SweepDetail>('GET', `/sweeps/${sweepId}`);
        expect(sweep).toMatchObject({ status: 'stopped', reason: 'stopped from the dashboard', running: 0 });
        expect(sweep.pending).toBeGreaterThan(0);
      }),
  );
});
