import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BeliefPositionsAtStep, BeliefSeries } from '../api/api-types';
import { beliefColor, noPositionColor } from '../state/belief-scale';
import { starterScenario } from '../state/scenario-document';
import { artifactDirectory, buildDashboard } from './dashboard-build';
import { launchChromium } from './headless-chromium';
import { freePort, SandtableServerProcess } from './sandtable-server-process';

/**
 * The dashboard end to end: Vite builds it, the real `sandtable serve` serves it and the API from a
 * temporary embedded store, and the system's Chromium drives it like a user. One browser and one
 * server for the file; the restart test kills and restarts that same server.
 */

let browser: Browser;
/** One browser profile for the file: the token saved in the first test is still there in the next. */
let context: BrowserContext;
let server: SandtableServerProcess;
let dataDirectory: string;

beforeAll(async () => {
  await mkdir(artifactDirectory, { recursive: true });
  dataDirectory = await mkdtemp(join(tmpdir(), 'sandtable-dashboard-e2e-'));
  // The server asks for a token on every API route, as it would off loopback.
  server = new SandtableServerProcess({ port: await freePort(), dataDirectory, flags: ['--require-token'] });
  [browser] = await Promise.all([launchChromium(), buildDashboard().then(() => server.createToken())]);
  await server.start();
  context = await browser.newContext({ viewport: { width: 1500, height: 980 } });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

/** Uncaught errors in the page; each test checks there were none. */
const pageErrors: string[] = [];

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

/**
 * Runs a test's steps on a fresh page; on failure leaves a screenshot of where it stood. With
 * `signedIn` the page starts with the API token stored, as after a user entered it once.
 */
async function withPage(name: string, steps: (page: Page) => Promise<void>, signedIn = false): Promise<void> {
  const page = await openPage();
  if (signedIn) {
    await page.addInitScript({
      content: `localStorage.setItem('sandtable.apiToken', ${JSON.stringify(server.token)});`,
    });
  }
  pageErrors.length = 0;
  try {
    await steps(page);
    expect(pageErrors).toEqual([]);
  } catch (error) {
    await page.screenshot({ path: join(artifactDirectory, `${name}-failure.png`) }).catch(() => undefined);
    throw error;
  } finally {
    await page.close();
  }
}

/** The run console's own account of what it applied (attributes of its root element). */
async function consoleFigures(page: Page) {
  const root = page.locator('.run-console');
  const number = async (name: string) => Number(await root.getAttribute(name));
  return {
    status: await root.getAttribute('data-status'),
    step: await number('data-step'),
    lastSequence: await number('data-last-sequence'),
    eventCount: await number('data-event-count'),
  };
}

type ConsoleFigures = Awaited<ReturnType<typeof consoleFigures>>;

/** Waits until the console's figures satisfy the condition (polled from the test side). */
async function waitForConsole(page: Page, condition: (figures: ConsoleFigures) => boolean, timeout = 30_000) {
  await expect.poll(async () => condition(await consoleFigures(page)), { timeout, interval: 100 }).toBe(true);
}

/** A shipped scenario with a `beliefs` block: a rumour on a town's social feed, rule agents only. */
const rumourMillFile = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'rumour-mill.yaml');

/** The graph's positions table as the page shows it: agent → position (undefined: none) and colour. */
async function positionsTable(page: Page) {
  const details = page.getByTestId('graph-positions');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  await details.locator('tbody tr').first().waitFor();
  return details.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => ({
      id: row.getAttribute('data-agent'),
      position:
        row.getAttribute('data-position') === '' ? undefined : Number(row.getAttribute('data-position')),
      color: row.getAttribute('data-color'),
    })),
  );
}

/** What the table must show for the API's answer: each agent's position on the topic and its colour. */
function expectedTable(agentIds: string[], answer: BeliefPositionsAtStep, topic: string) {
  const positions = new Map(answer.agents.map((agent) => [agent.id, agent.positions[topic]]));
  return agentIds.map((id) => {
    const position = positions.get(id);
    return { id, position, color: position === undefined ? noPositionColor : beliefColor(position) };
  });
}

/** The agent panel's table of the steps where a position changed, as the page shows it. */
async function agentBeliefChanges(page: Page): Promise<BeliefSeries['points']> {
  const details = page.getByTestId('agent-belief-changes');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  // The table is drawn once the details are open (with no rows when nothing changed yet).
  await details.locator('table').waitFor();
  return details.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => ({
      step: Number(row.getAttribute('data-step')),
      positions: JSON.parse(row.getAttribute('data-positions') ?? '{}') as Record<string, number>,
    })),
  );
}

/** The agent panel's positions at the step shown, topic → position (undefined: none yet). */
async function agentPositions(page: Page): Promise<Record<string, number | undefined>> {
  return page
    .getByTestId('agent-positions')
    .locator('[data-topic]')
    .evaluateAll((chips) =>
      Object.fromEntries(
        chips.map((chip) => {
          const position = chip.getAttribute('data-position');
          return [chip.getAttribute('data-topic'), position === '' ? undefined : Number(position)];
        }),
      ),
    );
}

/** What the panel must show after `step` for the API's series: the last change at or before it. */
function positionsAfter(series: BeliefSeries, step: number): Record<string, number> {
  return series.points.filter((point) => point.step <= step).at(-1)?.positions ?? {};
}

/**
 * Clicks the middle of one node of the graph and answers the agent the canvas then names as
 * selected. The nodes are drawn in WebGL, so the test finds one in a screenshot: a spot whose
 * neighbourhood is all one of the nodes' colours (`colours`, CSS `rgb(…)`), which no edge is.
 */
async function clickANode(page: Page, colours: string[]): Promise<string> {
  const canvas = page.getByTestId('graph-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the graph canvas is not shown');
  const screenshot = (await canvas.screenshot()).toString('base64');
  const spot = await page.evaluate(
    async ({ screenshot, colours }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${screenshot}`;
      await image.decode();
      const drawing = document.createElement('canvas');
      drawing.width = image.width;
      drawing.height = image.height;
      const context = drawing.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0);
      const { data, width, height } = context.getImageData(0, 0, image.width, image.height);
      const wanted = colours.map((colour) => (colour.match(/\d+/g) ?? []).map(Number));
      const colourAt = (x: number, y: number) =>
        wanted.findIndex((rgb) =>
          rgb.every((channel, index) => Math.abs((data[(y * width + x) * 4 + index] ?? 0) - channel) <= 3),
        );
      for (let y = 3; y < height - 3; y += 2) {
        for (let x = 3; x < width - 3; x += 2) {
          const found = colourAt(x, y);
          if (found < 0) continue;
          const around = [colourAt(x - 3, y), colourAt(x + 3, y), colourAt(x, y - 3), colourAt(x, y + 3)];
          if (around.every((index) => index === found)) return { x: x / width, y: y / height };
        }
      }
      return undefined;
    },
    { screenshot, colours },
  );
  if (!spot) throw new Error('no node found in the graph canvas');
  await page.mouse.click(box.x + spot.x * box.width, box.y + spot.y * box.height);
  await expect.poll(() => canvas.getAttribute('data-selected'), uiWait).not.toBe('');
  return (await canvas.getAttribute('data-selected')) as string;
}

/** How long a UI change may take to show: the suite shares two cores with the rest of `npm test`. */
const uiWait = { timeout: 20_000, interval: 100 };

describe('dashboard end to end', () => {
  it(
    'designs a scenario, runs it, steers it, forks, compares, shows the graph and opens the brief',
    { timeout: 120_000 },
    () =>
      withPage('design-run-steer', async (page) => {
        // Without a token the page says what is wrong; the token entered is kept in localStorage.
        await page.goto(`${server.url}/#/`);
        await page.getByText('TOKEN_REQUIRED').first().waitFor();
        await page.getByRole('button', { name: 'Set API token' }).click();
        await page.getByLabel('API token').fill(server.token as string);
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByText('No scenarios yet').waitFor();
        expect(await page.evaluate(() => localStorage.getItem('sandtable.apiToken'))).toBe(server.token);

        // Designer: text typed in the YAML editor shows in the form, and the form writes into the
        // YAML; the server's validation errors show inline.
        // The scenario schema (completion, inline schema errors) arrives late here, after the user
        // has clicked into the editor: its arrival must not take the focus away from what they type.
        let releaseSchema = () => {};
        const schemaHeld = new Promise<void>((resolve) => {
          releaseSchema = resolve;
        });
        await page.route('**/api/scenario-schema', async (route) => {
          await schemaHeld;
          await route.continue();
        });
        await page.getByRole('link', { name: 'New scenario' }).first().click();
        await page.locator('.cm-content').click();
        const schemaArrived = page.waitForResponse('**/api/scenario-schema');
        releaseSchema();
        await schemaArrived;
        await page.unroute('**/api/scenario-schema');
        await page.keyboard.press('Control+A');
        await page.keyboard.insertText(starterScenario.replace('name: New scenario', 'name: Typed in YAML'));
        await expect.poll(() => page.getByLabel('Scenario name').inputValue(), uiWait).toBe('Typed in YAML');
        await page.getByLabel('Scenario name').fill('Harbour e2e');
        await page.getByLabel('Steps').fill('5000');
        await page.getByLabel('Agent 1 count').fill('4');
        await expect
          .poll(() => page.locator('.cm-content').innerText(), uiWait)
          .toContain('name: Harbour e2e');
        await page.getByLabel('Variable tension min').fill('2');
        await page.getByTestId('validation-status').getByText('2 problems').waitFor();
        // The CLI's own messages, with line and column.
        const problems = await page.getByTestId('validation-issues').innerText();
        expect(problems).toContain('variables.tension.min: min (2) is greater than max (1)');
        expect(problems).toContain('variables.tension.default: default 0.2 is below min 2');
        await page.locator('.cm-lintRange-error').first().waitFor();
        await page.getByLabel('Variable tension min').fill('0');
        await page.getByTestId('validation-status').getByText('valid').waitFor();
        await page.getByRole('button', { name: 'Save scenario' }).click();
        await page.waitForURL(/#\/scenarios\/[^/?]+$/);
        await page.getByRole('button', { name: 'Start run' }).click();
        await page.waitForURL(/#\/runs\//);
        const runId = decodeURIComponent(page.url().split('#/runs/')[1] ?? '');

        // Steps arrive live; pause; single-step.
        await waitForConsole(page, (figures) => figures.step >= 3);
        await page.locator('[data-control="pause"]').click();
        await waitForConsole(page, (figures) => figures.status === 'paused');
        const pausedAt = (await consoleFigures(page)).step;
        await page.locator('[data-control="step"]').click();
        await waitForConsole(page, (figures) => figures.status === 'paused' && figures.step === pausedAt + 1);

        // Mute one agent, message another as the operator, step once: both show up.
        const agents = page.getByTestId('agent-list');
        const first = agents.locator('[data-agent]').nth(0);
        const second = agents.locator('[data-agent]').nth(1);
        const mutedId = (await first.getAttribute('data-agent')) as string;
        const messagedId = (await second.getAttribute('data-agent')) as string;
        await first.getByRole('button', { name: 'Mute' }).click();
        await second.getByRole('button').first().click();
        const detail = page.getByTestId('agent-detail');
        await expect.poll(() => detail.getAttribute('data-agent'), uiWait).toBe(messagedId);
        await detail.getByLabel(`Message to ${messagedId}`).fill('Operator here: hold the line');
        await detail.getByRole('button', { name: 'Send' }).click();
        await page.locator('[data-control="step"]').click();
        await waitForConsole(page, (figures) => figures.step === pausedAt + 2);
        await agents.locator(`[data-agent="${mutedId}"][data-standing="muted"]`).waitFor();
        await detail.getByTestId('agent-conversation').getByText('Operator here: hold the line').waitFor();
        await page.screenshot({ path: join(artifactDirectory, 'run-console-paused.png') });
        // The scenario's room: the agents' posts to #square.
        await page.getByRole('tab', { name: 'Rooms' }).click();
        await expect
          .poll(async () => Number(await page.getByTestId('room-messages').getAttribute('data-count')))
          .toBeGreaterThan(0);
        await page.getByRole('tab', { name: 'Agent' }).click();

        // Resume, pause again, fork at the current step.
        await page.locator('[data-control="resume"]').click();
        await waitForConsole(page, (figures) => figures.status === 'running');
        await page.locator('[data-control="pause"]').click();
        await waitForConsole(page, (figures) => figures.status === 'paused');
        const forkStep = (await consoleFigures(page)).step;
        await page.locator('[data-control="fork"]').click();
        await page.waitForURL((url) => url.hash.startsWith('#/runs/') && !url.hash.includes(runId));
        const forkId = decodeURIComponent(page.url().split('#/runs/')[1] ?? '');
        await waitForConsole(page, (figures) => figures.step >= forkStep + 2);
        await page.locator('[data-control="stop"]').click();
        await waitForConsole(page, (figures) => figures.status === 'stopped');
        await server.api('POST', `/runs/${encodeURIComponent(runId)}/stop`, {});

        // Compare the parent and the fork.
        await page.goto(
          `${server.url}/#/compare?runs=${encodeURIComponent(runId)},${encodeURIComponent(forkId)}`,
        );
        await page.getByTestId('divergence').waitFor();
        expect(await page.getByTestId('divergence').innerText()).toMatch(
          /first differ at step \d+|do not differ/,
        );
        await page.locator('.compare-charts .chart').first().waitFor();

        // The interaction graph of the parent run: its agents, linked by who messaged whom.
        await page.goto(`${server.url}/#/runs/${encodeURIComponent(runId)}/graph`);
        await page.getByTestId('graph-canvas').locator('canvas').first().waitFor();
        expect(await page.getByTestId('graph-edges').innerText()).toMatch(/^4 agents · \d+ links$/);
        // One agent picked in the list: its panel says the run has no beliefs, and links to its
        // conversation in the run console.
        await page.getByLabel('Agent', { exact: true }).selectOption(messagedId);
        const agentPanel = page.getByTestId('agent-belief-panel');
        await agentPanel.getByText('No beliefs in this run').waitFor();
        await expect
          .poll(() => page.getByTestId('graph-canvas').getAttribute('data-selected'), uiWait)
          .toBe(messagedId);
        await agentPanel.getByRole('link', { name: 'Conversation in the run console' }).click();
        await expect
          .poll(() => page.getByTestId('agent-detail').getAttribute('data-agent'), uiWait)
          .toBe(messagedId);
        // Its conversation (a virtual list at its newest lines, so which lines show depends on how far the run went).
        await detail.getByTestId('agent-conversation').waitFor();

        // The parent has ended: its executive brief, the one the API serves.
        await page.goto(`${server.url}/#/runs/${encodeURIComponent(runId)}/brief`);
        const served = await server.api<{ brief: { headline: string } }>(
          'GET',
          `/runs/${encodeURIComponent(runId)}/brief`,
        );
        expect(served.brief.headline.length).toBeGreaterThan(0);
        await expect
          .poll(() => page.getByTestId('brief').locator('.brief-headline').innerText(), uiWait)
          .toBe(served.brief.headline);
        await page.screenshot({ path: join(artifactDirectory, 'brief.png') });
      }),
  );

  it('colours the graph by belief: follows a live run step by step, and matches GET /beliefs at any step and topic', {
    // 54 agents over 30 steps, stepped and polled by the page: slow inside the loaded full suite.
    timeout: 180_000,
  }, async () => {
    const source = await readFile(rumourMillFile, 'utf8');
    const scenario = await server.api<{ id: string }>('POST', '/scenarios', { source });
    const run = await server.api<{ id: string }>('POST', '/runs', { scenarioId: scenario.id, paused: true });
    const runPath = `/runs/${encodeURIComponent(run.id)}`;
    await withPage(
      'belief-graph',
      async (page) => {
        await page.goto(`${server.url}/#${runPath}/graph`);
        await page.getByTestId('graph-canvas').locator('canvas').first().waitFor();
        expect(await page.getByTestId('graph-step').innerText()).toBe('0');
        const { agents } = await server.api<{ agents: Array<{ id: string }> }>('GET', `${runPath}/agents`);
        const agentIds = agents.map((agent) => agent.id);
        expect(agentIds.length).toBe(54);

        // The slider follows the live run: each single step shows up with that step's colours.
        for (const step of [1, 2]) {
          await server.api('POST', `${runPath}/step`, {});
          await expect.poll(() => page.getByTestId('graph-step').innerText(), uiWait).toBe(String(step));
          await expect
            .poll(() => page.getByTestId('graph-belief-count').innerText(), uiWait)
            .toBe(`54 of 54 agents coloured by rumour at step ${step}`);
        }
        expect(await page.getByTestId('graph-following').innerText()).toContain('following the run');
        const atTwo = await server.api<BeliefPositionsAtStep>('GET', `${runPath}/beliefs?step=2`);
        expect(atTwo.topics).toEqual(['rumour', 'bus_fares']);
        expect(await positionsTable(page)).toEqual(expectedTable(agentIds, atTwo, 'rumour'));

        // One agent picked in the list: its node is highlighted and its panel shows its positions
        // over the run, the ones GET /beliefs/series answers up to the step the graph has.
        const followed = agentIds[0] as string;
        const seriesPath = `${runPath}/beliefs/series?agent=${encodeURIComponent(followed)}`;
        await page.getByLabel('Agent', { exact: true }).selectOption(followed);
        await expect
          .poll(() => page.getByTestId('graph-canvas').getAttribute('data-selected'), uiWait)
          .toBe(followed);
        const chart = page.getByTestId('agent-belief-chart');
        await chart.locator('canvas').first().waitFor();
        expect(await chart.getAttribute('data-to-step')).toBe('2');
        const seriesAtTwo = await server.api<BeliefSeries>('GET', `${seriesPath}&toStep=2`);
        expect(seriesAtTwo.topics).toEqual(['rumour', 'bus_fares']);
        expect(await chart.locator('.u-series .u-label').allInnerTexts()).toEqual([
          'step',
          'rumour',
          'bus_fares',
        ]);
        expect(await agentBeliefChanges(page)).toEqual(seriesAtTwo.points);
        expect(await agentPositions(page)).toEqual(positionsAfter(seriesAtTwo, 2));

        // To the end: the last step's colours are the API's latest positions.
        await server.api('POST', `${runPath}/resume`, {});
        await expect
          .poll(async () => (await server.api<{ status: string }>('GET', runPath)).status, uiWait)
          .toBe('completed');
        const ended = await server.api<{ step: number }>('GET', runPath);
        await expect.poll(() => page.getByTestId('graph-step').innerText(), uiWait).toBe(String(ended.step));
        await expect
          .poll(() => page.getByTestId('graph-belief-count').innerText(), uiWait)
          .toBe(`54 of 54 agents coloured by rumour at step ${ended.step}`);
        const latest = await server.api<BeliefPositionsAtStep>('GET', `${runPath}/beliefs`);
        expect(latest.step).toBe(ended.step);
        const lastTable = await positionsTable(page);
        expect(lastTable).toEqual(expectedTable(agentIds, latest, 'rumour'));
        // The rumour moved people: the colours at the end are not those of step 2.
        expect(lastTable).not.toEqual(expectedTable(agentIds, atTwo, 'rumour'));
        // The panel followed the run: it now draws every step, from the whole run's series.
        const fullSeries = await server.api<BeliefSeries>('GET', seriesPath);
        await expect.poll(() => chart.getAttribute('data-to-step'), uiWait).toBe(String(ended.step));
        expect(await chart.getAttribute('data-steps')).toBe(String(ended.step));
        await expect.poll(() => agentBeliefChanges(page), uiWait).toEqual(fullSeries.points);
        expect(await agentPositions(page)).toEqual(positionsAfter(fullSeries, ended.step));
        await page
          .getByTestId('graph-canvas')
          .screenshot({ path: join(artifactDirectory, 'graph-selected-agent.png') });
        // Its neighbours are the links the graph highlights: one per direction with interactions.
        const neighbourCounts = await page
          .getByTestId('agent-neighbours')
          .locator('tbody tr')
          .evaluateAll((rows) =>
            rows.map((row) => [
              Number(row.getAttribute('data-sent')),
              Number(row.getAttribute('data-received')),
            ]),
          );
        expect(neighbourCounts.length).toBeGreaterThan(0);
        const directions = neighbourCounts.reduce(
          (sum, [sent = 0, received = 0]) => sum + (sent > 0 ? 1 : 0) + (received > 0 ? 1 : 0),
          0,
        );
        expect(await page.getByTestId('graph-canvas').getAttribute('data-selected-links')).toBe(
          String(directions),
        );
        await page.screenshot({ path: join(artifactDirectory, 'belief-graph.png') });

        // Another topic at an earlier step: the picker and the slider, then the same comparison.
        await page.getByLabel('Belief topic').selectOption('bus_fares');
        await page.getByLabel('Step').fill('5');
        await expect
          .poll(() => page.getByTestId('graph-belief-count').innerText(), uiWait)
          .toBe('54 of 54 agents coloured by bus_fares at step 5');
        const atFive = await server.api<BeliefPositionsAtStep>(
          'GET',
          `${runPath}/beliefs?step=5&topic=bus_fares`,
        );
        await expect
          .poll(() => positionsTable(page), uiWait)
          .toEqual(expectedTable(agentIds, atFive, 'bus_fares'));
        // The panel shows the agent's positions at the step shown, agreeing with GET /beliefs.
        const followedAtFive = positionsAfter(fullSeries, 5);
        expect(followedAtFive.bus_fares).toBe(
          atFive.agents.find((agent) => agent.id === followed)?.positions.bus_fares,
        );
        await expect.poll(() => agentPositions(page), uiWait).toEqual(followedAtFive);
        await page.getByRole('button', { name: 'Follow the run' }).click();
        await expect.poll(() => page.getByTestId('graph-step').innerText(), uiWait).toBe(String(ended.step));

        // Closing the panel clears the pick; a click on a node picks that agent again.
        await page.getByTestId('agent-belief-panel').getByRole('button', { name: 'Close' }).click();
        await expect
          .poll(() => page.getByTestId('graph-canvas').getAttribute('data-selected'), uiWait)
          .toBe('');
        await expect
          .poll(() => page.getByTestId('graph-belief-count').innerText(), uiWait)
          .toBe(`54 of 54 agents coloured by bus_fares at step ${ended.step}`);
        // The nodes' colours: those of the last step, or of step 5 if the canvas is not redrawn yet.
        const nodeColours = [latest, atFive].flatMap((answer) =>
          expectedTable(agentIds, answer, 'bus_fares').map((row) => row.color),
        );
        const clicked = await clickANode(page, [...new Set(nodeColours)]);
        await expect
          .poll(() => page.getByTestId('agent-belief-panel').getAttribute('data-agent'), uiWait)
          .toBe(clicked);
        expect(await page.getByLabel('Agent', { exact: true }).inputValue()).toBe(clicked);
      },
      true,
    );
  });

  it('reconnects after the server is killed and restarted, showing every event exactly once', async () => {
    const scenario = await server.api<{ id: string }>('POST', '/scenarios', { source: starterScenario });
    // Started paused, so the console is connected before the first step and the kill lands mid-run.
    const run = await server.api<{ id: string }>('POST', '/runs', {
      scenarioId: scenario.id,
      steps: 1000,
      paused: true,
    });
    await withPage(
      'restart',
      async (page) => {
        await page.goto(`${server.url}/#/runs/${encodeURIComponent(run.id)}`);
        await page.getByTestId('stream-status').getByText('stream open').waitFor();
        await server.api('POST', `/runs/${encodeURIComponent(run.id)}/resume`, {});
        await waitForConsole(page, (figures) => figures.step >= 5);

        await server.kill();
        await page.getByTestId('stream-status').getByText('reconnecting…').waitFor();
        const before = await consoleFigures(page);
        await server.start();
        // The server resumes the interrupted run; the console follows it on, then sees it stopped.
        await waitForConsole(page, (figures) => figures.step >= before.step + 3, 60_000);
        await server.api('POST', `/runs/${encodeURIComponent(run.id)}/stop`, {});
        await waitForConsole(page, (figures) => figures.status === 'stopped');
        await page.getByTestId('stream-status').getByText('stream ended').waitFor();

        let stored = 0;
        for (;;) {
          const history = await server.api<{ events: Array<{ sequence: number }> }>(
            'GET',
            `/runs/${encodeURIComponent(run.id)}/history/events?after=${stored}&limit=5000`,
          );
          if (history.events.length === 0) break;
          stored = history.events.at(-1)?.sequence ?? stored;
        }
        const figures = await consoleFigures(page);
        expect(figures.lastSequence).toBeGreaterThan(before.lastSequence);
        // Each applied event has a sequence above the last, so count = last sequence = the store's
        // count means nothing was lost and nothing was shown twice.
        expect(figures.eventCount).toBe(stored);
        expect(figures.lastSequence).toBe(stored);
        await page.screenshot({ path: join(artifactDirectory, 'run-console-after-restart.png') });
      },
      true,
    );
    // Two server starts (each compiles the server and opens the store): slow on a busy machine.
  }, 150_000);
});
