/**
 * The module a sweep worker thread runs (started by {@link SweepWorkerPool} through
 * sweep-worker-bootstrap.mjs): it builds the rule-agent executor once from `workerData`, then runs
 * each member the parent sends and posts back its result, or the error's message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ruleSweepExecutor } from './sweep-runner';
import type { SweepWorkerData, SweepWorkerReply, SweepWorkerRequest } from './sweep-workers';

const port = parentPort;
if (!port) throw new Error('sweep-worker.ts runs in a worker thread (see SweepWorkerPool)');
const { scenarioText, executorOptions } = workerData as SweepWorkerData;
const execute = ruleSweepExecutor(scenarioText, executorOptions);
// Members are cancelled by terminating the thread, so this signal never aborts.
const signal = new AbortController().signal;

port.on('message', async ({ id, member }: SweepWorkerRequest) => {
  let reply: SweepWorkerReply;
  try {
    reply = { id, ok: true, result: await execute(member, signal) };
  } catch (error) {
    reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
