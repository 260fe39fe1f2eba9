import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, createRandom, parseGroundedScenario, type RunEvent } from '@sandtable/core';
import type { SimulatedModelServer } from '@sandtable/core/testing';
import { openStore } from '@sandtable/store';
import {
  harbourTownFile,
  harbourTownText,
  simulatedRouter,
  startDeterministicModelServer,
} from '@sandtable/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const binary = join(import.meta.dirname, '..', '..', 'bin', 'sandtable.js');
const steps = 24;
let directory: string;
let server: SimulatedModelServer;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sandtable-kill-'));
  // Every call takes a while, so kills land inside model calls as well as inside commits.
  server = await startDeterministicModelServer({ latencyMs: 15 });
});
afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

interface Child {
  /** Resolves with the exit code, or the signal that ended it. */
  exit: Promise<number | string>;
  kill: () => void;
  stderr: () => string;
  /** Resolves once stdout has shown this step's line. */
  reached: (step: number) => Promise<void>;
}

function start(args: string[]): Child {
  const child = spawn(
    process.execPath,
    [binary, ...args, '--data', join(directory, 'store'), '--out', join(directory, 'runs')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SANDTABLE_MODEL_URL: server.openaiBaseUrl,
        SANDTABLE_MODEL: 'simulated-model',
        DATABASE_URL: '',
      },
    },
  );
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ step: number; resolve: () => void }> = [];
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    for (const wait of [...waiting])
      if (new RegExp(`step\\s+${wait.step}/`).test(stdout)) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve();
      }
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    exit,
    kill: () => child.kill('SIGKILL'),
    stderr: () => stderr,
    reached: (step) =>
      new Promise<void>((resolve, reject) => {
        if (new RegExp(`step\\s+${step}/`).test(stdout)) resolve();
        else waiting.push({ step, resolve });
        void exit.then(() => reject(new Error(`the run ended before step ${step}:\n${stderr}`)));
      }),
  };
}

const strip = (events: readonly RunEvent[]) =>
  events.map(({ wallTime: _wallTime, ...rest }) => JSON.stringify(rest));

describe('kill -9 and resume', () => {
  it('finishes a run killed with SIGKILL three times with the same record as an uninterrupted run, paying for no answered call twice', async () => {
    // The uninterrupted run: same scenario, seed and model server, in this process.
    const scenario = await parseGroundedScenario(harbourTownText, { file: harbourTownFile, steps });
    const reference = createEngine({ models: { router: await simulatedRouter(server) } }).createRun(scenario);
    const expected: RunEvent[] = [];
    reference.subscribe((event) => expected.push(event));
    const before = server.stats();
    expect((await reference.start()).status).toBe('completed');
    const callsPerRun = server.stats().chatRequests - before.chatRequests;
    expect(callsPerRun).toBe(2 * steps);

    const counted = server.stats();
    const random = createRandom(20261201, ['kill-points']);
    let child = start(['run', harbourTownFile, '--steps', String(steps)]);
    let runId: string | undefined;
    let step = 0;
    for (let kill = 0; kill < 3; kill++) {
      // A seeded random point: some milliseconds after a step's line appeared, so the kill falls
      // into a commit, a model call or the next step's work.
      step += 3 + Math.floor(random.next() * 4);
      await child.reached(step);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random.next() * 40)));
      child.kill();
      expect(await child.exit).toBe('SIGKILL');
      runId ??= /Run (\S+) is stored/.exec(child.stderr())?.[1];
      expect(runId).toBeDefined();
      child = start(['resume', runId as string]);
    }
    expect(await child.exit).toBe(0);
    expect(child.stderr()).toMatch(/Resuming run .* after step \d+ of 24/);

    const store = await openStore({ directory: join(directory, 'store') });
    try {
      const stored = await store.eventsAfter(runId as string, 0, 100_000);
      expect(strip(stored)).toEqual(strip(expected));
      expect(await store.getRun(runId as string)).toMatchObject({ status: 'completed', lastStep: steps });
      // Every answer the run used is stored once per agent and step…
      const calls = await store.modelCalls(runId as string);
      expect(calls).toHaveLength(callsPerRun);
      expect(new Set(calls.map((call) => `${call.step}/${call.agentId}`)).size).toBe(callsPerRun);
      // …and the server answered again only what a kill cut off: at most the two calls in flight
      // per kill (a resume that re-asked every call would have cost dozens more).
      const requests = server.stats().chatRequests - counted.chatRequests;
      expect(requests).toBeGreaterThanOrEqual(callsPerRun);
      expect(requests - callsPerRun).toBeLessThanOrEqual(2 * 3);
    } finally {
      await store.close();
    }
    // Four processes each open the embedded store (the first creates it): slow on a busy machine.
  }, 240_000);
});
