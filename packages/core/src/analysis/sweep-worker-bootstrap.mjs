// The first module of a sweep worker thread (see sweep-workers.ts). Module hooks do not reach
// worker threads on Node 20 (`--import tsx` in a worker's execArgv leaves `.ts` unloadable), so
// when the worker module is TypeScript source this registers tsx in the thread before importing
// it. Plain JavaScript, so it loads with or without tsx.
import { workerData } from 'node:worker_threads';

const { entry } = workerData;
if (/\.[cm]?tsx?$/.test(new URL(entry).pathname)) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
