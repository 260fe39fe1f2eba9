import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  analyzeRun,
  analyzeRunWithModel,
  type MetricRange,
  type RunAnalysis,
  readRunFolder,
  renderBriefMarkdown,
  renderBriefPdf,
  renderEvaluationMarkdown,
  resolveModelSetup,
} from '@sandtable/core';
import type { CommandIo } from '../command-io';

/** Options of `sandtable brief`. */
export interface BriefCommandOptions {
  /** Also write brief.pdf. */
  pdf?: boolean;
  /** Write the brief and the evaluation with a model from this configuration file. */
  modelConfig?: string;
  /** Write them with the configured model (config file, environment variables or a local server). */
  model?: boolean;
  /** Other runs of the same scenario: the brief gives each main metric's range over all of them. */
  with?: string[];
}

/**
 * A run folder named by its path, or by its run id under `runs/` (`sandtable brief 20261122-031417-port-strike-s42`).
 */
export async function resolveRunFolder(reference: string, runsDirectory = 'runs'): Promise<string> {
  const isDirectory = async (path: string) =>
    (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
  if (await isDirectory(reference)) return reference;
  const underRuns = join(runsDirectory, reference);
  return (await isDirectory(underRuns)) ? underRuns : reference;
}

/** The end time of a run (its last event's wall time): the PDF's date, so a run gives the same file. */
function endedAt(events: readonly { wallTime: string }[]): Date {
  const last = events.at(-1)?.wallTime;
  const date = last ? new Date(last) : new Date(Date.UTC(2000, 0, 1));
  return Number.isNaN(date.getTime()) ? new Date(Date.UTC(2000, 0, 1)) : date;
}

/**
 * Writes a run's analysis into its folder: `brief.md` (the brief, then the evaluation),
 * `brief.json` (the brief's structure), `evaluation.json`, and with `pdf` `brief.pdf`.
 * Returns the paths written.
 */
export async function writeRunAnalysis(
  directory: string,
  analysis: RunAnalysis,
  events: readonly { wallTime: string }[],
  options: { pdf?: boolean } = {},
): Promise<string[]> {
  const written: string[] = [];
  const put = async (name: string, content: string | Buffer) => {
    await writeFile(join(directory, name), content);
    written.push(join(directory, name));
  };
  await put(
    'brief.md',
    `${renderBriefMarkdown(analysis.brief)}\n${renderEvaluationMarkdown(analysis.evaluation)}`,
  );
  const { charts: _charts, ...briefFields } = analysis.brief;
  await put('brief.json', `${JSON.stringify(briefFields, null, 2)}\n`);
  await put('evaluation.json', `${JSON.stringify(analysis.evaluation, null, 2)}\n`);
  if (options.pdf)
    await put('brief.pdf', await renderBriefPdf(analysis.brief, { createdAt: endedAt(events) }));
  return written;
}

/** Each main metric's final value over the given runs (this one included). */
async function rangesOver(analysis: RunAnalysis, others: string[]): Promise<Record<string, MetricRange>> {
  const finals = new Map<string, number[]>();
  const add = (name: string, value: number | undefined) => {
    if (value === undefined || !Number.isFinite(value)) return;
    finals.set(name, [...(finals.get(name) ?? []), value]);
  };
  const lastOf = (metrics: RunAnalysis['metrics'], name: string) =>
    metrics.series
      .find((series) => series.name === name)
      ?.values.filter(Number.isFinite)
      .at(-1);
  for (const name of analysis.digest.mainMetrics) add(name, lastOf(analysis.metrics, name));
  for (const directory of others) {
    const other = analyzeRun(await readRunFolder(await resolveRunFolder(directory)));
    for (const name of analysis.digest.mainMetrics) add(name, lastOf(other.metrics, name));
  }
  return Object.fromEntries(
    [...finals.entries()].map(([name, values]) => [
      name,
      {
        runs: values.length,
        low: Math.min(...values),
        high: Math.max(...values),
        mean: values.reduce((sum, value) => sum + value, 0) / values.length,
      },
    ]),
  );
}

/**
 * `sandtable brief RUN_DIR|RUN_ID [--pdf] [--model | --model-config F] [--with RUN_DIR…]`: the executive
 * brief and the rubric evaluation of a finished run, written into its folder. Deterministic (rules
 * from signals and metrics) unless a model is asked for; a model that gives no valid answer falls
 * back to the deterministic brief with a note.
 */
export async function briefCommand(
  reference: string,
  options: BriefCommandOptions,
  io: CommandIo,
): Promise<number> {
  const runDirectory = await resolveRunFolder(reference);
  const records = await readRunFolder(runDirectory);
  const first = analyzeRun(records);
  const ranges = options.with && options.with.length > 0 ? await rangesOver(first, options.with) : undefined;
  let analysis = ranges ? analyzeRun(records, { ranges }) : first;
  if (options.model || options.modelConfig) {
    const setup = await resolveModelSetup(options.modelConfig ? { configPath: options.modelConfig } : {});
    if (setup.router) {
      try {
        analysis = await analyzeRunWithModel(records, {
          router: setup.router,
          ...(ranges ? { ranges } : {}),
        });
      } finally {
        setup.router.close();
      }
      for (const note of analysis.notes) io.err(`note: ${note}`);
    } else
      io.err(
        `note: no model available (${setup.notice ?? 'none configured'}); writing the deterministic brief`,
      );
  }
  const written = await writeRunAnalysis(runDirectory, analysis, records.events, { pdf: options.pdf });
  io.out(analysis.brief.headline);
  for (const path of written) io.out(`Wrote ${path}`);
  return 0;
}
