/**
 * A simulated model server in its own process, so benchmarks measure the client's CPU alone.
 * `--profile zero-latency` answers at once; `--profile <name>` runs that server profile in real time.
 * Prints `{"url": …}` on its first line when listening; on a `stats` line on stdin prints the
 * server's counters as JSON; exits when stdin closes.
 *
 * Usage (from a benchmark): `node --import tsx bench/support/simulated-server-process.ts --profile api --seed 1`.
 */
import { createInterface } from 'node:readline';
import { startSimulatedModelServer } from '@sandtable/core/testing';
import { option } from './reporting';
import { profileServerOptions, requestKey, serverProfiles, simulatedDecision } from './simulation';

const profileName = option('profile') ?? 'zero-latency';
const seed = Number(option('seed') ?? 1);

const profile = serverProfiles[profileName];
const modelOptions = profile ? profileServerOptions(profile, { seed }) : undefined;
const server = await startSimulatedModelServer({
  recordRequests: false,
  prefixCache: false,
  ...(modelOptions
    ? modelOptions.options
    : {
        reply: (request) => {
          const requestSeed = typeof request.body.seed === 'number' ? request.body.seed : undefined;
          const key = requestKey({
            ...(requestSeed === undefined ? {} : { seed: requestSeed }),
            messages: request.messages,
          });
          const decision = simulatedDecision({ messages: request.messages, tools: request.tools }, key, seed);
          return { text: decision.text, toolCalls: decision.toolCalls, finishReason: 'tool_calls' };
        },
      }),
});
console.log(JSON.stringify({ url: server.openaiBaseUrl }));

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim() === 'stats') {
    console.log(JSON.stringify({ http: server.stats(), model: modelOptions?.model.stats() }));
  }
});
input.on('close', () => {
  void server.close().then(() => process.exit(0));
});
