import { join, resolve } from 'node:path';
import {
  type AttemptRecord,
  type ChatRouter,
  createEngine,
  describeModelConfig,
  embeddingTier,
  formatLogRecord,
  ModelUsage,
  resolveModelSetup,
  SandtableError,
} from '@sandtable/core';
import { loadStoredScenario, resumeRun } from '@sandtable/store';
import type { CommandIo } from '../command-io';
import type { RunOutput } from '../run-output';
import { executeRun, openCommandStore } from './run-command';

/** Options of `sandtable resume`. */
export interface ResumeCommandOptions {
  /** Where the run folder is (re)written. @defaultValue 'runs' */
  out: string;
  json?: boolean;
  /** The embedded store's folder. */
  data?: string;
  /** A model configuration file for the steps still to run. */
  modelConfig?: string;
}

/**
 * `sandtable resume RUN_ID`: continues a stored run that was interrupted (killed, Ctrl-C, a
 * failed commit) from its last committed step. The committed steps are re-executed from the
 * store — model replies from its cassette, control inputs at their boundaries — and checked
 * event by event; then the run goes on live with the configured model, reusing calls recorded
 * for the interrupted step. The run folder `runs/<id>/` is rewritten whole.
 * Exit codes: 0 done, 1 bad input (unknown or completed run), 2 failed (or diverged), 130 interrupted.
 */
export async function resumeCommand(
  runId: string,
  options: ResumeCommandOptions,
  io: CommandIo,
): Promise<number> {
  const store = (await openCommandStore(options, io, true))!;
  try {
    const record = await store.getRun(runId);
    if (!record) {
      const recent = (await store.listRuns({ limit: 5 })).map((run) => `${run.id} (${run.status})`);
      throw new SandtableError(
        'RUN_NOT_FOUND',
        `no run "${runId}" in ${store.location}${recent.length > 0 ? `; recent runs: ${recent.join(', ')}` : ''}`,
        { category: 'user' },
      );
    }
    const usage = new ModelUsage();
    let output: RunOutput | undefined;
    const onAttempt = (attempt: AttemptRecord) => {
      usage.add(attempt);
      output?.recordAttempt(attempt);
    };
    let live: ChatRouter | undefined;
    let modelDescription: unknown = null;
    const setup = record.options;
    const spendingCap =
      typeof setup.maxTokens === 'number' || typeof setup.maxCost === 'number'
        ? {
            ...(typeof setup.maxTokens === 'number' ? { maxTokens: setup.maxTokens } : {}),
            ...(typeof setup.maxCost === 'number' ? { maxCostUsd: setup.maxCost } : {}),
            onExceeded: setup.onBudget === 'stop' ? ('stop' as const) : ('downgrade' as const),
          }
        : undefined;
    if (record.status !== 'completed') {
      const scenario = await loadStoredScenario(store, record);
      if (scenario.agents.some((agent) => agent.brain !== 'rules') && record.lastStep < record.totalSteps) {
        const models = await resolveModelSetup({
          ...(options.modelConfig ? { configPath: options.modelConfig } : {}),
          router: { onAttempt },
        });
        live = models.router;
        if (models.notice) io.err(`note: ${models.notice}`);
        modelDescription = models.config ? describeModelConfig(models.config) : null;
      }
    }
    const prepared = await resumeRun(store, runId, {
      createRun: ({ scenario, record: stored, router }) =>
        createEngine({
          models: { router: router(live), ...(spendingCap ? { spending: spendingCap } : {}) },
          onGameMasterLog: (entry) => output?.appendLine('game-master.jsonl', formatLogRecord(entry)),
        }).createRun(scenario, { runId: stored.id }),
    });
    // The store's router claims a recorded embedding tier the configuration lacks (it replays it).
    if (prepared.router?.recordedOnlyTargets.includes(embeddingTier))
      io.err(
        'note: this run recorded embedding calls and the model configuration has no `embedding` tier: ' +
          'the committed steps re-execute with the recorded vectors, the steps still to run rank documents ' +
          'and memories by BM25 (configure an `embedding` tier to keep hybrid ranking)',
      );
    const version = await store.getScenarioVersion(record.scenarioId, record.scenarioVersion);
    io.err(
      `Resuming run ${runId} after step ${prepared.record.lastStep} of ${record.totalSteps} ` +
        `(steps 1–${prepared.record.lastStep} are re-executed from ${store.location} and checked)`,
    );
    const outcome = await executeRun(prepared.run, {
      scenarioText: version?.source ?? '',
      options,
      io,
      directory: resolve(join(options.out, runId)),
      runId,
      usage,
      modelDescription,
      persisted: prepared,
      setOutput: (opened) => {
        output = opened;
      },
    });
    if (prepared.router && prepared.router.replayed + prepared.router.live > 0 && !options.json)
      io.err(
        `Model calls: ${prepared.router.replayed} answered from the store, ${prepared.router.live} made now`,
      );
    return outcome.exitCode;
  } finally {
    await store.close();
  }
}
