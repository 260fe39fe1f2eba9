/**
 * A sweep worker module for tests (sweep-workers.test.ts): seed 9001 makes the thread exit, 9002
 * runs it out of memory, 9003 spins forever; any other member runs as in sweep-worker.ts.
 */
import { parentPort } from 'node:worker_threads';
import './sweep-worker';
import type { SweepWorkerRequest } from './sweep-workers';

// sweep-worker.ts's listener runs first, up to its first await (parsing the scenario); this one
// then takes the thread down or keeps it busy before that member's run goes on.
parentPort?.on('message', ({ member }: SweepWorkerRequest) => {
  if (member.seed === 9001) process.exit(3);
  if (member.seed === 9002) {
    const hoard: number[][] = [];
    for (;;) hoard.push(Array.from({ length: 10_000 }, Math.random));
  }
  if (member.seed === 9003) {
    const started = Date.now();
    while (Date.now() >= started) Math.random();
  }
});
