import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AttemptRecord,
  analyzeRun,
  type Cassette,
  finalStateOf,
  type ModelUsageSummary,
  type Run,
  type RunEvent,
  RunRecorder,
  type RunResult,
  readRunFolder,
  renderRunSummary,
} from '@sandtable/core';
import { writeRunAnalysis } from './commands/brief-command';

/** What `run.json` records: enough to replay the run from its folder. */
export interface RunManifest {
  runId: string;
  scenarioText: string;
  scenarioFile: string | null;
  seed: number;
  steps: number;
  parameters: Record<string, string | number | boolean>;
  /** The model setup, redacted (no keys, no credentials in URLs). */
  models: unknown;
}

/** Builds a run id that sorts by time and says what ran: `20261122-031417-port-strike-s42`. */
export function createRunId(scenarioName: string, seed: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug =
    scenarioName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'run';
  return `${stamp}-${slug}-s${seed}`;
}

function csvCell(value: number | string): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes a run's folder: at the start `scenario.yaml` (the scenario as run) and `run.json`; while
 * it runs `events.jsonl` (every event, streamed); at the end `metrics.csv`, `final-state.json`,
 * `summary.md`, `brief.md`, `brief.json`, `evaluation.json`, and with models `model-usage.json` and, when
 * recording, `cassette.jsonl`.
 */
export class RunOutput {
  readonly recorder = new RunRecorder();
  private readonly events: WriteStream;
  private modelCalls: WriteStream | undefined;
  private readonly extraStreams = new Map<string, WriteStream>();
  private failure: Error | undefined;

  private constructor(readonly directory: string) {
    this.events = createWriteStream(join(directory, 'events.jsonl'));
    this.events.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Creates the folder, writes the scenario and manifest, and starts listening to the run. */
  static async open(directory: string, run: Run, manifest: RunManifest): Promise<RunOutput> {
    await mkdir(directory, { recursive: true });
    const { scenarioText, ...rest } = manifest;
    await writeFile(join(directory, 'scenario.yaml'), scenarioText);
    await writeFile(join(directory, 'run.json'), `${JSON.stringify(rest, null, 2)}\n`);
    const output = new RunOutput(directory);
    run.subscribe((event) => output.write(event));
    return output;
  }

  /** Appends one model call attempt to `model-calls.jsonl` (provenance: who, which model, hashes, tokens, cost, outcome). */
  recordAttempt(record: AttemptRecord): void {
    if (!this.modelCalls) {
      this.modelCalls = createWriteStream(join(this.directory, 'model-calls.jsonl'));
      this.modelCalls.on('error', (error) => {
        this.failure = error;
      });
    }
    this.modelCalls.write(`${JSON.stringify(record)}\n`);
  }

  /** Appends one line to a JSONL file of the run folder (opened on first use). */
  appendLine(fileName: string, line: string): void {
    let stream = this.extraStreams.get(fileName);
    if (!stream) {
      stream = createWriteStream(join(this.directory, fileName));
      stream.on('error', (error) => {
        this.failure = error;
      });
      this.extraStreams.set(fileName, stream);
    }
    stream.write(`${line}\n`);
  }

  private write(event: RunEvent): void {
    this.recorder.record(event);
    this.events.write(`${JSON.stringify(event)}\n`);
  }

  /** Flushes the event log and writes the end-of-run files. */
  async finish(
    run: Run,
    result: RunResult,
    extras: { modelUsage?: ModelUsageSummary; cassette?: Cassette } = {},
  ): Promise<void> {
    for (const stream of [this.events, this.modelCalls, ...this.extraStreams.values()]) {
      if (!stream) continue;
      stream.end();
      await once(stream, 'close');
    }
    if (this.failure) throw this.failure;
    const metricNames = this.recorder.metricNames();
    const header = ['step', ...metricNames, 'actions', 'messages', 'failures'];
    const rows = this.recorder.series.map((entry) => [
      entry.step,
      ...metricNames.map((name) => entry.metrics[name] as number),
      entry.actions,
      entry.messages,
      entry.failures,
    ]);
    await writeFile(
      join(this.directory, 'metrics.csv'),
      `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`,
    );
    // The shape analysis reads back (core's finalStateOf), with where the scenario came from.
    const { scenario, ...state } = finalStateOf(run, result);
    const finalState = { scenario, source: run.scenario.source, ...state };
    await writeFile(join(this.directory, 'final-state.json'), `${JSON.stringify(finalState, null, 2)}\n`);
    await writeFile(join(this.directory, 'summary.md'), renderRunSummary(run.scenario, this.recorder));
    await writeFile(
      join(this.directory, 'interaction-graph.json'),
      `${JSON.stringify(run.interactionGraph(), null, 2)}\n`,
    );
    if (extras.modelUsage) {
      await writeFile(
        join(this.directory, 'model-usage.json'),
        `${JSON.stringify(extras.modelUsage, null, 2)}\n`,
      );
    }
    if (extras.cassette) await extras.cassette.save(join(this.directory, 'cassette.jsonl'));
    // The deterministic brief and rubric evaluation, from the files just written (`sandtable brief` redoes them, e.g. with a model).
    const records = await readRunFolder(this.directory);
    await writeRunAnalysis(this.directory, analyzeRun(records), records.events);
  }
}
