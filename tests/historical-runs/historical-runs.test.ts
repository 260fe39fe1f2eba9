import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@sandtable/cli';
import {
  analyzeRun,
  createEngine,
  parseScenario,
  type RunEvent,
  readRunFolder,
  wallClockFields,
} from '@sandtable/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Run folders written by earlier versions (tests/__fixtures__/historical-runs/<version>/, made by
 * generate-fixtures.ts and never regenerated) must still read: their records parse, the analysis
 * of them agrees with the numbers that version wrote, `sandtable brief` and `compare` work on them,
 * and — a run being fully determined by its scenario, seed and recorded model replies — replaying a
 * recorded one or re-running a rule-only one gives the same event log.
 */

const fixtures = join(import.meta.dirname, '..', '__fixtures__', 'historical-runs');
const versions = (await readdir(fixtures, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const folders = (
  await Promise.all(
    versions.map(async (version) =>
      (await readdir(join(fixtures, version))).sort().map((name) => ({ version, name })),
    ),
  )
).flat();

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sandtable-historical-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function captureIo() {
  const lines = { out: [] as string[], err: [] as string[] };
  return {
    lines,
    out: (line: string) => lines.out.push(line),
    err: (line: string) => lines.err.push(line),
    isTty: false,
  };
}

/** A copy of a fixture folder in scratch space: the CLI writes into run folders, fixtures stay as they were. */
async function copyOf(version: string, name: string): Promise<string> {
  const copy = join(scratch, `${version}-${name}-${Math.random().toString(36).slice(2)}`);
  await cp(join(fixtures, version, name), copy, { recursive: true });
  return copy;
}

/** The last row of a run's metrics.csv, as the writing version computed it. */
async function lastMetricsRow(folder: string): Promise<Record<string, number>> {
  const [header, ...rows] = (await readFile(join(folder, 'metrics.csv'), 'utf8')).trim().split('\n');
  const names = (header as string).split(',');
  const values = (rows.at(-1) as string).split(',');
  return Object.fromEntries(names.map((name, index) => [name, Number(values[index])]));
}

function withoutWallClock(event: RunEvent | Record<string, unknown>): string {
  const copy: Record<string, unknown> = { ...event };
  for (const field of wallClockFields) delete copy[field];
  return JSON.stringify(copy);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('run folders written by earlier versions', () => {
  it('are there to check: at least one version with a recorded model run and a rule run', () => {
    expect(folders.length).toBeGreaterThanOrEqual(2);
    expect(folders.map((folder) => folder.name)).toEqual(
      expect.arrayContaining(['harbour-town-model', 'port-strike-rule']),
    );
  });

  describe.each(folders)('$version/$name', ({ version, name }) => {
    const folder = join(fixtures, version, name);

    it('read, and their analysis agrees with the metrics that version wrote', async () => {
      const records = await readRunFolder(folder);
      expect(records.events.length).toBeGreaterThan(0);
      const analysis = analyzeRun(records);
      const written = await lastMetricsRow(folder);
      const lastStep = written.step as number;
      expect(analysis.metrics.steps.at(-1)).toBe(lastStep);
      let compared = 0;
      for (const series of analysis.metrics.series) {
        const value = written[series.name];
        if (value === undefined || Number.isNaN(value)) continue;
        expect(series.values.at(-1), `${series.name} at step ${lastStep}`).toBeCloseTo(value, 9);
        compared++;
      }
      expect(compared).toBeGreaterThan(3);
      expect(analysis.brief.headline.length).toBeGreaterThan(0);
    });

    it('give a brief with `sandtable brief --pdf`, and compare with `sandtable compare`', async () => {
      const copy = await copyOf(version, name);
      const io = captureIo();
      expect(await main(['node', 'sandtable', 'brief', copy, '--pdf'], io), io.lines.err.join('\n')).toBe(0);
      expect((await stat(join(copy, 'brief.pdf'))).size).toBeGreaterThan(1000);
      const compareIo = captureIo();
      const code = await main(['node', 'sandtable', 'compare', folder, copy], compareIo);
      expect(code, compareIo.lines.err.join('\n')).toBe(0);
      // A folder against a copy of itself: the same run, so it never diverges.
      expect(compareIo.lines.out.join('\n')).toContain('B matches A on every step both ran.');
    });

    it('replay (recorded model replies) or re-run (rules only) to the same event log', async () => {
      const recordedLines = (await readFile(join(folder, 'events.jsonl'), 'utf8')).trim().split('\n');
      const recorded = recordedLines.map((line) => withoutWallClock(JSON.parse(line)));
      if (await exists(join(folder, 'cassette.jsonl'))) {
        const io = captureIo();
        const code = await main(
          [
            'node',
            'sandtable',
            'replay',
            await copyOf(version, name),
            '--out',
            join(scratch, `replayed-${name}`),
          ],
          io,
        );
        expect(code, [...io.lines.out, ...io.lines.err].join('\n')).toBe(0);
        expect(io.lines.out.join('\n')).toContain(`identical to the recording: ${recorded.length} events`);
        return;
      }
      const manifest = JSON.parse(await readFile(join(folder, 'run.json'), 'utf8')) as {
        seed: number;
        steps: number;
      };
      const scenario = parseScenario(await readFile(join(folder, 'scenario.yaml'), 'utf8'), {
        file: join(folder, 'scenario.yaml'),
        seed: manifest.seed,
        steps: manifest.steps,
      });
      const instance = createEngine().createRun(scenario);
      const events: string[] = [];
      instance.subscribe((event: RunEvent) => events.push(withoutWallClock(event)));
      await instance.start();
      expect(events).toEqual(recorded);
    });
  });
});
